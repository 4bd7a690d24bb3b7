"""What a ``Session.run`` really executes, as TensorFlow's pruning decides it.

``Session.run(fetches, feed_dict)`` runs the ancestors of the fetches
through data and control edges. A fed tensor cuts the graph: its consumers
read the fed value, so the op that produces it runs only if something else
needs it (another of its outputs, or a control edge). Everything else in the
graph is skipped: ``useless = x * add`` is never computed when only
``pow_op`` is fetched, and an assign nothing depends on never takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from tfinspect.core.errors import ArgumentError
from tfinspect.index.graphindex import GraphIndex, parse_tensor_name
from tfinspect.core.optypes import REQUIRED_PLACEHOLDER_OPS, is_mutating


@dataclass(frozen=True, eq=False)
class RunPlan:
    """The ops one ``Session.run`` executes, and those it does not (names in graph order)."""

    graph: int
    fetches: tuple[str, ...]
    fed: tuple[str, ...]  # tensor names, "X:0"
    mask: np.ndarray  # ran, by node id
    cut_mask: np.ndarray  # would run without the feeds
    names: list[str]
    run_index: int | None = None  # the captured run this plan is for
    signature: str | None = None  # the SavedModel signature this plan is for
    unfed: tuple[str, ...] = ()  # placeholders it reaches that nothing feeds: TensorFlow would raise

    def _names(self, mask: np.ndarray) -> tuple[str, ...]:
        return tuple(map(self.names.__getitem__, np.flatnonzero(mask).tolist()))

    @cached_property
    def ran(self) -> tuple[str, ...]:
        return self._names(self.mask)

    @cached_property
    def not_run(self) -> tuple[str, ...]:
        """Every op that does not run (``cut_off`` included)."""
        return self._names(~self.mask)

    @cached_property
    def cut_off(self) -> tuple[str, ...]:
        """Ops that would run without the feeds."""
        return self._names(self.cut_mask)

    @property
    def op_count(self) -> int:
        return len(self.mask)


def tensor_name(name: str) -> str:
    """``"X"`` -> ``"X:0"``; tensor names unchanged."""
    node, port = parse_tensor_name(name)
    return f"{node}:{max(port, 0)}"


def _suggest(index: GraphIndex, name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, index.names, n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""


def resolve(index: GraphIndex, names: Iterable[str], argument: str) -> list[int]:
    """Node ids of ``names``; ArgumentError naming ``argument`` (fetch, feed, why) for a name not in the graph."""
    ids = []
    for name in names:
        node = index.node_id(name)
        if node is None:
            raise ArgumentError(argument, f"no op named {parse_tensor_name(name)[0]!r} in the graph ({{name}})"
                                f"{_suggest(index, name)}")
        ids.append(node)
    return ids


def _cut_mask(index: GraphIndex, fed: Sequence[str]) -> np.ndarray:
    """Edges that read a fed tensor: the feed replaces them."""
    if not fed:
        return np.zeros(len(index.indices), dtype=bool)
    keys = []
    for name in fed:
        node, port = parse_tensor_name(tensor_name(name))
        node_id = index.ids.get(node)
        if node_id is not None:
            keys.append(node_id * 65536 + port)
    encoded = index.indices.astype(np.int64) * 65536 + index.src_output
    return np.isin(encoded, np.asarray(keys, dtype=np.int64)) & (index.src_output >= 0)


def reach(index: GraphIndex, starts: Sequence[int], cut: np.ndarray | None = None,
          *, predecessors: bool = False):
    """Nodes reachable from ``starts`` through inputs, skipping ``cut`` edges.

    Returns:
        A boolean mask by node id; with ``predecessors``, also scipy's
        predecessor array (index ``len(index)`` is the virtual start).
    """
    n = len(index)
    starts_arr = np.unique(np.asarray(starts, dtype=np.int32))
    indptr = np.zeros(n + 2, dtype=np.int64)
    if cut is None and index.dangling_count == 0:  # every edge is kept: the index's own CSR rows
        kept_indices = index.indices
        indptr[:n + 1] = index.indptr
    else:
        keep = index.indices >= 0
        if cut is not None:
            keep &= ~cut
        kept_indices = index.indices[keep]
        counts = np.bincount(index.edge_targets[keep], minlength=n)
        np.cumsum(counts, out=indptr[1:n + 1])
    indptr[n + 1] = indptr[n] + len(starts_arr)
    columns = np.concatenate([kept_indices, starts_arr]).astype(np.int32)
    # float64 data: csgraph converts any other dtype to it first, a copy of every edge
    graph = csr_matrix((np.ones(len(columns)), columns, indptr), shape=(n + 1, n + 1))
    result = breadth_first_order(graph, n, directed=True, return_predecessors=predecessors)
    order = result[0] if predecessors else result
    mask = np.zeros(n + 1, dtype=bool)
    mask[order] = True
    if predecessors:
        return mask[:n], result[1]
    return mask[:n]


def plan(index: GraphIndex, fetches: Sequence[str], fed: Sequence[str] = (), *,
         graph: int = 0, run_index: int | None = None, signature: str | None = None) -> RunPlan:
    """What ``Session.run(fetches, feed_dict=<fed>)`` executes.

    Raises:
        UsageError: a fetch or feed names no op of the graph.
    """
    fed_names = tuple(tensor_name(f) for f in fed)
    resolve(index, fed_names, "feed")
    fed_set = set(fed_names)
    # A fetched tensor that is also fed returns the fed value: nothing runs for it.
    live = [f for f in fetches if not (":" in f and tensor_name(f) in fed_set)]
    starts = resolve(index, live, "fetch")
    mask = reach(index, starts, _cut_mask(index, fed_names))
    if fed_names:
        cut_off_mask = reach(index, starts) & ~mask
    else:
        cut_off_mask = np.zeros(len(index), dtype=bool)
    required = np.array([op in REQUIRED_PLACEHOLDER_OPS for op in index.type_names], dtype=bool)[index.type_codes]
    unfed = tuple(index.names[i] for i in np.flatnonzero(mask & required).tolist())
    return RunPlan(graph=graph, fetches=tuple(fetches), fed=fed_names, mask=mask, cut_mask=cut_off_mask,
                   names=index.names, run_index=run_index, signature=signature, unfed=unfed)


@dataclass(frozen=True)
class WhyStep:
    op: str
    op_type: str
    edge: str  # how the previous op reaches this one: "fetched", "input 0", "control input"


@dataclass(frozen=True)
class Why:
    """Why an op runs (a chain of edges from a fetch) or why it does not."""

    op: str
    runs: bool
    chain: tuple[WhyStep, ...] = ()
    reason: str = ""


def _edge_label(index: GraphIndex, consumer: int, producer: int) -> str:
    lo, hi = index.indptr[consumer], index.indptr[consumer + 1]
    for position, k in enumerate(range(lo, hi)):
        if index.indices[k] == producer:
            port = int(index.src_output[k])
            if port < 0:
                return "control input"
            return f"input {position}" + (f" (output {port})" if port else "")
    return "input"


def _chain(index: GraphIndex, predecessors: np.ndarray, target: int) -> tuple[WhyStep, ...]:
    n = len(index)
    path = [target]
    while predecessors[path[-1]] != n and predecessors[path[-1]] >= 0:
        path.append(int(predecessors[path[-1]]))
    path.reverse()  # fetch first
    steps = [WhyStep(index.names[path[0]], index.op_types[path[0]], "fetched")]
    for consumer, producer in zip(path, path[1:]):
        steps.append(WhyStep(index.names[producer], index.op_types[producer], _edge_label(index, consumer, producer)))
    return tuple(steps)


MUTATING_HINT = ("an op that changes state (Assign, AssignAdd, ...) runs only when it is fetched or when a fetched "
                 "op depends on it, e.g. through tf.control_dependencies")


def why(index: GraphIndex, run: RunPlan, op: str) -> Why:
    """Explain whether ``op`` runs in ``run``: the edge chain from a fetch, or the reason it does not."""
    (target,) = resolve(index, [op], "why")
    name = index.names[target]
    fed_set = set(run.fed)
    live = [f for f in run.fetches if not (":" in f and tensor_name(f) in fed_set)]
    starts = resolve(index, live, "fetch")
    mask, predecessors = reach(index, starts, _cut_mask(index, run.fed), predecessors=True)
    if mask[target]:
        return Why(name, True, _chain(index, predecessors, target))
    full, full_predecessors = reach(index, starts, predecessors=True)
    if full[target]:
        chain = _chain(index, full_predecessors, target)
        feeds = [s for s in chain if any(f.split(":")[0] == s.op for f in run.fed)]
        fed = next((f for f in run.fed if feeds and f.split(":")[0] == feeds[0].op), run.fed[0])
        return Why(name, False, chain, f"it is upstream of the fed tensor {fed}: the feed replaces that value, "
                                       "so nothing above it needs to run")
    reason = "no fetched op depends on it, through data or control edges"
    if index.consumer_counts[target] == 0:
        reason += "; nothing in the graph consumes it at all"
    if is_mutating(index.op_types[target]):
        reason += f" ({MUTATING_HINT})"
    return Why(name, False, (), reason)
