"""``tfinspect scopes SOURCE``: name scopes against variable scopes, with explanations."""

from __future__ import annotations

import argparse

from tfinspect.readers import SOURCE_HELP
from tfinspect.commands.common import emit, load_source, report_outcome
from tfinspect.commands.options import add_capture_options, add_format_option
from tfinspect.core.options import depth_value


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "scopes", help="name scopes vs variable scopes: where each variable and op landed, and why",
        description="For every variable: the name scope and variable scope it was created in, whether "
                    "get_variable created or reused it (and where), its final name and line; for every op its "
                    "name scope. Explains the cases that confuse: get_variable ignoring name scopes, reuse "
                    "that lands ops in a new name scope, tf.Variable making a second set, names uniquified "
                    "ignoring case, and 'Variable X already exists'.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--diff", action="store_true", help="show the name-scope and variable-scope trees side by side")
    parser.add_argument("--depth", type=depth_value, default=3, metavar="N", help="tree levels shown (default 3; 0: all)")
    add_format_option(parser)
    add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.scopes import scope_report
    from tfinspect.render.scopes import scopes_json, scopes_view
    from tfinspect.render.formatting import with_tf2_note

    capture = load_source(args)
    report = scope_report(capture)
    emit(args, lambda: scopes_json(capture.source, report),
         lambda: with_tf2_note(capture, scopes_view(report, diff=args.diff, depth=args.depth or None),
                               "TF2 has no variable scopes (tf.compat.v1 has): shown are the name scopes inside each "
                               "traced tf.function and the variables by owner path"))
    return report_outcome(capture)
