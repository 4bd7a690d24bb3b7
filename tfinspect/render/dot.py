"""Pictures of a graph with the graphviz package: the collapse model's picture, open scopes as clusters.

What is one box (a scope below the chosen depth, a series ``tower_* ×3``, a type group ``Const ×312``) and
which edges are drawn is decided by ``analyses.collapse``; this module only writes it as dot and runs
graphviz. Edges between boxes say how many tensors they carry. Data edges are solid, control edges dashed,
and edges from ops that mutate a variable (Assign*, ScatterAdd, ResourceApply*, ...) are drawn from the op
to the variable as reference edges. Ops that run are filled, ops that do not are grey; fetches have a
double border, fed tensors a diamond.
"""

from __future__ import annotations

import shutil
import subprocess

from tfinspect.analyses.collapse import BOX_BUDGET, Picture, picture
from tfinspect.analyses.subgraph import RunPlan
from tfinspect.core.errors import TfinspectError
from tfinspect.index.graphindex import GraphIndex


RAN = {"style": "filled", "fillcolor": "#cfe8ff", "color": "#1f5f99"}
NOT_RUN = {"style": "dashed", "color": "#aaaaaa", "fontcolor": "#999999"}
FED = {"shape": "diamond", "style": "filled", "fillcolor": "#ffe9a8", "color": "#a67c00"}


def to_dot(index: GraphIndex, plan: RunPlan | None = None, *, depth: int | None = None, whole_graph: bool = False,
           title: str = "", expand: tuple[str, ...] = (), marks: dict[str, str] | None = None) -> str:
    """The .dot text of the graph (or of ``plan``'s subgraph: what runs plus what the feeds cut off), drawn from
    the collapse model (``analyses.collapse``).

    ``depth`` None chooses the deepest scope level that fits the box budget; 0 draws every op. ``marks`` (op name
    -> "added", "changed", "renamed": what ``diff`` found) colours the boxes holding such ops."""
    drawn = picture(index, plan, depth=depth, whole_graph=whole_graph, expand=expand)
    tally: dict[int, dict[str, int]] = {}
    for name, kind in (marks or {}).items():
        op = index.ids.get(name)
        box = int(drawn.op_box[op]) if op is not None else -1
        if box >= 0:
            tally.setdefault(box, {}).setdefault(kind, 0)
            tally[box][kind] += 1
    return dot_source(drawn, plan is not None, title, tally)


MARKED = {"added": {"style": "filled", "fillcolor": "#d7f5d7", "color": "#2e7d32", "penwidth": "2"},
          "changed": {"style": "filled", "fillcolor": "#ffe3c2", "color": "#d35400", "penwidth": "2"},
          "renamed": {"style": "filled", "fillcolor": "#e8e8f8", "color": "#5c6bc0"}}


def dot_source(drawn: Picture, with_runs: bool = False, title: str = "",
               marks: dict[int, dict[str, int]] | None = None) -> str:
    """The .dot text of a picture: open scopes as clusters, boxes, edges with their tensor counts; ``marks``
    (box position -> {kind: ops}) colours boxes holding added, changed or renamed ops."""
    import graphviz

    if drawn.edges_left_out:
        title += (f"{chr(10) if title else ''}{drawn.edges_left_out:,} more edges between boxes "
                  f"({drawn.tensors_left_out:,} tensors) not drawn: the {len(drawn.edges):,} heaviest are")
    # newrank: ranks across clusters at once (without it, dot fails on some graphs with "trouble in init_rank")
    dot = graphviz.Digraph(name="tfinspect", graph_attr={"rankdir": "BT", "newrank": "true", "fontname": "Helvetica",
                                                          "label": title, "labelloc": "t"},
                           node_attr={"shape": "box", "fontname": "Helvetica", "fontsize": "10"},
                           edge_attr={"arrowsize": "0.6"})
    clusters: dict[str, graphviz.Digraph] = {}

    def container(path: str) -> graphviz.Digraph:
        if not path:
            return dot
        if path not in clusters:
            cluster = graphviz.Digraph(name=f"cluster_{path}",
                                       graph_attr={"label": path.rpartition("/")[2] + "/", "style": "rounded",
                                                   "color": "#888888", "fontcolor": "#555555"})
            clusters[path] = cluster
        return clusters[path]

    for number, box in enumerate(drawn.boxes):
        attrs = dict(RAN if box.ran else NOT_RUN) if with_runs else {}
        marked = (marks or {}).get(number)
        if box.kind == "types":
            label = f"{box.op_type} ×{box.ops}"
        elif box.kind == "series":
            label = f"{box.label}\\n{box.ops} ops"
        elif box.kind == "op":
            label = f"{box.label}\\n{box.op_type}"
        else:
            label = f"{box.label}\\n{box.ops} op{'s' if box.ops > 1 else ''}"
        if with_runs and box.kind != "op":
            label += f"\\n{box.ran} run"
        if box.fetched:
            attrs.update(peripheries="2", penwidth="2")
        if marked:
            kind = next(k for k in ("added", "changed", "renamed") if k in marked)
            attrs.update(MARKED[kind])
            if box.kind != "op":
                label += "\\n" + " ".join(f"{k} {n}" for k, n in marked.items())
            elif box.kind == "op":
                label += f"\\n({kind})"
        container(box.scope).node(box.id, label=label, **attrs)
    fed_ids = {name: f"fed#{number}" for number, name in enumerate(sorted({name for name, _ in drawn.fed}))}
    for name, node_id in fed_ids.items():  # ':' in an id would mean a port
        dot.node(node_id, label=f"{name}\\n(fed)", **FED)
    ids = [box.id for box in drawn.boxes]
    for edge in drawn.edges:
        source, target = ids[edge.source], ids[edge.target]
        many = {"label": f"×{edge.count}", "fontsize": "8"} if edge.count > 1 and (
            drawn.boxes[edge.source].kind != "op" or drawn.boxes[edge.target].kind != "op") else {}
        if edge.kind == "control":
            dot.edge(source, target, style="dashed", color="#777777", **many)
        elif edge.kind == "ref":
            dot.edge(source, target, color="#e07b00", penwidth="1.5", label="ref" + (f" ×{edge.count}" if many else ""),
                     fontsize="8")
        else:
            dot.edge(source, target, **many)
    for name, box in drawn.fed:
        dot.edge(fed_ids[name], ids[box], color="#a67c00")
    # Nest clusters into their parents, deepest first (a subgraph is copied when added).
    for path in list(clusters):
        while "/" in path:
            path = path.rpartition("/")[0]
            container(path)
    for path in sorted(clusters, key=lambda p: -p.count("/")):
        container(path.rpartition("/")[0]).subgraph(clusters[path])
    return dot.source


def dot_available() -> bool:
    return shutil.which("dot") is not None


LARGE_PICTURE = 2000  # boxes beyond which dot's layout takes minutes (it grows faster than the square)


class DotError(TfinspectError):
    """graphviz's dot failed, or did not finish within the timeout."""


PROGRESS_EVERY = 10.0  # seconds between "still drawing" lines while dot works


def render(source: str, fmt: str, *, timeout: float | None = None) -> bytes:
    """Run graphviz's ``dot`` on ``source`` (``fmt`` is ``svg`` or ``png``), killed after ``timeout`` seconds;
    a line on stderr every PROGRESS_EVERY seconds says it is still drawing."""
    import sys
    import time

    boxes = source.count("\n\t") - source.count(" -> ")  # statements that are not edges: about the boxes
    if boxes > LARGE_PICTURE:
        print(f"tfinspect: graphviz's dot is drawing about {boxes:,} boxes; this can take minutes "
              f"({'stopped after ' + format(timeout, 'g') + ' s' if timeout else 'no --timeout'}; without --depth, "
              f"pictures collapse scopes to fit {BOX_BUDGET} boxes)", file=sys.stderr, flush=True)
    process = subprocess.Popen(["dot", f"-T{fmt}"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    started = time.monotonic()
    data: bytes | None = source.encode()
    while True:
        elapsed = time.monotonic() - started
        wait = PROGRESS_EVERY if timeout is None else max(0.0, min(PROGRESS_EVERY, timeout - elapsed))
        try:
            out, err = process.communicate(input=data, timeout=wait)
            break
        except subprocess.TimeoutExpired:
            data = None  # sent already: a retry goes on with the same input
            elapsed = time.monotonic() - started
            if timeout is not None and elapsed >= timeout:
                process.kill()
                process.communicate()
                raise DotError(f"graphviz's dot did not finish drawing in {timeout:g} s (about {boxes:,} boxes); "
                               "draw fewer with a smaller --depth (or leave --depth out), or allow more with "
                               "--timeout") from None
            print(f"tfinspect: graphviz's dot is still drawing ({elapsed:.0f} s)", file=sys.stderr, flush=True)
    if process.returncode != 0:
        raise DotError(f"graphviz's dot failed: {err.decode(errors='replace').strip()[:300]}")
    return out
