"""What every check of a capture shares: indexes, lookups and run plans, computed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from tfinspect.analyses.lookups import Lookup, find_lookups
from tfinspect.analyses.runs import index_of, plan_for_run
from tfinspect.index.graphindex import GraphIndex
from tfinspect.record.model import Capture, GraphCapture, RunRecord


@dataclass
class CheckContext:
    """What every check of a run shares: indexes, lookups and run plans, computed once."""

    capture: Capture
    _lookups: dict[int, tuple[Lookup, ...]] = field(default_factory=dict)
    _plans: dict[int, object] = field(default_factory=dict)
    _ran: dict[int, object] = field(default_factory=dict)

    def graphs(self) -> Iterator[tuple[GraphCapture, GraphIndex, tuple[Lookup, ...]]]:
        for graph in self.capture.graphs:
            index = index_of(graph)
            if graph.id not in self._lookups:
                self._lookups[graph.id] = find_lookups(index)
            yield graph, index, self._lookups[graph.id]

    def runs_reaching(self, graph: GraphCapture, lookup: Lookup, tensor: str) -> list[RunRecord]:
        """Runs of ``graph`` that feed ``tensor`` (values kept) and whose subgraph holds the lookup."""
        result = []
        for run in self.capture.runs:
            if run.graph != graph.id or not run.values_kept or tensor not in {f.name for f in run.feeds}:
                continue
            if run.index not in self._plans:
                self._plans[run.index] = plan_for_run(self.capture, run)
            if self._plans[run.index].mask[lookup.node]:
                result.append(run)
        return result

    def feeds_anywhere(self, graph: GraphCapture, tensor: str) -> bool:
        return any(r.graph == graph.id and tensor in {f.name for f in r.feeds} for r in self.capture.runs)

    def ran(self, graph: GraphCapture):
        """A mask of ``graph``'s ops that some run of the script reached (executed, or skimmed: its line meant
        to run them), or None when the script did not run to its end (later runs might reach more)."""
        import numpy as np

        from tfinspect.analyses.runs import distinct_runs
        from tfinspect.record.model import OutcomeStatus, RunStatus

        if self.capture.outcome.status is not OutcomeStatus.COMPLETED or not self.capture.runs:
            return None
        if graph.id not in self._ran:
            mask = np.zeros(len(index_of(graph)), dtype=bool)
            for run in distinct_runs(self.capture):
                if run.graph == graph.id and run.status is not RunStatus.STOPPED:
                    mask |= plan_for_run(self.capture, run).mask
            self._ran[graph.id] = mask
        return self._ran[graph.id]


def consumers(index: GraphIndex, node: int) -> list[int]:
    """The ops that take ``node`` as an input (data or control), from the index's reverse CSR."""
    return index.consumers(node).tolist()
