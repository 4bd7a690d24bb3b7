"""What ``tfinspect graph`` shows: counts, the name-scope tree, variables, placeholders, runs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from tfinspect.record.model import (
    FunctionTrace,
    Capture,
    Signature,
    CollectionMember,
    GraphCapture,
    Outcome,
    RunRecord,
    RunStatus,
    Shape,
    SourceLocation,
    VariableInfo,
)
from tfinspect.core.dtypes import dtype_name
from tfinspect.index.tensors import shape_of

from tfinspect.core.optypes import PLACEHOLDER_OPS  # re-exported


@dataclass(frozen=True)
class ScopeNode:
    """A name scope with the number of ops at or below it."""

    name: str  # the last path component; "" for the graph itself
    path: str
    ops: int
    children: tuple[ScopeNode, ...] = ()
    series: tuple[str, int] | None = None  # in a series of the collapse model: its label ("h*") and size


@dataclass(frozen=True)
class PlaceholderInfo:
    name: str
    dtype: str
    shape: Shape
    graph: int
    source: SourceLocation | None = None
    has_default: bool = False

    @property
    def shape_problem(self) -> str | None:
        """Why this shape defeats shape inference, or None when it is fully known."""
        if self.shape is None:
            return "unknown rank (shape=None)"
        if any(d is None for d in self.shape[1:]):  # (None, k): a batch of any size is the normal case
            return "unknown dimension"
        return None


@dataclass(frozen=True)
class RunGroup:
    """Consecutive-or-not runs with the same call site, fetches and feeds."""

    first: RunRecord
    count: int
    executed: int
    errors: int
    stopped: bool
    running: bool = False  # one of them was still running when the script ended
    skimmed: int = 0  # not executed: they returned the line's last real result


@dataclass(frozen=True)
class GraphSummary:
    id: int
    ops: int
    scopes: ScopeNode
    variables: tuple[VariableInfo, ...]
    placeholders: tuple[PlaceholderInfo, ...]
    collections: dict[str, tuple[CollectionMember, ...]]
    function: FunctionTrace | None = None  # TF2: the tf.function this graph is a trace of
    calls: int = 0  # TF2: the calls of this trace the script made


@dataclass(frozen=True)
class GraphOverview:
    source: str
    origin: str
    outcome: Outcome
    tf_version: str | None
    tf1_mode: bool | None
    graphs: tuple[GraphSummary, ...]
    runs: tuple[RunRecord, ...]
    run_groups: tuple[RunGroup, ...] = field(default=())
    signatures: tuple[Signature, ...] = ()

    @property
    def op_count(self) -> int:
        return sum(g.ops for g in self.graphs)

    @property
    def variables(self) -> tuple[VariableInfo, ...]:
        return tuple(v for g in self.graphs for v in g.variables)

    @property
    def placeholders(self) -> tuple[PlaceholderInfo, ...]:
        return tuple(p for g in self.graphs for p in g.placeholders)

    @property
    def stopped_run(self) -> RunRecord | None:
        return next((r for r in self.runs if r.status is RunStatus.STOPPED), None)


def _placeholder_nodes(graph: GraphCapture) -> list:
    """The placeholder NodeDefs, in graph order: from a .pb's node columns, only these records are parsed."""
    if graph.wire is not None:
        from tfinspect.index.columns import columns_of, positions

        columns = columns_of(graph)
        if columns is not None:
            return [columns.node_def(i) for i in sorted(positions(columns.ops, PLACEHOLDER_OPS))]
    return [node for node in graph.graph_def.node if node.op in PLACEHOLDER_OPS]


def placeholders_of(graph: GraphCapture) -> tuple[PlaceholderInfo, ...]:
    result = []
    for node in _placeholder_nodes(graph):
        attr = node.attr
        shape: Shape = None
        if "shape" in attr:
            shape = shape_of(attr["shape"].shape)
        elif "_output_shapes" in attr and attr["_output_shapes"].list.shape:
            shape = shape_of(attr["_output_shapes"].list.shape[0])
        dtype = dtype_name(attr["dtype"].type) if "dtype" in attr else "unknown"
        result.append(PlaceholderInfo(node.name, dtype, shape, graph.id, graph.sources.get(node.name),
                                      node.op == "PlaceholderWithDefault"))
    return tuple(result)


def scope_tree(names: Iterable[str], series_of: dict[str, tuple[str, int]] | None = None) -> ScopeNode:
    """The name-scope tree of ``names`` (op names), children in creation order; ``series_of`` (the collapse
    model's, scope path -> (series label, size)) marks the scopes that are members of a series."""
    counts: dict[str, int] = {}
    children: dict[str, list[str]] = {"": []}
    total = 0
    for name in names:
        total += 1
        parts = name.split("/")[:-1]
        path = ""
        for part in parts:
            parent = path
            path = f"{path}/{part}" if path else part
            if path not in counts:
                counts[path] = 0
                children.setdefault(parent, []).append(path)
                children[path] = []
            counts[path] += 1

    def build(path: str) -> ScopeNode:
        kids = tuple(build(child) for child in children.get(path, ()))
        return ScopeNode(path.rpartition("/")[2], path, counts.get(path, total), kids,
                         series_of.get(path) if series_of else None)

    return build("")


def group_runs(runs: Iterable[RunRecord]) -> tuple[RunGroup, ...]:
    groups: dict[tuple, list[RunRecord]] = {}
    for run in runs:
        key = (run.graph, run.source, run.fetches, tuple(f.name for f in run.feeds))
        groups.setdefault(key, []).append(run)
    result = []
    for members in groups.values():
        result.append(RunGroup(
            first=members[0], count=len(members),
            executed=sum(1 for r in members if r.executed),
            errors=sum(1 for r in members if r.status is RunStatus.ERROR),
            stopped=any(r.status is RunStatus.STOPPED for r in members),
            running=any(r.status is RunStatus.RUNNING for r in members),
            skimmed=sum(1 for r in members if r.status is RunStatus.SKIMMED),
        ))
    return tuple(sorted(result, key=lambda g: g.first.index))


def _named_scopes(graph) -> ScopeNode:
    """The scope tree of a graph, its series marked as pictures draw them (one model for every view)."""
    from tfinspect.analyses.collapse import hierarchy
    from tfinspect.index.graphindex import index_of

    index = index_of(graph)
    return scope_tree(index.names, hierarchy(index.names, index.op_types).series_of())


def overview(capture: Capture) -> GraphOverview:
    """Summarise a capture for ``tfinspect graph``."""
    graphs = tuple(
        GraphSummary(
            id=g.id,
            ops=g.op_count,
            scopes=_named_scopes(g),
            variables=g.variables,
            placeholders=placeholders_of(g),
            collections=dict(g.collections),
            function=g.function,
            calls=sum(1 for r in capture.runs if r.graph == g.id and r.kind == "call"),
        )
        for g in capture.graphs
    )
    return GraphOverview(
        source=capture.source, origin=capture.origin, outcome=capture.outcome,
        tf_version=capture.tf_version, tf1_mode=capture.tf1_mode,
        graphs=graphs, runs=capture.runs, run_groups=group_runs(capture.runs), signatures=capture.signatures,
    )
