"""``tfinspect subgraph SOURCE``: what a fetch really runs."""

from __future__ import annotations

import argparse
import sys

from tfinspect.readers import SOURCE_HELP
from tfinspect.render.formats import SubgraphFormat, choices
from tfinspect.commands.common import load_source, report_outcome
from tfinspect.commands.output import write_picture
from tfinspect.commands.options import add_capture_options
from tfinspect.core.errors import UsageError
from tfinspect.core.options import depth_value



def add_parser(commands) -> None:
    parser = commands.add_parser(
        "subgraph", help="show which ops a Session.run really executes, and which it skips",
        description="Session.run executes only what its fetches need: their ancestors through data and control "
                    "edges, cut where a tensor is fed. Show the ops that run, the fed tensors and the ops the "
                    "feeds cut off, and the graph's other ops that do not run, grouped by name scope.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--fetch", action="append", metavar="NAME[,NAME...]",
                        help="op or tensor names to fetch (default: the captured runs)")
    parser.add_argument("--feed", action="append", metavar="TENSOR", help="a fed tensor name (repeatable)")
    parser.add_argument("--run", type=int, metavar="K", help="the K-th captured Session.run (numbered from 0)")
    parser.add_argument("--graph", type=int, metavar="ID", help="which captured graph, for --fetch")
    parser.add_argument("--why", metavar="OP", help="explain why OP runs (the chain of edges) or why it does not")
    parser.add_argument("--depth", type=depth_value, default=None, metavar="N",
                        help="name-scope levels: groups in text (default 2); in pictures, scope levels drawn before a "
                             "scope collapses into one box (default: the deepest that fits 300 boxes; 0: every op)")
    parser.add_argument("--expand", action="append", metavar="SCOPE",
                        help="pictures: open this name scope (draw its children) whatever the depth; repeatable")
    parser.add_argument("--all", action="store_true", help="pictures: draw the whole graph, not only the subgraph")
    parser.add_argument("--format", default="text", choices=choices("subgraph"),
                        help="text, json, or a picture: dot, svg, png (through graphviz)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the picture here (required for png)")
    add_capture_options(parser)


def _split(values) -> list[str]:
    return [name.strip() for value in values or () for name in value.split(",") if name.strip()]


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.runs import distinct_runs, graph_with, index_of, plan_for_run, run_by_index
    from tfinspect.analyses.subgraph import plan, why

    if args.fetch and args.run is not None:
        raise UsageError("--fetch and --run choose the run two ways; give one")
    if args.format == "png" and not args.output:
        raise UsageError("--format png needs -o FILE")
    capture = load_source(args)
    fetches, feeds = _split(args.fetch), _split(args.feed)
    if fetches:
        graph = graph_with(capture, fetches + feeds, args.graph)
        plans = [plan(index_of(graph), fetches, feeds, graph=graph.id)]
        runs = [None]
    else:
        if feeds:
            raise UsageError("--feed goes with --fetch (a captured run has its own feeds)")
        if args.run is not None:
            chosen = [run_by_index(capture, args.run)]
        else:
            chosen = distinct_runs(capture)
            if not chosen and not capture.signatures:
                if not capture.outcome.ok:  # the script failed before any run: that is what to say
                    return report_outcome(capture, shown="no Session.run in the graph")
                raise UsageError("no Session.run was captured; name what to fetch with --fetch")
        if chosen:
            plans = [plan_for_run(capture, run) for run in chosen]
            runs = chosen
        else:  # a SavedModel: what each signature runs
            plans = [plan(index_of(capture.graph(s.graph)), [t.tensor for t in s.outputs],
                          [t.tensor for t in s.inputs], graph=s.graph, signature=s.name) for s in capture.signatures]
            runs = [None] * len(plans)
    answer = None
    if args.why:
        answer = why(index_of(capture.graph(plans[0].graph)), plans[0], args.why)
    RENDERERS[SubgraphFormat(args.format)](args, capture, plans, runs, answer)
    return report_outcome(capture)


def _json(args, capture, plans, runs, answer) -> None:
    from tfinspect.render.json import dump
    from tfinspect.render.subgraph import subgraph_json

    dump(subgraph_json(capture.source, plans, runs, answer), sys.stdout)


def _text(args, capture, plans, runs, answer) -> None:
    from rich.text import Text

    from tfinspect.render.subgraph import plan_view, print_renderable, why_view

    for number, (item, run) in enumerate(zip(plans, runs)):
        if number:
            print_renderable(Text(""))
        print_renderable(plan_view(item, run, depth=2 if args.depth is None else args.depth, sources=capture.graph(item.graph).sources))
    if answer is not None:
        print_renderable(Text(""))
        print_renderable(why_view(answer, capture.graph(plans[0].graph).sources))


def _picture(args, capture, plans, runs, answer) -> None:
    from tfinspect.analyses.runs import index_of
    from tfinspect.render.dot import to_dot

    if len(plans) > 1:  # one picture: the training step, the distinct run made most often (the last of equals)
        from collections import Counter

        made = Counter((r.graph, r.fetches, tuple(f.name for f in r.feeds)) for r in capture.runs)
        counts = [made[(r.graph, r.fetches, tuple(f.name for f in r.feeds))] if r is not None else 0 for r in runs]
        best = max(range(len(plans)), key=lambda i: (counts[i], i))
        plans, runs = [plans[best]], [runs[best]]
    item, run = plans[0], runs[0]
    where = f" at {run.source.short()}" if run is not None and run.source else ""
    title = f"{capture.source}: {run.noun if run is not None else 'run'} #{item.run_index}{where}" \
        if item.run_index is not None else \
        f"{capture.source}: signature {item.signature}" if item.signature else capture.source
    from tfinspect.analyses.collapse import check_expand

    index = index_of(capture.graph(item.graph))
    source = to_dot(index, item, depth=args.depth, whole_graph=args.all, title=title,
                    expand=check_expand(index, args.expand))
    write_picture(source, args.format, args.output, force=args.force, timeout=args.timeout)


# Each --format and what prints it: (args, capture, run plans, their runs, the --why answer) -> None.
RENDERERS = {SubgraphFormat.TEXT: _text, SubgraphFormat.JSON: _json, SubgraphFormat.DOT: _picture,
             SubgraphFormat.SVG: _picture, SubgraphFormat.PNG: _picture}
