"""Pictures of a graph with the graphviz package: name scopes as clusters.

Name scopes down to ``depth`` levels are clusters; a scope below them is one
box, with its op count (``--depth`` is chosen to fit a box budget unless given).
Three or more numbered sibling scopes of the same make-up (``tower_0..2``,
``h1..h20``) are one box ``tower_* x3``; a scope crowded with single ops groups
them by type; edges between boxes say how many tensors they carry. Data edges are solid, control edges dashed, and edges from ops
that mutate a variable (Assign*, ScatterAdd, ResourceApply*, ...) are drawn
from the op to the variable as reference edges. Ops that run are filled,
ops that do not are grey; fetches have a double border, fed tensors a
diamond.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field

import numpy as np

from tfinspect.analyses.subgraph import RunPlan
from tfinspect.core.errors import TfinspectError
from tfinspect.index.graphindex import GraphIndex
from tfinspect.core.optypes import is_mutating


RAN = {"style": "filled", "fillcolor": "#cfe8ff", "color": "#1f5f99"}
NOT_RUN = {"style": "dashed", "color": "#aaaaaa", "fontcolor": "#999999"}
FED = {"shape": "diamond", "style": "filled", "fillcolor": "#ffe9a8", "color": "#a67c00"}


BOX_BUDGET = 300  # boxes in a picture by default: readable, and graphviz lays it out in about a second
TOP_BOXES = -1  # a depth that draws each top-level scope as one box (when even depth 1 has too many)
MAX_AUTO_DEPTH = 3  # the deepest scope level an automatic depth opens
_SERIES = re.compile(r"^(.*?)(\d+)$")  # tower_0, h12, layer_3: one of a numbered series of scopes


@dataclass
class _Box:
    label: str
    scope: str  # cluster path this box sits in ("" for the top)
    ops: int = 0
    ran: int = 0
    fetched: bool = False
    op_type: str = ""
    kind: str = "op"  # "op" (one op), "scope" (a collapsed scope), "types" (a scope's ops of one type), "series"
    members: int = 1  # scopes a series box stands for


@dataclass
class _Picture:
    boxes: dict[str, _Box] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (source, target, kind) -> tensors
    depth: int = 0  # the depth drawn
    grouped: bool = False  # ops of a crowded scope were grouped by type, or numbered scopes into a series
    node_box: np.ndarray | None = None  # op -> its box's position in ``boxes`` (-1: not shown)


def _box_id(name: str, depth: int, expand: tuple[str, ...] = ()) -> tuple[str, str, bool]:
    """(box id, enclosing cluster path, collapsed?) of op ``name`` at ``depth``; a scope in ``expand`` is open
    (a cluster of its children) whatever the depth."""
    parts = name.split("/")
    for scope in expand:
        if name.startswith(scope + "/"):
            depth = max(depth, scope.count("/") + 1)
    if depth < 0 and len(parts) > 1:  # TOP_BOXES: every top-level scope is one box
        return parts[0] + "/*", "", True
    if depth > 0 and len(parts) - 1 > depth:  # the scope at level depth+1 is one box, in the cluster of level depth
        return "/".join(parts[:depth + 1]) + "/*", "/".join(parts[:depth]), True
    return name, "/".join(parts[:-1]), False


def _series(names: list[str], op_types: list[str], expand: tuple[str, ...] = ()) -> dict[str, str]:
    """Scope -> its series: three or more numbered sibling scopes (tower_0..tower_2, h1..h20) holding the same
    ops by type, as TensorBoard groups them. Inner series of a scope already in one are left to it."""
    contents: dict[str, dict[str, int]] = {}
    for name, op_type in zip(names, op_types):
        scope = name
        while "/" in scope:
            scope = scope.rpartition("/")[0]
            kinds = contents.setdefault(scope, {})
            kinds[op_type] = kinds.get(op_type, 0) + 1
    families: dict[tuple[str, str, tuple], list[str]] = {}
    for scope, kinds in contents.items():
        parent, _, leaf = scope.rpartition("/")
        match = _SERIES.match(leaf)
        if match:
            families.setdefault((parent, match.group(1), tuple(sorted(kinds.items()))), []).append(scope)
    series: dict[str, str] = {}
    largest: dict[tuple[str, str], int] = {}  # one series per name pattern: its largest family of equal scopes
    for (parent, prefix, _), members in families.items():
        largest[(parent, prefix)] = max(largest.get((parent, prefix), 0), len(members))
    for (parent, prefix, _), members in sorted(families.items(), key=lambda item: (item[0][0].count("/"),
                                                                                   -len(item[1]))):
        if len(members) < largest[(parent, prefix)] or any(series.get(m) for m in members):
            continue
        if largest[(parent, prefix)] == -1:
            continue
        opened = any(e == m or e.startswith(m + "/") for e in expand for m in members)
        if len(members) >= 3 and not opened and not any(parent == s or parent.startswith(s + "/") for s in series):
            largest[(parent, prefix)] = -1  # taken
            group = f"{parent + '/' if parent else ''}{prefix}*"
            for member in members:
                series[member] = group
    return series


def _in_series(name: str, series: dict[str, str]) -> tuple[str, str] | None:
    """(the series, the member scope) of op ``name``, or None."""
    scope = ""
    for part in name.split("/")[:-1]:
        scope = f"{scope}/{part}" if scope else part
        group = series.get(scope)
        if group is not None:
            return group, scope
    return None


def _count_boxes(names: list[str], depth: int, series: dict[str, str], expand: tuple[str, ...] = ()) -> int:
    boxes = set()
    for name in names:
        found = _in_series(name, series) if series else None
        boxes.add(found[0] if found is not None else _box_id(name, depth, expand)[0])
    return len(boxes)


def choose_depth(names: list[str], series: dict[str, str], budget: int = BOX_BUDGET,
                 expand: tuple[str, ...] = ()) -> int:
    """The deepest scope level (at most MAX_AUTO_DEPTH) whose picture has at most ``budget`` boxes (at least 1)."""
    for depth in range(MAX_AUTO_DEPTH, 0, -1):
        if _count_boxes(names, depth, series, expand) <= budget:
            return depth
    return TOP_BOXES


def _assign(names: list[str], op_types: list[str], depth: int, budget: int,
            series: dict[str, str], expand: tuple[str, ...] = ()) -> tuple[list[str], dict[str, int], bool]:
    """Each op's box id, the series boxes (id -> scopes), and whether ops were grouped by type.

    A scope in a series (``series``) is drawn as its series' one box ("tower_* x3"). Beyond ``depth``, a scope
    is one box. Where one scope still holds more single ops than its share of the budget (a flat graph, a scope
    of thousands of constants), its ops are grouped by type ("Const x312")."""
    ids, scopes, collapsed = [], [], []
    groups: dict[str, set[str]] = {}
    for name in names:
        found = _in_series(name, series) if series else None
        if found is not None:
            group, member = found
            ids.append(group + "/*")
            scopes.append(group.rpartition("/")[0])
            collapsed.append(True)
            groups.setdefault(group + "/*", set()).add(member)
            continue
        box_id, scope, is_collapsed = _box_id(name, depth, expand)
        ids.append(box_id)
        scopes.append(scope)
        collapsed.append(is_collapsed)
    grouped = False
    if len(set(ids)) > budget:
        singles: dict[str, int] = {}
        for scope, is_collapsed in zip(scopes, collapsed):
            if not is_collapsed:
                singles[scope] = singles.get(scope, 0) + 1
        crowded = {scope for scope, count in singles.items() if count > max(20, budget // 10)}
        if crowded:
            grouped = True
            for k, (scope, is_collapsed) in enumerate(zip(scopes, collapsed)):
                if not is_collapsed and scope in crowded:
                    ids[k] = f"{scope}/[{op_types[k]}]" if scope else f"[{op_types[k]}]"
    return ids, {group: len(members) for group, members in groups.items()}, grouped


def _layout(index: GraphIndex, plan: RunPlan | None, depth: int, show: np.ndarray,
            budget: int = BOX_BUDGET, auto: bool = False, expand: tuple[str, ...] = ()) -> _Picture:
    picture = _Picture(depth=depth)
    ran = plan.mask if plan is not None else np.zeros(len(index), dtype=bool)
    fetched = {f.split(":")[0].lstrip("^") for f in (plan.fetches if plan else ())}
    shown = np.flatnonzero(show)
    names = [index.names[i] for i in shown]
    types = [index.op_types[i] for i in shown]
    limit = budget if depth else 1 << 62
    series = _series(names, types, expand) if auto else {}
    ids, members, picture.grouped = _assign(names, types, depth, limit, series, expand)
    if not auto and len(set(ids)) > limit:  # an explicit depth past the budget: numbered scopes as series
        ids, members, picture.grouped = _assign(names, types, depth, limit, _series(names, types, expand), expand)
    number: dict[str, int] = {}
    box_of = np.full(len(index), -1, dtype=np.int64)
    for i, name, op_type, box_id in zip(shown.tolist(), names, types, ids):
        box = picture.boxes.get(box_id)
        if box is None:
            if box_id in members:
                prefix = box_id[:-2].rpartition("/")[2]
                box = _Box(f"{prefix} ×{members[box_id]}", box_id[:-2].rpartition("/")[0], kind="series",
                           members=members[box_id])
            elif box_id.endswith("]"):
                box = _Box("", box_id.rpartition("[")[0].rstrip("/"), op_type=op_type, kind="types")
            elif box_id.endswith("/*"):
                scope, _, leaf = box_id[:-2].rpartition("/")
                box = _Box(leaf + "/", scope, kind="scope")
            else:
                box = _Box(name.rpartition("/")[2], name.rpartition("/")[0], op_type=op_type)
            picture.boxes[box_id] = box
            number[box_id] = len(number)
        box.ops += 1
        box.ran += int(ran[i])
        box.fetched |= name in fetched
        box_of[i] = number[box_id]
    order = list(picture.boxes)
    picture.node_box = box_of
    producers = index.indices.astype(np.int64)
    consumers = index.edge_targets.astype(np.int64)
    valid = producers >= 0
    ports = index.src_output.astype(np.int64)
    fed_nodes = set()
    for tensor in (plan.fed if plan else ()):
        node, _, port_text = tensor.rpartition(":")
        if node in index.ids:
            fed_nodes.add((index.ids[node], int(port_text)))
    if fed_nodes:  # drawn from the fed marker instead
        for node, port in fed_nodes:
            valid &= ~((producers == node) & (ports == port))
    safe_producers = np.where(valid, producers, 0)
    source = np.where(valid, box_of[safe_producers], -1)
    target = box_of[consumers]
    keep = valid & (source >= 0) & (target >= 0) & (source != target)
    kind = np.where(ports < 0, 1, 0)  # 0 data, 1 control, 2 ref
    mutating = np.array([is_mutating(t) for t in index.op_types], dtype=bool)
    first_input = np.zeros(len(producers), dtype=bool)
    starts = index.indptr[:-1][np.diff(index.indptr) > 0]
    first_input[starts] = True
    ref = keep & (kind == 0) & (ports == 0) & first_input & mutating[consumers]
    source, target = np.where(ref, target, source), np.where(ref, source, target)  # the op writes the variable
    kind = np.where(ref, 2, kind)
    if keep.any():
        keys = np.stack([source[keep], target[keep], kind[keep]], axis=1)
        unique, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
        names_of_kind = ("data", "control", "ref")
        in_order = np.argsort(first, kind="stable")  # the graph's edge order, as dot lays them out
        for (s, t, k), c in zip(unique[in_order].tolist(), counts[in_order].tolist()):
            picture.edges[(order[s], order[t], names_of_kind[k])] = c
    return picture


def picture_size(index: GraphIndex, plan: RunPlan | None = None, *, depth: int | None = None,
                 whole_graph: bool = False, expand: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """(boxes, edges, depth) of the picture ``to_dot`` would draw."""
    show = _shown(index, plan, whole_graph)
    auto = depth is None
    depth = _depth(index, show, depth, expand)
    picture = _layout(index, plan, depth, show, auto=auto, expand=expand)
    return len(picture.boxes), len(picture.edges), depth


def _shown(index: GraphIndex, plan: RunPlan | None, whole_graph: bool) -> np.ndarray:
    if whole_graph or plan is None:
        return np.ones(len(index), dtype=bool)
    show = plan.mask.copy()
    for name in plan.cut_off:
        show[index.ids[name]] = True
    return show


def _depth(index: GraphIndex, show: np.ndarray, depth: int | None, expand: tuple[str, ...] = ()) -> int:
    """``depth`` as asked (0: every op), or chosen to fit the box budget."""
    if depth is not None:
        return depth
    shown = np.flatnonzero(show)
    names = [index.names[i] for i in shown]
    return choose_depth(names, _series(names, [index.op_types[i] for i in shown], expand), expand=expand)


def check_expand(index: GraphIndex, expand) -> tuple[str, ...]:
    """The scopes to open, each checked: a name scope of the graph (ArgumentError naming ``expand`` otherwise)."""
    from difflib import get_close_matches

    from tfinspect.core.errors import ArgumentError

    wanted = tuple(scope.strip("/") for scope in expand or ())
    if not wanted:
        return ()
    scopes = {name.rpartition("/")[0] for name in index.names}
    for name in list(scopes):
        while "/" in name:
            name = name.rpartition("/")[0]
            scopes.add(name)
    for scope in wanted:
        if scope not in scopes:
            near = get_close_matches(scope, sorted(s for s in scopes if s), n=3)
            raise ArgumentError("expand", f"{{name}} {scope!r}: no such name scope in the graph"
                                          + (f"; did you mean {', '.join(near)}?" if near else ""))
    return wanted


def to_dot(index: GraphIndex, plan: RunPlan | None = None, *, depth: int | None = None, whole_graph: bool = False,
           title: str = "", expand: tuple[str, ...] = ()) -> str:
    """The .dot text of the graph (or of ``plan``'s subgraph: what runs plus what the feeds cut off).

    ``depth`` None chooses the deepest scope level that fits the box budget; 0 draws every op."""
    import graphviz

    show = _shown(index, plan, whole_graph)
    auto = depth is None
    depth = _depth(index, show, depth, expand)
    picture = _layout(index, plan, depth, show, auto=auto, expand=expand)
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
        if box.kind == "types":
            label = f"{box.op_type} ×{box.ops}"
        elif box.kind == "series":
            label += f"\\n{box.ops} ops"
        elif box.op_type:
            label += f"\\n{box.op_type}"
        else:
            label += f"\\n{box.ops} op{'s' if box.ops > 1 else ''}"
        if plan is not None and box.kind != "op":
            label += f"\\n{box.ran} run"
        if box.fetched:
            attrs.update(peripheries="2", penwidth="2")
        container(box.scope).node(box_id, label=label, **attrs)
    fed_ids = {name: f"fed#{number}" for number, name in enumerate(sorted(fed_nodes))}  # ':' would mean a port
    for name, node_id in fed_ids.items():
        dot.node(node_id, label=f"{name}\\n(fed)", **FED)
    for (source, target, kind), count in picture.edges.items():
        many = {"label": f"×{count}", "fontsize": "8"} if count > 1 and (source.endswith(("*", "]")) or
                                                                         target.endswith(("*", "]"))) else {}
        if kind == "control":
            dot.edge(source, target, style="dashed", color="#777777", **many)
        elif kind == "ref":
            dot.edge(source, target, color="#e07b00", penwidth="1.5", label="ref" + (f" ×{count}" if many else ""),
                     fontsize="8")
        else:
            dot.edge(source, target, **many)
    if plan is not None:
        order = list(picture.boxes)
        box_ids = {i: order[b] for i, b in enumerate(picture.node_box.tolist()) if b >= 0}
        fed_edges: dict[tuple[str, str], None] = {}
        for k in np.flatnonzero(index.indices >= 0):
            producer = index.names[int(index.indices[k])]
            consumer = int(index.edge_targets[k])
            if producer in fed_nodes and plan.mask[consumer] and index.src_output[k] >= 0 and consumer in box_ids:
                fed_edges[(fed_ids[producer], box_ids[consumer])] = None
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
