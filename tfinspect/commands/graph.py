"""``tfinspect graph SOURCE``."""

from __future__ import annotations

import argparse
import sys

from tfinspect.analyses.overview import overview
from tfinspect.load.model import Capture
from tfinspect.commands.common import load_source, report_outcome
from tfinspect.options import OutputFormat


def show_graph(capture: Capture, args: argparse.Namespace) -> int:
    """Render ``capture`` as ``tfinspect graph`` does; returns the exit code."""
    view = overview(capture)
    if OutputFormat.parse(args.format) is OutputFormat.JSON:
        from tfinspect.render.json import dump, graph_json

        dump(graph_json(view), sys.stdout)
    else:
        from tfinspect.render.text import print_graph

        print_graph(view, depth=args.depth or None)
    return report_outcome(capture)


def run_graph(args: argparse.Namespace) -> int:
    return show_graph(load_source(args), args)
