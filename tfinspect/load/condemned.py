"""Runs that cannot succeed, known before they execute: ``tfinspect check`` does not let them start.

Inside the child process, the static checks that condemn a run whatever it is fed (a constant id
beyond its table, TFI001; a sampler whose range exceeds its table, TFI003; more sampled classes
than there are, TFI008) are run on the live graph, and a ``Session.run`` whose subgraph holds an op
they name is stopped before TensorFlow executes it: on a GPU it would silently compute zeros, on a
CPU it would fail with a long traceback that the finding already explains.
"""

from __future__ import annotations

from typing import Any

STATIC_CODES = ("TFI001", "TFI003", "TFI008")


class CondemnedRun(Exception):
    """The run holds an op a static check condemns."""

    def __init__(self, code: str, op: str) -> None:
        super().__init__(f"not executed: {op} fails whatever is fed ({code})")
        self.code, self.op = code, op


class StaticCondemnation:
    """Per graph (rebuilt when it grows): the ops the static checks condemn, and per run whether it reaches one."""

    def __init__(self) -> None:
        self._graphs: dict[int, tuple[int, Any, dict[int, str], dict[tuple, str | None]]] = {}

    def _state(self, graph):
        found = self._graphs.get(id(graph))
        if found is not None and found[0] == graph.version:
            return found
        from tfinspect.checks import run_checks
        from tfinspect.graphindex import GraphIndex
        from tfinspect.load.model import Capture, GraphCapture

        graph_def = graph.as_graph_def(add_shapes=True)
        capture = Capture(source="<live graph>", origin="live", graphs=(GraphCapture(0, graph_def),))
        findings = run_checks(capture, select=",".join(STATIC_CODES))
        index = GraphIndex.build(graph_def)
        condemned = {index.ids[f.op]: f.code for f in findings if f.op in index.ids}
        found = self._graphs[id(graph)] = (graph.version, index, condemned, {})
        return found

    def check(self, graph, fetch_names: list[str], fed_names: list[str]) -> None:
        """Raise CondemnedRun when the run's subgraph holds a condemned op."""
        _, index, condemned, verdicts = self._state(graph)
        if not condemned:
            return
        key = (tuple(fetch_names), tuple(fed_names))
        if key not in verdicts:
            from tfinspect.analyses.subgraph import plan

            mask = plan(index, fetch_names, fed_names).mask
            verdicts[key] = next((f"{code}:{index.names[node]}" for node, code in condemned.items() if mask[node]),
                                 None)
        verdict = verdicts[key]
        if verdict is not None:
            code, op = verdict.split(":", 1)
            raise CondemnedRun(code, op)
