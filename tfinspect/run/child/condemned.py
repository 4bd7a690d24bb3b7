"""Runs that cannot succeed, known before they execute: ``tfinspect check`` does not let them start.

Inside the child process, the static checks that condemn a run whatever it is fed (a constant id
beyond its table, TFI001; a sampler whose range exceeds its table, TFI003; more sampled classes
than there are, TFI008) are run on the live graph, and a ``Session.run`` whose subgraph holds an op
they name is stopped before TensorFlow executes it: on a GPU it would silently compute zeros, on a
CPU it would fail with a long traceback that the finding already explains.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATIC_CODES = ("TFI001", "TFI003", "TFI008")
DATASET_CODE = "TFI004"


class CondemnedRun(Exception):
    """The run holds an op a static check condemns."""

    def __init__(self, code: str, op: str) -> None:
        why = ("the dataset it reads yields ids out of range" if code == DATASET_CODE else "fails whatever is fed")
        super().__init__(f"not executed: {op} {why} ({code})")
        self.code, self.op = code, op


class StaticCondemnation:
    """Per graph (rebuilt when it grows): the ops the static checks condemn, and per run whether it reaches one.

    With a ``recorder`` whose datasets are known, a run that reads ids from a tf.data iterator is also
    checked before it executes: the dataset is iterated in a session of its own on the user's graph (its
    iterator's own initializer and get-next ops, with the feeds the script gave the initializer, after
    the graph's table initialisers: no op is added, and the script's session and iterators are not
    touched), and a run whose lookups would read an id out of range is condemned.
    """

    def __init__(self, recorder=None, max_elements: int = 0) -> None:
        self._graphs: dict[int, _GraphState] = {}
        self._recorder, self._max_elements = recorder, max_elements
        self._dataset_verdicts: dict[tuple, str | None] = {}

    def _state(self, graph) -> _GraphState:
        found = self._graphs.get(id(graph))
        if found is not None and found.version == graph.version:
            return found
        from tfinspect.analyses.lookups import find_lookups
        from tfinspect.checks import run_checks
        from tfinspect.index.graphindex import GraphIndex
        from tfinspect.record.model import Capture, GraphCapture

        graph_def = graph.as_graph_def(add_shapes=True)
        capture = Capture(source="<live graph>", origin="live", graphs=(GraphCapture(0, graph_def),))
        findings = run_checks(capture, select=",".join(STATIC_CODES))
        index = GraphIndex.build(graph_def)
        dataset_lookups = []
        if self._recorder is not None and self._max_elements > 0:
            dataset_lookups = [(lookup, origin) for lookup in find_lookups(index) if lookup.size is not None
                               for origin in lookup.origins if origin.kind == "dataset"]
        found = self._graphs[id(graph)] = _GraphState(
            graph.version, index, {index.ids[f.op]: f.code for f in findings if f.op in index.ids}, dataset_lookups)
        return found

    def check(self, graph, fetch_names: list[str], fed_names: list[str]) -> None:
        """Raise CondemnedRun when the run's subgraph holds a condemned op, or reads bad ids from a dataset."""
        state = self._state(graph)
        if not state.condemned and not state.dataset_lookups:
            return
        verdict, reached = self._verdict(state, fetch_names, fed_names)
        if verdict is None and reached:
            verdict = self._dataset_verdict(graph, state.index, reached)
        if verdict is not None:
            code, op = verdict.split(":", 1)
            raise CondemnedRun(code, op)

    @staticmethod
    def _verdict(state: _GraphState, fetch_names: list[str], fed_names: list[str]) -> tuple:
        """(the static verdict, the (lookup, dataset origin) pairs the run reaches) of one run's subgraph."""
        key = (tuple(fetch_names), tuple(fed_names))
        if key not in state.verdicts:
            from tfinspect.analyses.subgraph import plan

            mask = plan(state.index, fetch_names, fed_names).mask
            verdict = next((f"{code}:{state.index.names[node]}" for node, code in state.condemned.items()
                            if mask[node]), None)
            reached = [(lookup, origin) for lookup, origin in state.dataset_lookups
                       if mask[lookup.node] and mask[origin.node]]
            state.verdicts[key] = (verdict, reached)
        return state.verdicts[key]

    def check_read(self, graph, fetch_names: list[str], fed_names: list[str], read: dict[str, list]) -> None:
        """Raise CondemnedRun when an element the run read (``read``: get-next op -> its outputs' values, from a
        pipeline that calls Python, read by the run itself) holds an id its lookups would fail on."""
        from tfinspect.analyses.lookups import check_ids
        import numpy as np

        state = self._state(graph)
        for lookup, origin in self._verdict(state, fetch_names, fed_names)[1]:
            values = read.get(state.index.names[origin.node])
            if values is None or origin.port >= len(values):
                continue
            ids = np.asarray(values[origin.port])
            if ids.dtype.kind in "iu" and check_ids(ids.reshape(-1), lookup.size, low=lookup.low(origin)) is not None:
                raise CondemnedRun(DATASET_CODE, state.index.names[lookup.node])

    def _dataset_verdict(self, graph, index, reached) -> str | None:
        """Iterate each dataset the run reads ids from (as the script last initialised it) and check them."""
        from tfinspect.analyses.lookups import check_ids

        for lookup, origin in reached:
            getter = graph.get_operation_by_name(index.names[origin.node])
            iterator = getter.inputs[0].op if getter.inputs else None
            if iterator is None:
                continue
            pipelines = self._recorder.pipelines
            if pipelines is not None and pipelines.stage(graph, iterator) is not None:
                continue  # it calls Python: never iterated here; the run reads it first (check_read)
            maker, feeds = self._initializer(graph, iterator)
            key = (id(graph), graph.version, iterator.name, origin.port, lookup.node, id(feeds))
            if key not in self._dataset_verdicts:
                values = None if maker is None else self._values(graph, maker, getter, origin.port, feeds)
                violation = None if values is None else check_ids(values, lookup.size, low=lookup.low(origin))
                self._dataset_verdicts[key] = None if violation is None else f"{DATASET_CODE}:{index.names[lookup.node]}"
            if self._dataset_verdicts[key] is not None:
                return self._dataset_verdicts[key]
        return None

    def _initializer(self, graph, iterator):
        """(the op that initialises ``iterator``, the feed_dict the script last ran it with); a one-shot
        iterator is its own initializer. A reinitializable iterator's maker is the one the script fed."""
        if iterator.type == "OneShotIterator":
            return iterator, None
        makers = iterator_makers(graph, iterator)
        for maker in makers:
            feeds = self._recorder.initializer_feeds_of(graph, maker)
            if feeds is not None:
                return maker, feeds
        return (makers[0], None) if makers else (None, None)

    def _values(self, graph, maker, getter, port: int, feeds):
        """The ids ``getter:port`` yields, in a session of its own; None when they cannot be read here."""
        import numpy as np
        import tensorflow.compat.v1 as tf

        tables = list(graph.get_collection(tf.GraphKeys.TABLE_INITIALIZERS))
        chunks = []
        self._recorder.paused = True
        try:
            with tf.Session(graph=graph) as sess:
                if tables:
                    sess.run(tables)
                sess.run(maker, feed_dict=feeds)
                while len(chunks) < self._max_elements:
                    try:
                        chunks.append(np.asarray(sess.run(getter.outputs[port])).reshape(-1))
                    except tf.errors.OutOfRangeError:
                        break
        except Exception:  # anything the dataset or the table raises: the check after the script reports it
            return None
        finally:
            self._recorder.paused = False
        return np.concatenate(chunks) if chunks else None


@dataclass
class _GraphState:
    version: int
    index: Any
    condemned: dict[int, str]  # node -> the static check code that condemns it
    dataset_lookups: list  # (Lookup, Origin) whose ids come from a tf.data iterator
    verdicts: dict[tuple, tuple] = field(default_factory=dict)  # (fetches, feeds) -> (verdict, reached lookups)


def iterator_makers(graph, iterator) -> list:
    """The MakeIterator ops that initialise ``iterator`` (one per dataset of a reinitializable iterator)."""
    return [op for op in graph.get_operations() if op.type == "MakeIterator" and len(op.inputs) > 1
            and op.inputs[1].op is iterator]
