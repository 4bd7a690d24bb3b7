"""``tfinspect dump SOURCE``: write a graph out as pbtxt, json, pb, dot/svg, or a TensorBoard log directory."""

from __future__ import annotations

import argparse
import sys

from tfinspect.readers import SOURCE_HELP
from tfinspect.render.formats import DumpFormat, choices
from tfinspect.commands.common import EXIT_CLEAN, load_source, report_outcome
from tfinspect.commands.output import write_output, write_picture
from tfinspect.core.errors import UsageError
from tfinspect.core.options import depth_value



def add_parser(commands, options) -> None:
    parser = commands.add_parser(
        "dump", help="write a graph out: pbtxt, json, pb, dot/svg, or a TensorBoard log directory",
        description="Write the GraphDef of SOURCE (a script's captured graph, or any graph file) in another "
                    "form. Outputs are written atomically and never over an existing file without --force.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--format", default="pbtxt", choices=choices("dump"),
                        help="output format (default pbtxt): the GraphDef as pbtxt, json or pb; a picture as dot or "
                             "svg; html, one interactive page (open scopes, search ops, click for details)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout; required for pb)")
    parser.add_argument("--fetch", action="append", metavar="NAME[,NAME...]",
                        help="only the subgraph these fetches run")
    parser.add_argument("--graph", type=int, metavar="ID", help="which captured graph (default: the first)")
    parser.add_argument("--strip-large-constants", type=int, metavar="BYTES",
                        help="empty the values of constants larger than BYTES (shape and dtype stay)")
    parser.add_argument("--tensorboard", metavar="LOGDIR",
                        help="write an events file into LOGDIR for `tensorboard --logdir`: the graph, and for a "
                             "script the RunMetadata (step stats, devices, memory) of the first 5 runs of each "
                             "Session.run line, listed under 'Session runs' in TensorBoard's graph view")
    parser.add_argument("--depth", type=depth_value, default=None, metavar="N",
                        help="dot/svg: scope levels drawn before a scope collapses into one box (default: the deepest "
                             "that fits 300 boxes; 0: every op, which graphviz may take very long to draw)")
    parser.add_argument("--expand", action="append", metavar="SCOPE",
                        help="dot/svg: open this name scope (draw its children) whatever the depth; repeatable")
    options.add_capture_options(parser)


def _run_metadata(capture, graph: int) -> list[tuple[str, int, bytes]]:
    """(tag, step, RunMetadata) of every run of ``graph`` whose metadata the capture kept."""
    import os

    found = []
    for run in capture.runs:
        data = capture.run_metadata(run) if run.graph == graph else None
        if data is not None:
            where = f" ({os.path.basename(run.source.file)}:{run.source.line})" if run.source else ""
            found.append((f"run {run.index}{where}", run.index, data))
    return found


def _pbtxt(graph_def) -> bytes:
    from google.protobuf import text_format

    return text_format.MessageToString(graph_def).encode()


def _json(graph_def) -> bytes:
    from google.protobuf import json_format

    return (json_format.MessageToJson(graph_def) + "\n").encode()


def _pb(graph_def) -> bytes:
    return graph_def.SerializeToString()


# Each --format that writes the GraphDef itself: GraphDef -> bytes. The pictures (dot, svg) go through
# render/dot.py and graphviz; html (an interactive page) through render/html.py.
SERIALIZERS = {DumpFormat.PBTXT: _pbtxt, DumpFormat.JSON: _json, DumpFormat.PB: _pb}


def _html(capture, graph, index, whole: bool) -> str:
    """The interactive page: the graph, and (for the whole graph) which of the script's distinct runs executed
    each op."""
    from tfinspect.analyses.runs import distinct_runs, plan_for_run
    from tfinspect.render.html import MAX_RUNS, to_html

    runs = [r for r in distinct_runs(capture) if r.graph == graph.id][:MAX_RUNS] if whole else []
    plans = [plan_for_run(capture, r) for r in runs]
    labels = [f"#{r.index}" + (f" {r.source.short()}" if r.source else "") for r in runs]
    return to_html(index, title=capture.source, sources=graph.sources, runs=labels, plans=plans)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.runs import graph_with, index_of
    from tfinspect.analyses.transform import strip_large_constants, subgraph_graph_def

    if args.format == "pb" and not args.output and not args.tensorboard:
        raise UsageError("--format pb writes binary: give -o FILE")
    capture = load_source(args, run_metadata=bool(args.tensorboard))
    fetches = [n.strip() for value in args.fetch or () for n in value.split(",") if n.strip()]
    graph = graph_with(capture, fetches, args.graph)
    index = index_of(graph)
    graph_def = subgraph_graph_def(graph.graph_def, index, fetches) if fetches else graph.graph_def
    if args.strip_large_constants is not None:
        from tensorboard.compat.proto.graph_pb2 import GraphDef

        copy = GraphDef()
        copy.CopyFrom(graph_def)
        graph_def = copy
        stripped = strip_large_constants(graph_def, args.strip_large_constants)
        print(f"tfinspect: emptied {stripped} constant(s) over {args.strip_large_constants} bytes", file=sys.stderr)
    if args.tensorboard:
        from tfinspect.readers.events import write_graph_event

        runs = _run_metadata(capture, graph.id)
        write_graph_event(args.tensorboard, graph_def, runs)
        what = f"the graph and {len(runs)} session run(s)" if runs else "the graph"
        if not runs and capture.directory is None:
            what += " (a graph file holds no run metadata)"
        print(f"tfinspect: wrote {what} to {args.tensorboard}; view it with: tensorboard --logdir "
              f"{args.tensorboard}", file=sys.stderr)
        if not args.output:
            return report_outcome(capture)
    fmt = DumpFormat(args.format)
    if fmt in (DumpFormat.DOT, DumpFormat.SVG):
        from tfinspect.index.graphindex import GraphIndex
        from tfinspect.analyses.collapse import check_expand
        from tfinspect.render.dot import to_dot

        drawn = GraphIndex.build(graph_def) if fetches else index
        source = to_dot(drawn, None, depth=args.depth, whole_graph=True, title=capture.source,
                        expand=check_expand(drawn, args.expand))
        write_picture(source, args.format, args.output, force=args.force, timeout=args.timeout)
        return report_outcome(capture)
    if fmt is DumpFormat.HTML:
        from tfinspect.index.graphindex import GraphIndex

        data = _html(capture, graph, GraphIndex.build(graph_def) if fetches else index, whole=not fetches).encode()
    else:
        data = SERIALIZERS[fmt](graph_def)
    if args.output:
        write_output(args.output, data, force=args.force)
    else:
        sys.stdout.write(data.decode())
    outcome = report_outcome(capture)
    return outcome if outcome != EXIT_CLEAN else EXIT_CLEAN
