"""Pictures of a graph with the graphviz package: name scopes as clusters.

Ops deeper than ``depth`` levels of name scope are collapsed into one box for
their scope. Data edges are solid, control edges dashed, and edges from ops
that mutate a variable (Assign*, ScatterAdd, ResourceApply*, ...) are drawn
from the op to the variable as reference edges. Ops that run are filled,
ops that do not are grey; fetches have a double border, fed tensors a
diamond.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import numpy as np

from tfinspect.analyses.subgraph import RunPlan
from tfinspect.graphindex import GraphIndex
from tfinspect.optypes import is_mutating


RAN = {"style": "filled", "fillcolor": "#cfe8ff", "color": "#1f5f99"}
NOT_RUN = {"style": "dashed", "color": "#aaaaaa", "fontcolor": "#999999"}
FED = {"shape": "diamond", "style": "filled", "fillcolor": "#ffe9a8", "color": "#a67c00"}


@dataclass
class _Box:
    label: str
    scope: str  # cluster path this box sits in ("" for the top)
    ops: int = 0
    ran: int = 0
    fetched: bool = False
    op_type: str = ""


@dataclass
class _Picture:
    boxes: dict[str, _Box] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], None] = field(default_factory=dict)


def _box_id(name: str, depth: int) -> tuple[str, str, bool]:
    """(box id, enclosing cluster path, collapsed?) of op ``name`` at ``depth``."""
    parts = name.split("/")
    if depth and len(parts) - 1 > depth:
        scope = "/".join(parts[:depth])
        return scope + "/*", scope, True
    return name, "/".join(parts[:-1]), False


def _layout(index: GraphIndex, plan: RunPlan | None, depth: int, show: np.ndarray) -> _Picture:
    picture = _Picture()
    ran = plan.mask if plan is not None else np.zeros(len(index), dtype=bool)
    fetched = {f.split(":")[0].lstrip("^") for f in (plan.fetches if plan else ())}
    where: dict[int, str] = {}
    for i in np.flatnonzero(show):
        name = index.names[i]
        box_id, scope, collapsed = _box_id(name, depth)
        box = picture.boxes.get(box_id)
        if box is None:
            label = "…" if collapsed else name.rpartition("/")[2]
            box = picture.boxes[box_id] = _Box(label, scope, op_type="" if collapsed else index.op_types[i])
        box.ops += 1
        box.ran += int(ran[i])
        box.fetched |= name in fetched
        where[i] = box_id
    targets = index.edge_targets
    fed = set()
    for tensor in (plan.fed if plan else ()):
        node, _, port_text = tensor.rpartition(":")
        if node in index.ids:
            fed.add((index.ids[node], int(port_text)))
    for k in np.flatnonzero(index.indices >= 0):
        consumer, producer = int(targets[k]), int(index.indices[k])
        if consumer not in where or producer not in where or where[consumer] == where[producer]:
            continue
        port = int(index.src_output[k])
        if (producer, port) in fed:
            continue  # drawn from the fed marker instead
        kind = "control" if port < 0 else "data"
        source, target = where[producer], where[consumer]
        if kind == "data" and port == 0 and is_mutating(index.op_types[consumer]) and \
                k == index.indptr[consumer]:  # input 0 of a mutating op is the variable it changes
            kind, source, target = "ref", where[consumer], where[producer]
        picture.edges[(source, target, kind)] = None
    return picture


def to_dot(index: GraphIndex, plan: RunPlan | None = None, *, depth: int = 2, whole_graph: bool = False,
           title: str = "") -> str:
    """The .dot text of the graph (or of ``plan``'s subgraph: what runs plus what the feeds cut off)."""
    import graphviz

    if whole_graph or plan is None:
        show = np.ones(len(index), dtype=bool)
    else:
        show = plan.mask.copy()
        for name in plan.cut_off:
            show[index.ids[name]] = True
    picture = _layout(index, plan, depth, show)
    dot = graphviz.Digraph(name="tfinspect", graph_attr={"rankdir": "BT", "fontname": "Helvetica",
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

    fed_nodes = {f.split(":")[0] for f in (plan.fed if plan else ())}
    for box_id, box in picture.boxes.items():
        attrs = dict(RAN if box.ran else NOT_RUN) if plan is not None else {}
        label = box.label
        if box.op_type:
            label += f"\\n{box.op_type}"
        else:
            label = f"{box.ops} more ops" + (f"\\n{box.ran} run" if plan is not None else "")
        if box.fetched:
            attrs.update(peripheries="2", penwidth="2")
        container(box.scope).node(box_id, label=label, **attrs)
    fed_ids = {name: f"fed#{number}" for number, name in enumerate(sorted(fed_nodes))}  # ':' would mean a port
    for name, node_id in fed_ids.items():
        dot.node(node_id, label=f"{name}\\n(fed)", **FED)
    for (source, target, kind) in picture.edges:
        if kind == "control":
            dot.edge(source, target, style="dashed", color="#777777")
        elif kind == "ref":
            dot.edge(source, target, color="#e07b00", penwidth="1.5", label="ref", fontsize="8")
        else:
            dot.edge(source, target)
    if plan is not None:
        fed_edges: dict[tuple[str, str], None] = {}
        for k in np.flatnonzero(index.indices >= 0):
            producer = index.names[int(index.indices[k])]
            consumer = int(index.edge_targets[k])
            if producer in fed_nodes and plan.mask[consumer] and index.src_output[k] >= 0:
                fed_edges[(fed_ids[producer], _box_id(index.names[consumer], depth)[0])] = None
        for source, target in fed_edges:
            dot.edge(source, target, color="#a67c00")
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


def render(source: str, fmt: str) -> bytes:
    """Run graphviz's ``dot`` on ``source``; ``fmt`` is ``svg`` or ``png``."""
    import graphviz

    return graphviz.Source(source).pipe(format=fmt)
