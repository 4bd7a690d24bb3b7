"""Run-time protection for real training: check fed ids before every ``Session.run``.

``with tfinspect.guard(): ...`` (every session) or ``sess = tfinspect.guard(sess)``
(one session) raises :class:`TfinspectBoundsError` naming the placeholder, the
lookup, the table and the lines involved, before TensorFlow runs the step,
instead of TensorFlow's late error on CPU or the silent zeros of a GPU.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from tfinspect.analyses.lookups import UNSIGNED_VIEW, Violation, check_ids, find_lookups
from tfinspect.core.errors import TfinspectError

try:  # the per-step check compiled at install (setup.py); without a compiler, the numpy path below does it
    from tfinspect.runtime._guardcheck import first_suspect as _first_suspect
except ImportError:  # pragma: no cover - depends on the install
    _first_suspect = None

_NDARRAY = np.ndarray
_UNSEEN = object()

# Set in tfinspect's child process: the capture checks runs itself (every run under ``check``, every skimmed
# run otherwise), so a script's own guard() passes runs through; else it would turn check's finding into the
# script's error ("no findings in what the script built before it failed").
CAPTURING = False

#: Whether the guard's per-step check runs compiled (``tfinspect/runtime/_guardcheck.c``) or with numpy.
NATIVE_CHECK = _first_suspect is not None


class TfinspectBoundsError(TfinspectError, ValueError):
    """Fed ids are outside the table they index."""

    def __init__(self, message: str, *, tensor: str, op: str, size: int, violation: Violation) -> None:
        super().__init__(message)
        self.tensor, self.op, self.size, self.violation = tensor, op, size, violation


@dataclass(frozen=True)
class _Constraint:
    lookup: str  # op name
    node: int
    size: int
    what: str
    low: int = 0  # -size where the ids wrap negatives around (Keras 3's Embedding)


class _GraphConstraints:
    """Placeholder tensor name -> the lookups its values reach, for one graph (rebuilt when it grows)."""

    def __init__(self, graph) -> None:
        from tfinspect.index.graphindex import GraphIndex

        self.version = graph.version
        self.index = GraphIndex.build(graph.as_graph_def(add_shapes=True))
        self.by_tensor: dict[str, list[_Constraint]] = {}
        self._keep: list = []
        for lookup in find_lookups(self.index):
            if lookup.size is None:
                continue
            for origin in lookup.origins:
                if origin.kind == "placeholder":
                    tensor = f"{self.index.names[origin.node]}:{origin.port}"
                    self.by_tensor.setdefault(tensor, []).append(
                        _Constraint(self.index.names[lookup.node], lookup.node, lookup.size, lookup.what,
                                    lookup.low(origin)))
        self._plans: dict[tuple, Any] = {}
        self.entries: dict[int, tuple | None] = {}
        self.limits: dict[int, int | None] = {}  # id(key) -> smallest table size, for the compiled check

    def entry(self, key) -> tuple | None:
        """(tensor name, constraints, smallest size, sparse) for a feed_dict key, cached by the key object.

        A SparseTensor key (``tf.sparse_placeholder``) stands for its values tensor; ``sparse`` says the fed
        value is a SparseTensorValue (or an (indices, values, shape) tuple) whose ids are its values.
        """
        try:
            return self.entries[id(key)]
        except KeyError:
            pass
        sparse = all(hasattr(key, part) for part in ("indices", "values", "dense_shape"))
        name = key.values.name if sparse else getattr(key, "name", key)
        found = None
        if isinstance(name, str):
            found = self.by_tensor.get(name if ":" in name else f"{name}:0")
        entry = (name, found, min(c.size for c in found), sparse) if found else None
        if len(self.entries) < 10_000:
            self.entries[id(key)] = entry
            # the compiled check reads arrays only; a sparse value goes to the numpy path every step
            self.limits[id(key)] = entry[2] if entry else None
            self._keep.append(key)  # keep the key alive, so its id is not reused by another object
        return entry

    def runs(self, key: tuple, fetch_names, fed_names) -> np.ndarray:
        mask = self._plans.get(key)
        if mask is None:
            from tfinspect.analyses.subgraph import plan

            mask = self._plans[key] = plan(self.index, fetch_names, fed_names).mask
        return mask


def _line(op) -> str:
    from tfinspect.runtime.frames import op_frame

    frame = op_frame(op)
    return f"{frame[0]}:{frame[1]}" if frame else "?"


class _Checker:
    def __init__(self) -> None:
        self._graphs: dict[int, _GraphConstraints] = {}
        self._lock = threading.Lock()

    def constraints(self, graph) -> _GraphConstraints:
        found = self._graphs.get(id(graph))
        if found is None or found.version != graph.version:
            with self._lock:
                found = self._graphs[id(graph)] = _GraphConstraints(graph)
        return found

    def check(self, session, fetches, feed_dict) -> None:
        """Raise TfinspectBoundsError when fed ids are outside a table this run indexes."""
        if not feed_dict:
            return
        graph = session.graph
        constraints = self._graphs.get(id(graph))
        if constraints is None or constraints.version != graph.version:
            constraints = self.constraints(graph)
        # The compiled check reads every fed array in one call; it names a key only when that key needs the
        # numpy path (a key not seen yet, a value it cannot read, or ids out of range). guard.run repeats
        # these lines to save a call per step.
        if constraints.by_tensor and (_first_suspect is None
                                      or _first_suspect(feed_dict, constraints.limits) is not None):
            self.check_feeds(session, fetches, feed_dict, constraints)

    def check_feeds(self, session, fetches, feed_dict, constraints: _GraphConstraints) -> None:
        """The numpy path: per constrained feed the max of the ids viewed as unsigned (a negative id becomes
        huge), against the smallest table the feed reaches; only when that fails is the run's subgraph
        worked out. Right after a TensorFlow step this code and numpy's are out of the CPU caches, and every
        call costs several times what it does in a tight loop (benchmarks/bounds_bench.py measures both), so
        the path makes as few calls as it can."""
        entries = constraints.entries
        for key, value in feed_dict.items():
            entry = entries.get(id(key), _UNSEEN)
            if entry is _UNSEEN:
                entry = constraints.entry(key)
            if entry is None:
                continue
            if entry[3]:
                value = value[1]  # the values of a SparseTensorValue or an (indices, values, shape) tuple
            ids = value if type(value) is _NDARRAY else np.asarray(value)
            unsigned = UNSIGNED_VIEW.get(ids.dtype)  # None: not integer ids (bool neither)
            if unsigned is None or not ids.size:
                if ids.dtype.kind == "f" and ids.size:  # TensorFlow converts them to the placeholder's ints
                    self._slow(session, fetches, feed_dict, constraints, entry, ids)
                continue
            view = ids.view(unsigned)
            if not view.item(view.argmax()) < entry[2]:  # argmax: no ufunc set-up, cheaper with cold caches
                self._slow(session, fetches, feed_dict, constraints, entry, ids)

    def _slow(self, session, fetches, feed_dict, constraints: _GraphConstraints, entry, ids) -> None:
        from tfinspect.runtime.sessions import expand_sparse, feed_name, flatten_fetches

        name, found, _, _ = entry
        graph = session.graph
        names: list[str] = []
        flatten_fetches(graph, fetches, names)
        fed = [feed_name(graph, key) for key, _ in expand_sparse(feed_dict)]
        mask = constraints.runs((tuple(names), tuple(fed)), names, fed)
        for constraint in found:
            violation = check_ids(ids, constraint.size, low=constraint.low)
            if violation is not None and mask[constraint.node]:
                raise self._error(graph, name, constraint, violation)

    @staticmethod
    def _error(graph, tensor: str, constraint: _Constraint, violation: Violation) -> TfinspectBoundsError:
        from tfinspect.runtime.sessions import user_call_site

        site = user_call_site(skip=3)
        where = f"{site[0]}:{site[1]}" if site else "?"
        lookup = graph.get_operation_by_name(constraint.lookup)
        message = (f"{tensor} fed at {where} holds {violation.describe()} outside "
                   f"[{constraint.low}, {constraint.size}) for {constraint.what} indexed by {constraint.lookup} "
                   f"(defined at {_line(lookup)}); the run was not started")
        return TfinspectBoundsError(message, tensor=tensor, op=constraint.lookup, size=constraint.size,
                                    violation=violation)


class guard:  # noqa: N801  (used like a function: tfinspect.guard())
    """Check fed ids before every ``Session.run``.

    ``with tfinspect.guard():`` guards every session while the block runs;
    ``sess = tfinspect.guard(sess)`` wraps one session (and works as a
    context manager like the session itself).

    Raises:
        TfinspectBoundsError: from ``run`` when fed ids are outside a table that run indexes.
    """

    def __init__(self, session=None) -> None:
        self._session = session
        self._graph = session.graph if session is not None else None
        self._constraints: _GraphConstraints | None = None
        self._checker = _Checker()
        self._original = None

    # -- wrapping one session ------------------------------------------------
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if self._session is None:
            raise TypeError("guard() without a session is a context manager: use `with tfinspect.guard():`")
        if feed_dict and not CAPTURING:  # _Checker.check, written out: one call less per step
            constraints = self._constraints
            if constraints is None or constraints.version != self._graph.version:
                constraints = self._constraints = self._checker.constraints(self._graph)
            if constraints.by_tensor and (_first_suspect is None
                                          or _first_suspect(feed_dict, constraints.limits) is not None):
                self._checker.check_feeds(self._session, fetches, feed_dict, constraints)
        if options is None and run_metadata is None:
            return self._session.run(fetches, feed_dict)
        return self._session.run(fetches, feed_dict, options, run_metadata)

    def __getattr__(self, name: str):
        if name.startswith("_") or self.__dict__.get("_session") is None:
            raise AttributeError(name)
        return getattr(self._session, name)

    # -- context manager ------------------------------------------------------
    def __enter__(self):
        if self._session is not None:
            self._session.__enter__()
            return self
        if CAPTURING:
            return self
        from tensorflow.python.client import session as session_lib

        original = self._original = session_lib.BaseSession.run
        checker = self._checker

        def run(session, fetches, feed_dict=None, options=None, run_metadata=None):
            checker.check(session, fetches, feed_dict)
            return original(session, fetches, feed_dict, options, run_metadata)

        session_lib.BaseSession.run = run
        return self

    def __exit__(self, *exc) -> None:
        if self._session is not None:
            self._session.__exit__(*exc)
            return
        if self._original is None:  # entered while capturing: nothing was patched
            return
        from tensorflow.python.client import session as session_lib

        session_lib.BaseSession.run = self._original

    def close(self) -> None:
        if self._session is not None:
            self._session.close()


__all__ = ["TfinspectBoundsError", "guard"]
