"""``tfinspect graph SOURCE``."""

from __future__ import annotations

import argparse

from tfinspect.commands.common import emit, load_source, report_outcome
from tfinspect.commands.options import add_capture_options, add_format_option
from tfinspect.core.options import depth_value
from tfinspect.readers import SOURCE_HELP
from tfinspect.record.model import Capture


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "graph", help="run a model script and show the graphs it builds and the Session.run calls it makes",
        description="Run SOURCE (a Python script) in a separate process, capture every tf.Graph it builds "
                    "and every Session.run it makes, and show scopes, variables, placeholders and runs.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--depth", type=depth_value, default=3, metavar="N",
                        help="name-scope levels shown in the tree (default 3; 0: no limit)")
    parser.add_argument("--unused", action="store_true",
                        help="also list the ops that no captured Session.run executes, with their source lines")
    add_format_option(parser)
    add_capture_options(parser)


def show_graph(capture: Capture, args: argparse.Namespace) -> int:
    """Render ``capture`` as ``tfinspect graph`` does; returns the exit code."""
    from tfinspect.analyses.overview import overview

    view = overview(capture)
    unused = None
    if getattr(args, "unused", False):
        from tfinspect.analyses.runs import unused_ops

        unused = unused_ops(capture)
    def document():
        from tfinspect.render.graph import graph_json
        from tfinspect.render.subgraph import unused_json

        result = graph_json(view)
        if unused is not None:
            result["unused"] = unused_json(unused)
        return result

    def renderable():
        from rich.console import Group
        from rich.text import Text

        from tfinspect.render.subgraph import unused_view
        from tfinspect.render.graph import graph_view

        shown = graph_view(view, depth=args.depth or None)
        return shown if unused is None else Group(shown, Text(""), unused_view(unused))

    emit(args, document, renderable)
    return report_outcome(capture)


def run(args: argparse.Namespace) -> int:
    return show_graph(load_source(args), args)
