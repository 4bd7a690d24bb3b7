"""``tfinspect ckpt CKPT [--against SOURCE]``: a checkpoint's variables, and what restore would do."""

from __future__ import annotations

import argparse

from tfinspect.commands.common import EXIT_CLEAN, EXIT_FINDINGS, emit, load_source, report_outcome
from tfinspect.commands.options import add_capture_options, add_format_option


def add_parser(commands) -> None:
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
    add_format_option(parser)
    add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.restore import compare, saved_variables
    from tfinspect.readers.checkpoints import read_checkpoint
    from tfinspect.render.ckpt import checkpoint_view, ckpt_json

    prefix, entries = read_checkpoint(args.checkpoint)
    report = capture = None
    if args.against:
        args.source = args.against
        capture = load_source(args)
        report = compare(entries, saved_variables(capture))
    emit(args, lambda: ckpt_json(prefix, entries, report), lambda: checkpoint_view(prefix, entries, report))
    if capture is not None:
        report_outcome(capture)
    return EXIT_CLEAN if report is None or report.ok else EXIT_FINDINGS
