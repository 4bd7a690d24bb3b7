"""``tfinspect graph SOURCE``."""

from __future__ import annotations

import argparse
import sys

from tfinspect.load.model import Capture
from tfinspect.commands.common import load_source, report_outcome
from tfinspect.options import OutputFormat


def show_graph(capture: Capture, args: argparse.Namespace) -> int:
    """Render ``capture`` as ``tfinspect graph`` does; returns the exit code."""
    from tfinspect.analyses.overview import overview

    view = overview(capture)
    unused = None
    if getattr(args, "unused", False):
        from tfinspect.analyses.runs import unused_ops

        unused = unused_ops(capture)
    if OutputFormat.parse(args.format) is OutputFormat.JSON:
        from tfinspect.render.json import dump, graph_json, unused_json

        document = graph_json(view)
        if unused is not None:
            document["unused"] = unused_json(unused)
        dump(document, sys.stdout)
    else:
        from tfinspect.render.text import print_graph

        print_graph(view, depth=args.depth or None)
        if unused is not None:
            from rich.text import Text

            from tfinspect.render.subgraph_text import print_renderable, unused_view

            print_renderable(Text(""))
            print_renderable(unused_view(unused, depth=args.depth or 3, sources_by_graph=None))
    return report_outcome(capture)


def run_graph(args: argparse.Namespace) -> int:
    return show_graph(load_source(args), args)
