"""The collapse model of every picture: what is one box, computed once, drawn by dot, the HTML page and the text tree.

A graph of thousands of ops is shown as a few hundred boxes, the way TensorBoard's graph dashboard does it:

- the **hierarchy** (:func:`hierarchy`): name scopes nest (an op named as a scope, the variable ``w`` beside
  ``w/read``, sits in it); three or more numbered sibling scopes of the same
  make-up (the same ops by type: ``tower_0..tower_2``, ``h1..h20``) form a **series**, one node ``h* ×20``
  above its members; the single ops of a scope crowded with more than ``CROWDED`` of them form **type groups**
  (``Const ×312``), one node per op type. It depends only on the ops shown, never on what is open.
- a **cut** (:func:`choose_cut`): which nodes are open. A closed node whose ancestors are all open is one box;
  an open scope is a container of its children; an open series or type group stands aside for its members.
  Without a depth, the deepest scope level up to ``MAX_AUTO_DEPTH`` that fits ``BOX_BUDGET`` boxes is open,
  series are closed, and type groups close when the picture is still over budget.
- the **picture** (:func:`picture`): the boxes of a cut, what each holds (ops, ops a run executed, fetches),
  and the edges between boxes, parallel tensors merged into one edge with a count, at most ``EDGE_BUDGET``
  of them (the heaviest; the rest counted, for the caption), so that laying a picture out is bounded by the
  budgets, not by the graph's connectivity.

Renderers draw a picture, or (the HTML page) the hierarchy and a cut, and re-derive none of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from tfinspect.core.errors import ArgumentError
from tfinspect.core.optypes import is_mutating

BOX_BUDGET = 300  # boxes in a picture by default: readable, and graphviz lays it out in about a second
OVERVIEW_BUDGET = 40  # boxes of the interactive page's first view: the top scopes, to be opened by a click
EDGE_BUDGET = BOX_BUDGET  # edges between boxes a picture keeps (the heaviest): dot lays 300 out in seconds
MAX_AUTO_DEPTH = 3  # the deepest scope level an automatic depth opens
TOP_BOXES = -1  # a depth that draws each top-level scope as one box (when even depth 1 has too many)
CROWDED = max(20, BOX_BUDGET // 10)  # single ops in one scope past which they are grouped by type
_NUMBERED = re.compile(r"^(.*?)(\d+)$")  # tower_0, h12, layer_3: one of a numbered series of scopes

SCOPE, SERIES, TYPES = 0, 1, 2  # kinds of hierarchy node (ops are not nodes: each op has a parent node)
EDGE_KINDS = ("data", "control", "ref")


@dataclass(frozen=True, eq=False)
class Hierarchy:
    """The nodes above the ops: node 0 is the graph; parents come before their children in ``order``."""

    kind: np.ndarray  # int8 per node: SCOPE, SERIES or TYPES
    parent: np.ndarray  # int64 per node (-1 for the graph)
    path: tuple[str, ...]  # scope: its path ("" the graph); series: "parent/prefix*"; type group: "scope/[Type]"
    label: tuple[str, ...]  # scope: its last name; series: its prefix; type group: the op type
    level: np.ndarray  # scope level (the graph 0, a top-level scope 1); a series: its members'; a type group: its scope's
    scope: tuple[str, ...]  # the path of the nearest scope above the node: where it is drawn when it is a box
    ops: np.ndarray  # ops at or below the node
    members: np.ndarray  # a series: its member scopes; else 0
    children: tuple[tuple[int, ...], ...]  # child nodes, by their first op
    order: np.ndarray  # every node, parents first
    tree_depth: np.ndarray  # steps from the graph node
    op_parent: np.ndarray  # per op (position in the names given): the node it sits in
    op_scope: np.ndarray  # per op: its scope node

    def __len__(self) -> int:
        return len(self.kind)

    def series(self) -> list[tuple[str, int, int]]:
        """Every series as (path, members, ops each), in order."""
        return [(self.path[n], int(self.members[n]), int(self.ops[n]) // max(1, int(self.members[n])))
                for n in self.order.tolist() if self.kind[n] == SERIES]

    def series_of(self) -> dict[str, tuple[str, int]]:
        """Member scope path -> (its series' label ``prefix*``, members)."""
        found = {}
        for n in np.flatnonzero(self.kind == SERIES).tolist():
            for child in self.children[n]:
                found[self.path[child]] = (self.label[n] + "*", int(self.members[n]))
        return found


def hierarchy(names: Sequence[str], op_types: Sequence[str]) -> Hierarchy:
    """The scopes, series and type groups above ``names`` (op names, with their ``op_types``)."""
    count = len(names)
    scope_paths = [name.rpartition("/")[0] for name in names]
    ids: dict[str, int] = {"": 0}
    paths: list[str] = [""]
    parents: list[int] = [-1]
    for path in dict.fromkeys(scope_paths):  # first appearance; a scope's ancestors before it
        if path in ids:
            continue
        missing = []
        while path not in ids:
            missing.append(path)
            path = path.rpartition("/")[0]
        for scope in reversed(missing):
            parents.append(ids[scope.rpartition("/")[0]])
            ids[scope] = len(paths)
            paths.append(scope)
    scopes = len(paths)
    # an op named as a scope ("w" beside "w/Assign", "w/read") sits in that scope, as TensorBoard draws a variable
    op_scope = np.fromiter((ids.get(name, ids[p]) for name, p in zip(names, scope_paths)), dtype=np.int64,
                           count=count)
    type_ids: dict[str, int] = {}
    op_type = np.fromiter((type_ids.setdefault(t, len(type_ids)) for t in op_types), dtype=np.int64, count=count)
    type_names = list(type_ids)
    scope_parent = np.asarray(parents, dtype=np.int64)
    arange = np.arange(count, dtype=np.int64)

    # ops and first op of every scope's subtree (children have higher ids than their parents)
    direct = np.bincount(op_scope, minlength=scopes)
    subtree = direct.astype(np.int64).copy()
    first = np.full(scopes, count, dtype=np.int64)
    np.minimum.at(first, op_scope, arange)
    for s in range(scopes - 1, 0, -1):
        p = parents[s]
        subtree[p] += subtree[s]
        first[p] = min(first[p], first[s])

    # series: the make-up (ops by type, at any depth) of each numbered scope
    leaves = [path.rpartition("/")[2] for path in paths]
    numbered = {s: m.group(1) for s in range(1, scopes) if (m := _NUMBERED.match(leaves[s]))}
    series_nodes: list[tuple[int, str, list[int]]] = []  # (parent scope, prefix, members)
    if len(numbered) >= 3:
        width = max(1, len(type_names))
        keys, counts = np.unique(op_scope * width + op_type, return_counts=True)
        makeup: list[dict[int, int] | None] = [None] * scopes
        for key, n in zip(keys.tolist(), counts.tolist()):
            s = key // width
            if makeup[s] is None:
                makeup[s] = {}
            makeup[s][key % width] = n
        signature: dict[int, tuple] = {}
        for s in range(scopes - 1, 0, -1):
            own = makeup[s]
            if s in numbered:
                signature[s] = tuple(sorted(own.items())) if own else ()
            if own:
                above = makeup[parents[s]]
                if above is None:
                    makeup[parents[s]] = dict(own)
                else:
                    for t, n in own.items():
                        above[t] = above.get(t, 0) + n
        families: dict[tuple[int, str], dict[tuple, list[int]]] = {}
        for s in sorted(numbered, key=lambda s: first[s]):
            families.setdefault((parents[s], numbered[s]), {}).setdefault(signature[s], []).append(s)
        for (parent, prefix), kinds in families.items():
            members = max(kinds.values(), key=len)  # the largest family of equal scopes (the first of equals)
            if len(members) >= 3:
                series_nodes.append((parent, prefix, members))

    # nodes: scopes, then series, then type groups
    kind = [SCOPE] * scopes
    node_parent = list(parents)
    node_path = list(paths)
    node_label = leaves
    node_level = [0] + [path.count("/") + 1 for path in paths[1:]]
    node_ops = subtree.tolist()
    node_first = first.tolist()
    node_members = [0] * scopes
    for parent, prefix, members in series_nodes:
        node = len(kind)
        kind.append(SERIES)
        node_parent.append(parent)
        node_path.append(f"{paths[parent]}/{prefix}*" if parent else f"{prefix}*")
        node_label.append(prefix)
        node_level.append(node_level[members[0]])
        node_ops.append(int(sum(node_ops[m] for m in members)))
        node_first.append(min(node_first[m] for m in members))
        node_members.append(len(members))
        for m in members:
            node_parent[m] = node
    op_parent = op_scope.copy()
    crowded = np.flatnonzero(direct > CROWDED)
    if len(crowded):
        in_crowded = np.isin(op_scope, crowded)
        width = max(1, len(type_names))
        keys = op_scope[in_crowded] * width + op_type[in_crowded]
        unique, first_at, inverse = np.unique(keys, return_index=True, return_inverse=True)
        by_appearance = np.argsort(first_at, kind="stable")
        node_of = np.empty(len(unique), dtype=np.int64)
        positions = np.flatnonzero(in_crowded)
        group_counts = np.bincount(inverse, minlength=len(unique))
        for u in by_appearance.tolist():
            s, t = divmod(int(unique[u]), width)
            node_of[u] = len(kind)
            kind.append(TYPES)
            node_parent.append(s)
            node_path.append(f"{paths[s]}/[{type_names[t]}]" if s else f"[{type_names[t]}]")
            node_label.append(type_names[t])
            node_level.append(node_level[s])
            node_ops.append(int(group_counts[u]))
            node_first.append(int(positions[first_at[u]]))
            node_members.append(0)
        op_parent[positions] = node_of[inverse]

    nodes = len(kind)
    children: list[list[int]] = [[] for _ in range(nodes)]
    for node in sorted(range(1, nodes), key=lambda n: node_first[n]):
        children[node_parent[node]].append(node)
    order, tree_depth, frontier, step = [0], np.zeros(nodes, dtype=np.int64), [0], 0
    while frontier:
        step += 1
        frontier = [c for n in frontier for c in children[n]]
        order.extend(frontier)
        tree_depth[frontier] = step
    scope_of_node = []
    for node in range(nodes):
        p = node_parent[node]
        while p > 0 and kind[p] != SCOPE:
            p = node_parent[p]
        scope_of_node.append(paths[p] if p >= 0 else "")
    return Hierarchy(
        kind=np.asarray(kind, dtype=np.int8), parent=np.asarray(node_parent, dtype=np.int64),
        path=tuple(node_path), label=tuple(node_label), level=np.asarray(node_level, dtype=np.int64),
        scope=tuple(scope_of_node), ops=np.asarray(node_ops, dtype=np.int64),
        members=np.asarray(node_members, dtype=np.int64), children=tuple(tuple(c) for c in children),
        order=np.asarray(order, dtype=np.int64), tree_depth=tree_depth, op_parent=op_parent, op_scope=op_scope)


def node_boxes(h: Hierarchy, opened: np.ndarray) -> np.ndarray:
    """Per node: the closed node it is drawn in (itself when it is a box), or -1 while all above it are open."""
    box = np.full(len(h), -1, dtype=np.int64)
    box[0] = -1 if opened[0] else 0
    by_level = h.order[1:]
    depths = h.tree_depth[by_level]
    for step in range(1, int(depths.max()) + 1 if len(depths) else 1):
        nodes = by_level[depths == step]
        above = box[h.parent[nodes]]
        box[nodes] = np.where(above >= 0, above, np.where(opened[nodes], -1, nodes))
    return box


def count_boxes(h: Hierarchy, opened: np.ndarray) -> int:
    inside = node_boxes(h, opened)[h.op_parent]
    own = inside < 0
    return int(own.sum()) + len(np.unique(inside[~own]))


@dataclass(frozen=True)
class Cut:
    """Which nodes of a hierarchy are open, and the scope depth that chose it (TOP_BOXES: each top-level scope is
    one box; 0: every scope open)."""

    opened: np.ndarray  # bool per node
    depth: int


def _scopes_open(h: Hierarchy, depth: int) -> np.ndarray:
    scopes = h.kind == SCOPE
    if depth == 0:
        return scopes
    return scopes & (h.level <= max(depth, 0))


def _expanded(h: Hierarchy, expand: Sequence[str]) -> np.ndarray:
    """The scopes named in ``expand`` and every node above them (a series they are in opens too)."""
    opened = np.zeros(len(h), dtype=bool)
    where = {h.path[n]: n for n in np.flatnonzero(h.kind == SCOPE).tolist()}
    for scope in expand:
        node = where.get(scope)
        while node is not None and node >= 0:
            opened[node] = True
            node = int(h.parent[node])
    return opened


def choose_cut(h: Hierarchy, *, depth: int | None = None, expand: Sequence[str] = (),
               budget: int = BOX_BUDGET) -> Cut:
    """What is open: ``depth`` None chooses the deepest scope level (at most MAX_AUTO_DEPTH) that fits ``budget``
    boxes, with series closed; a given depth opens its scope levels (0: all) and closes series and type groups
    only when the picture is over budget. A node inside a closed one is closed (opening it shows its children
    as boxes). The scopes in ``expand`` are open, and everything above them."""
    series, types = h.kind == SERIES, h.kind == TYPES
    forced = _expanded(h, expand)
    forced[0] = True

    def seen(opened: np.ndarray) -> np.ndarray:
        hidden = np.zeros(len(h), dtype=bool)
        hidden[1:] = node_boxes(h, opened)[h.parent[1:]] >= 0
        return opened & ~hidden | forced

    if depth is None:
        for level in list(range(MAX_AUTO_DEPTH, 0, -1)) + [TOP_BOXES]:
            opened = seen(_scopes_open(h, level) | types)
            if level == TOP_BOXES or count_boxes(h, opened) <= budget:
                break
        if count_boxes(h, opened) > budget:
            opened = seen(opened & ~types)
        return Cut(opened, level)
    scopes = _scopes_open(h, depth)
    tries = [scopes | series | types]
    if depth != 0:
        tries += [scopes | series, scopes | types, scopes]
    for opened in tries:
        opened = seen(opened)
        if count_boxes(h, opened) <= budget:
            break
    return Cut(opened, depth)


@dataclass(frozen=True)
class Box:
    """One box of a picture: an op, or a closed scope, series or type group."""

    id: str  # the op's name; "scope/*"; "parent/prefix*/*"; "scope/[Type]"
    kind: str  # "op", "scope", "series", "types"
    label: str  # the op's or scope's last name ("scope/"), "prefix ×N", or the op type
    scope: str  # the open scope it is drawn in ("" the graph)
    ops: int  # ops in it
    ran: int  # of them, ops the run executed
    fetched: bool  # it holds a fetched op
    op_type: str = ""  # an op's type, or a type group's
    members: int = 1  # scopes a series stands for
    node: int = -1  # its hierarchy node (-1 for an op)


@dataclass(frozen=True)
class Edge:
    source: int  # box positions
    target: int
    kind: str  # "data", "control", "ref" (an op writing a variable: drawn from the op to the variable)
    count: int  # tensors it carries


@dataclass(frozen=True, eq=False)
class Picture:
    """What a picture draws: boxes in the order of their first op, edges in the graph's order."""

    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    depth: int
    op_box: np.ndarray  # per op of the index: its box's position (-1: not shown)
    fed: tuple[tuple[str, int], ...] = ()  # (fed op, a box reading it): fed tensors are drawn from markers
    edges_left_out: int = 0  # edges between boxes past EDGE_BUDGET, not drawn
    tensors_left_out: int = 0  # the tensors those edges carry

    @property
    def clusters(self) -> tuple[str, ...]:
        """Every open scope a box is drawn in, and the scopes above them."""
        found: dict[str, None] = {}
        for box in self.boxes:
            path = box.scope
            while path and path not in found:
                found[path] = None
                path = path.rpartition("/")[0]
        return tuple(found)


def shown_ops(index, plan=None, whole_graph: bool = False) -> np.ndarray:
    """The ops a picture shows: all, or what ``plan`` runs plus the tensors its feeds cut off."""
    if whole_graph or plan is None:
        return np.ones(len(index), dtype=bool)
    show = plan.mask.copy()
    for name in plan.cut_off:
        show[index.ids[name]] = True
    return show


def picture(index, plan=None, *, depth: int | None = None, whole_graph: bool = False, expand: Sequence[str] = (),
            budget: int = BOX_BUDGET, edge_budget: int = EDGE_BUDGET) -> Picture:
    """The boxes and edges of the graph (or of ``plan``'s subgraph: what runs plus what the feeds cut off)."""
    shown = np.flatnonzero(shown_ops(index, plan, whole_graph))
    names = [index.names[i] for i in shown.tolist()]
    types = [index.op_types[i] for i in shown.tolist()]
    h = hierarchy(names, types)
    cut = choose_cut(h, depth=depth, expand=expand, budget=budget)
    return draw(index, h, cut, shown, plan, edge_budget=edge_budget)


def draw(index, h: Hierarchy, cut: Cut, shown: np.ndarray, plan=None, *, edge_budget: int = EDGE_BUDGET) -> Picture:
    """The picture of ``cut``: its boxes (``shown[k]`` is the index op of the hierarchy's op k) and edges."""
    inside = node_boxes(h, cut.opened)[h.op_parent]  # per shown op: its closed node, or -1 (its own box)
    keys = np.where(inside >= 0, inside, len(h) + np.arange(len(shown)))
    unique, first, position = np.unique(keys, return_index=True, return_inverse=True)
    by_appearance = np.argsort(first, kind="stable")
    rank = np.empty(len(unique), dtype=np.int64)
    rank[by_appearance] = np.arange(len(unique))
    box_of_shown = rank[position]
    ran = plan.mask[shown] if plan is not None else np.zeros(len(shown), dtype=bool)
    ops_in = np.bincount(box_of_shown, minlength=len(unique))
    ran_in = np.bincount(box_of_shown, weights=ran, minlength=len(unique)).astype(np.int64)
    fetched_ops = {f.split(":")[0].lstrip("^") for f in (plan.fetches if plan else ())}
    fetched_in = np.zeros(len(unique), dtype=bool)
    for name in fetched_ops:
        op = index.ids.get(name)
        if op is not None:
            k = np.searchsorted(shown, op)
            if k < len(shown) and shown[k] == op:
                fetched_in[box_of_shown[k]] = True
    boxes = []
    for b, u in enumerate(by_appearance.tolist()):
        key = int(unique[u])
        if key >= len(h):  # one op
            op = int(shown[key - len(h)])
            name = index.names[op]
            scope = h.path[int(h.op_scope[key - len(h)])]
            boxes.append(Box(name, "op", name.rpartition("/")[2], scope, int(ops_in[b]), int(ran_in[b]),
                             bool(fetched_in[b]), op_type=index.op_types[op]))
            continue
        kind = int(h.kind[key])
        if kind == SERIES:
            boxes.append(Box(h.path[key] + "/*", "series", f"{h.label[key]}* ×{h.members[key]}", h.scope[key],
                             int(ops_in[b]), int(ran_in[b]), bool(fetched_in[b]), members=int(h.members[key]),
                             node=key))
        elif kind == TYPES:
            boxes.append(Box(h.path[key], "types", h.label[key], h.scope[key], int(ops_in[b]), int(ran_in[b]),
                             bool(fetched_in[b]), op_type=h.label[key], node=key))
        else:
            boxes.append(Box(h.path[key] + "/*", "scope", h.label[key] + "/", h.scope[key], int(ops_in[b]),
                             int(ran_in[b]), bool(fetched_in[b]), node=key))
    op_box = np.full(len(index), -1, dtype=np.int64)
    op_box[shown] = box_of_shown
    edges, fed, left, tensors = _edges(index, op_box, plan, edge_budget)
    return Picture(tuple(boxes), edges, cut.depth, op_box, fed, left, tensors)


def _edges(index, op_box: np.ndarray, plan, edge_budget: int):
    producers = index.indices.astype(np.int64)
    consumers = index.edge_targets.astype(np.int64)
    ports = index.src_output.astype(np.int64)
    valid = producers >= 0
    fed_edge = np.zeros(len(producers), dtype=bool)
    fed_names = set()
    for tensor in (plan.fed if plan else ()):
        node, _, port_text = tensor.rpartition(":")
        if node in index.ids and port_text.lstrip("-").isdigit():
            fed_names.add(node)
            fed_edge |= valid & (producers == index.ids[node]) & (ports == int(port_text))
    valid &= ~fed_edge  # drawn from the fed marker instead
    safe = np.where(valid, producers, 0)
    source = np.where(valid, op_box[safe], -1)
    target = op_box[consumers]
    keep = valid & (source >= 0) & (target >= 0) & (source != target)
    kind = np.where(ports < 0, 1, 0)  # 0 data, 1 control, 2 ref
    mutating = np.array([is_mutating(t) for t in index.type_names], dtype=bool)[index.type_codes]
    first_input = np.zeros(len(producers), dtype=bool)
    first_input[index.indptr[:-1][np.diff(index.indptr) > 0]] = True
    ref = keep & (kind == 0) & (ports == 0) & first_input & mutating[consumers]
    source, target = np.where(ref, target, source), np.where(ref, source, target)  # the op writes the variable
    kind = np.where(ref, 2, kind)
    edges: tuple[Edge, ...] = ()
    left = tensors = 0
    if keep.any():
        keys = np.stack([source[keep], target[keep], kind[keep]], axis=1)
        unique, first, counts = np.unique(keys, axis=0, return_index=True, return_counts=True)
        chosen = np.arange(len(unique))
        if len(unique) > edge_budget:  # the heaviest edges; the rest counted for the caption
            heaviest = np.lexsort((first, -counts))[:edge_budget]
            dropped = np.setdiff1d(chosen, heaviest)
            left, tensors = len(dropped), int(counts[dropped].sum())
            chosen = heaviest
        chosen = chosen[np.argsort(first[chosen], kind="stable")]  # the graph's edge order, as dot lays them out
        edges = tuple(Edge(int(s), int(t), EDGE_KINDS[k], int(c))
                      for (s, t, k), c in zip(unique[chosen].tolist(), counts[chosen].tolist()))
    fed: tuple[tuple[str, int], ...] = ()
    if fed_names and plan is not None:
        reads = fed_edge & plan.mask[consumers] & (ports >= 0) & (op_box[consumers] >= 0)
        pairs = dict.fromkeys(zip((index.names[p] for p in producers[reads].tolist()),
                                  op_box[consumers[reads]].tolist()))
        fed = tuple(pairs)
    return edges, fed, left, tensors


def check_expand(index, expand) -> tuple[str, ...]:
    """The scopes to open, each checked: a name scope of the graph (ArgumentError naming ``expand`` otherwise)."""
    from difflib import get_close_matches

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
