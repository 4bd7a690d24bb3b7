"""Run plans for captured runs, and the ops no captured run executes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tfinspect.analyses.subgraph import RunPlan, plan
from tfinspect.core.errors import ArgumentError, UsageError
from tfinspect.index.graphindex import index_of  # noqa: F401  (index_of re-exported)
from tfinspect.record.model import Capture, GraphCapture, RunRecord, SourceLocation

def distinct_runs(capture: Capture) -> list[RunRecord]:
    """The first of each group of runs with the same graph, fetches and feeds (executed ones first)."""
    seen: dict[tuple, RunRecord] = {}
    for run in capture.runs:
        key = (run.graph, run.fetches, tuple(f.name for f in run.feeds))
        if key not in seen or (not seen[key].executed and run.executed):
            seen[key] = run
    return sorted(seen.values(), key=lambda r: r.index)


def plan_for_run(capture: Capture, run: RunRecord) -> RunPlan:
    graph = capture.graph(run.graph)
    return plan(index_of(graph), run.fetches, [f.name for f in run.feeds], graph=graph.id, run_index=run.index)


def run_by_index(capture: Capture, number: int) -> RunRecord:
    for run in capture.runs:
        if run.index == number:
            return run
    if not capture.runs:
        raise ArgumentError("run", "{name}: no Session.run was captured")
    raise ArgumentError("run", f"{{name}} {number}: the captured runs are numbered 0 to {capture.runs[-1].index}")


def graph_with(capture: Capture, names: list[str], graph_id: int | None) -> GraphCapture:
    """The graph to query: the one asked for, else the first that has every named op."""
    if graph_id is not None:
        try:
            return capture.graph(graph_id)
        except KeyError:
            ids = ", ".join(str(g.id) for g in capture.graphs) or "none"
            raise ArgumentError("graph", f"{{name}} {graph_id}: no such graph (graphs: {ids})") from None
    if not capture.graphs:
        raise UsageError("no graph was captured")
    for graph in capture.graphs:
        index = index_of(graph)
        if all(index.node_id(n) is not None for n in names):
            return graph
    return capture.graphs[0]  # plan() names what is missing


@dataclass(frozen=True)
class UnusedOp:
    name: str
    op_type: str
    graph: int
    source: SourceLocation | None


@dataclass(frozen=True)
class UnusedReport:
    ops: tuple[UnusedOp, ...]
    executed_runs: int
    total_ops: int


def unused_ops(capture: Capture) -> UnusedReport:
    """Ops that no executed captured run ran nor fed, in graph order (a fed placeholder takes its value from the
    feed: it is used, not unused)."""
    executed = [r for r in capture.runs if r.executed]
    fed = {(r.graph, f.name.split(":")[0]) for r in executed for f in r.feeds}
    masks: dict[int, np.ndarray] = {}
    for run in distinct_runs(capture):
        if not run.executed:
            continue
        mask = plan_for_run(capture, run).mask
        masks[run.graph] = mask if run.graph not in masks else masks[run.graph] | mask
    result = []
    total = 0
    for graph in capture.graphs:
        index = index_of(graph)
        total += len(index)
        ran = masks.get(graph.id, np.zeros(len(index), dtype=bool))
        for i in np.flatnonzero(~ran):
            name = index.names[i]
            if (graph.id, name) not in fed:
                result.append(UnusedOp(name, index.op_types[i], graph.id, graph.sources.get(name)))
    return UnusedReport(tuple(result), len(executed), total)
