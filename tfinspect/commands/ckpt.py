"""``tfinspect ckpt CKPT [--against SOURCE]``: a checkpoint's variables, and what restore would do."""

from __future__ import annotations

import argparse
import sys


from tfinspect.commands.common import EXIT_CLEAN, EXIT_FINDINGS, load_source, report_outcome

DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1, "int16": 2,
               "int32": 4, "int64": 8, "bool": 1}


def add_parser(commands, options) -> None:
    parser = commands.add_parser(
        "ckpt", help="list a checkpoint's variables; with --against, predict what saver.restore would do",
        description="List the variables of a checkpoint (a prefix, its .index, or a directory with a 'checkpoint' "
                    "file): names, shapes, dtypes, sizes. With --against SOURCE, compare with the variables a "
                    "default tf.train.Saver() of SOURCE's graph restores: keys missing from the checkpoint, keys "
                    "the graph does not have, shape and dtype mismatches, and likely renames. Exit 1 on any "
                    "mismatch. Reading checkpoints uses TensorFlow's reader.",
    )
    parser.add_argument("checkpoint", metavar="CKPT")
    parser.add_argument("--against", metavar="SOURCE", help="a model script or graph file to restore into")
    options.add_format_option(parser)
    options.add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.restore import compare, saved_variables
    from tfinspect.load.checkpoints import read_checkpoint
    from tfinspect.render.subgraph_text import print_renderable

    prefix, entries = read_checkpoint(args.checkpoint)
    report = capture = None
    if args.against:
        args.source = args.against
        capture = load_source(args)
        report = compare(entries, saved_variables(capture))
    if args.format == "json":
        from tfinspect.render.json import SCHEMA_VERSION, dump

        document = {"schema_version": SCHEMA_VERSION, "command": "ckpt", "checkpoint": prefix,
                    "variables": [{"name": e.name, "shape": list(e.shape), "dtype": e.dtype,
                                   "bytes": e.size * DTYPE_BYTES.get(e.dtype, 0)} for e in entries]}
        if report is not None:
            document["restore"] = {
                "ok": report.ok, "matched": list(report.matched), "missing": list(report.missing),
                "unused": list(report.unused),
                "shape_mismatches": [{"name": n, "graph": list(g) if g else None, "checkpoint": list(c)}
                                     for n, g, c in report.shape_mismatches],
                "dtype_mismatches": [{"name": n, "graph": g, "checkpoint": c} for n, g, c in report.dtype_mismatches],
                "renames": [{"variable": r.variable, "key": r.key, "why": r.why} for r in report.renames],
            }
        dump(document, sys.stdout)
    else:
        print_renderable(_view(prefix, entries, report))
    if capture is not None:
        report_outcome(capture)
    return EXIT_CLEAN if report is None or report.ok else EXIT_FINDINGS


def _view(prefix, entries, report):
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from tfinspect.render.formatting import shape_text
    from tfinspect.render.summary_text import _size

    table = Table(title=f"Checkpoint {prefix}", title_justify="left", title_style="tfi.title", box=None,
                  pad_edge=False)
    for column in ("name", "shape", "dtype", "size"):
        table.add_column(column, justify="right" if column == "size" else "left")
    total = 0
    for e in entries:
        size = e.size * DTYPE_BYTES.get(e.dtype, 0)
        total += size
        table.add_row(Text(e.name, style="tfi.name"), shape_text(e.shape), e.dtype, _size(size))
    parts = [table, Text(f"{len(entries)} variables, {_size(total)}", style="tfi.count")]
    if report is not None:
        parts.append(Text(""))
        if report.ok:
            parts.append(Text(f"saver.restore would restore all {len(report.matched)} variables", style="tfi.ok"))
        else:
            parts.append(Text("saver.restore would fail:", style="tfi.error"))
        for name in report.missing:
            line = Text(f"  missing from the checkpoint: {name}", style="tfi.error")
            rename = next((r for r in report.renames if r.variable == name), None)
            if rename:
                line.append(f"  probably renamed from '{rename.key}': {rename.why}; restore with "
                            f"tf.train.Saver({{'{rename.key}': <variable {name}>}})", style="tfi.warn")
            parts.append(line)
        for name, graph, checkpoint in report.shape_mismatches:
            parts.append(Text(f"  shape of {name}: {shape_text(graph)} in the graph, {shape_text(checkpoint)} "
                              "in the checkpoint", style="tfi.error"))
        for name, graph, checkpoint in report.dtype_mismatches:
            parts.append(Text(f"  dtype of {name}: {graph} in the graph, {checkpoint} in the checkpoint",
                              style="tfi.error"))
        for key in report.unused:
            parts.append(Text(f"  not in the graph (left unused): {key}", style="tfi.dim"))
    return Group(*parts)
