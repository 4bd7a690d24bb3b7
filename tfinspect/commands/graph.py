"""``tfinspect graph SOURCE``."""

from __future__ import annotations

import argparse

from tfinspect.record.model import Capture
from tfinspect.commands.common import emit, load_source, report_outcome


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


def run_graph(args: argparse.Namespace) -> int:
    return show_graph(load_source(args), args)
