"""``tfinspect summary SOURCE``: op types, inputs and outputs, parameters, large constants, devices."""

from __future__ import annotations

import argparse

from tfinspect.readers import SOURCE_HELP
from tfinspect.commands.common import emit, load_source, report_outcome
from tfinspect.commands.options import add_capture_options, add_format_option


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "summary", help="what a graph is made of: op types, inputs, outputs, parameters, large constants",
        description="Summarize each graph of SOURCE: the op-type histogram, inputs (placeholders) and outputs "
                    "(nodes nothing consumes), variables with parameter counts, constants over 1 MiB (they live "
                    "in the GraphDef and make loading slow), control edges and devices. Reading a graph file "
                    "does not import TensorFlow.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--top", type=int, default=15, metavar="N", help="op types shown (default 15)")
    add_format_option(parser)
    add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.summary import graph_stats
    from tfinspect.render.summary import summary_json

    capture = load_source(args)
    stats = graph_stats(capture)

    def view():
        from tfinspect.render.summary import summary_view  # rich: only for people

        return summary_view(capture.source, stats, top=args.top)

    emit(args, lambda: summary_json(capture.source, stats), view)
    return report_outcome(capture)
