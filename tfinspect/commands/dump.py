"""``tfinspect dump SOURCE``: write a graph out as pbtxt, json, pb, dot/svg, or a TensorBoard log directory."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from tfinspect.readers import SOURCE_HELP
from tfinspect.render.formats import DumpFormat, choices
from tfinspect.commands.common import load_source, report_outcome
from tfinspect.commands.output import write_output, write_picture
from tfinspect.commands.options import add_capture_options
from tfinspect.core.errors import UsageError
from tfinspect.core.options import depth_value



def add_parser(commands) -> None:
    parser = commands.add_parser(
        "dump", help="write a graph out: pbtxt, json, pb, a dot/svg picture, an interactive html page, or a "
                     "TensorBoard log directory",
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
    add_capture_options(parser)


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


@dataclass(frozen=True)
class _Job:
    """What a format writes from: the command's arguments, the capture, the graph, its index and the GraphDef
    (the whole graph, or the subgraph of --fetch)."""

    args: argparse.Namespace
    capture: object
    graph: object
    index: object
    graph_def: object
    fetches: tuple[str, ...]


def _pbtxt(job: _Job) -> bytes:
    from google.protobuf import text_format

    return text_format.MessageToString(job.graph_def).encode()


def _json(job: _Job) -> bytes:
    from google.protobuf import json_format

    return (json_format.MessageToJson(job.graph_def) + "\n").encode()


def _pb(job: _Job) -> bytes:
    return job.graph_def.SerializeToString()


def _drawn(job: _Job):
    """The index of what is drawn: the graph, or the subgraph of --fetch."""
    from tfinspect.index.graphindex import GraphIndex

    return GraphIndex.build(job.graph_def) if job.fetches else job.index


def _picture(job: _Job) -> None:
    """dot or svg: the collapse model's picture, through render/dot.py and graphviz (written by write_picture)."""
    from tfinspect.analyses.collapse import check_expand
    from tfinspect.render.dot import to_dot

    drawn = _drawn(job)
    source = to_dot(drawn, None, depth=job.args.depth, whole_graph=True, title=job.capture.source,
                    expand=check_expand(drawn, job.args.expand))
    write_picture(source, job.args.format, job.args.output, force=job.args.force, timeout=job.args.timeout)


def _html(job: _Job) -> bytes:
    """The interactive page: the graph, and (for the whole graph) which of the script's distinct runs executed
    each op."""
    from tfinspect.analyses.runs import distinct_runs, plan_for_run
    from tfinspect.render.html import MAX_RUNS, to_html

    capture, graph = job.capture, job.graph
    runs = [r for r in distinct_runs(capture) if r.graph == graph.id][:MAX_RUNS] if not job.fetches else []
    plans = [plan_for_run(capture, r) for r in runs]
    labels = [f"#{r.index}" + (f" {r.source.short()}" if r.source else "") for r in runs]
    return to_html(_drawn(job), title=capture.source, sources=graph.sources, runs=labels, plans=plans,
                   findings=_findings(capture, graph.id)).encode()


def _findings(capture, graph: int) -> list:
    """What check finds in the graph from what this capture holds: the page marks each finding on its op."""
    from tfinspect.checks import findings_at_hand

    return [finding for finding in findings_at_hand(capture) if finding.graph == graph]


# Each --format and what writes it: the bytes to write (to -o or stdout), or None where it wrote its output itself
# (pictures, through graphviz).
WRITERS = {DumpFormat.PBTXT: _pbtxt, DumpFormat.JSON: _json, DumpFormat.PB: _pb, DumpFormat.DOT: _picture,
           DumpFormat.SVG: _picture, DumpFormat.HTML: _html}


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.runs import graph_with, index_of
    from tfinspect.analyses.transform import strip_large_constants, subgraph_graph_def

    if args.format == "pb" and not args.output and not args.tensorboard:
        raise UsageError("--format pb writes binary: give -o FILE")
    capture = load_source(args, run_metadata=bool(args.tensorboard))
    fetches = tuple(n.strip() for value in args.fetch or () for n in value.split(",") if n.strip())
    graph = graph_with(capture, list(fetches), args.graph)
    index = index_of(graph)
    graph_def = subgraph_graph_def(graph.graph_def, index, list(fetches)) if fetches else graph.graph_def
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
    data = WRITERS[DumpFormat(args.format)](_Job(args, capture, graph, index, graph_def, fetches))
    if data is not None:
        if args.output:
            write_output(args.output, data, force=args.force)
        else:
            sys.stdout.write(data.decode())
    return report_outcome(capture)
