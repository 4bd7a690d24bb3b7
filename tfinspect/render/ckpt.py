"""``tfinspect ckpt``: a checkpoint's variables, and what restore would do; human view and JSON."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.text import Text

from tfinspect.render.formatting import shape_text, size_text
from tfinspect.render.formatting import shape_json
from tfinspect.render.json import SCHEMA_VERSION
from typing import Any
from tfinspect.render.theme import titled_table


def checkpoint_view(prefix, entries, report) -> RenderableType:
    table = titled_table(Text(f"Checkpoint {prefix}"))
    for column in ("name", "shape", "dtype", "size"):
        table.add_column(column, justify="right" if column == "size" else "left")
    total = 0
    for e in entries:
        size = e.bytes
        total += size
        table.add_row(Text(e.name, style="tfi.name"), shape_text(e.shape), e.dtype, size_text(size))
    parts = [table, Text(f"{len(entries)} variables, {size_text(total)}", style="tfi.count")]
    if report is not None:
        parts.append(Text(""))
        call = "checkpoint.restore" if report.object_based else "saver.restore"
        if report.ok:
            restored = len(report.matched)
            parts.append(Text(f"{call} would restore {'all ' if not report.missing else ''}{restored} variables",
                              style="tfi.ok"))
        else:
            parts.append(Text(f"{call} would fail:", style="tfi.error"))
        for name in report.missing:
            if report.object_based:  # tf.train.Checkpoint restores what it has; the rest keeps its initial value
                parts.append(Text(f"  not in the checkpoint (keeps its initial value; status.assert_consumed() "
                                  f"would raise): {name}", style="tfi.warn"))
                continue
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


def ckpt_json(prefix: str, entries, report) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "command": "ckpt", "checkpoint": prefix,
        "variables": [{"name": e.name, "key": e.key or None, "shape": list(e.shape), "dtype": e.dtype,
                       "bytes": e.bytes} for e in entries],
    }
    if report is not None:
        document["restore"] = {
            "ok": report.ok, "object_based": report.object_based, "matched": list(report.matched),
            "missing": list(report.missing),
            "unused": list(report.unused),
            "shape_mismatches": [{"name": n, "graph": shape_json(g), "checkpoint": list(c)}
                                 for n, g, c in report.shape_mismatches],
            "dtype_mismatches": [{"name": n, "graph": g, "checkpoint": c} for n, g, c in report.dtype_mismatches],
            "renames": [{"variable": r.variable, "key": r.key, "why": r.why} for r in report.renames],
        }
    return document
