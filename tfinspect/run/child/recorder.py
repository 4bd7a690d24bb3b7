"""The recorder: what the hooks report, kept and written as the capture record, inside the child process.

It tracks every ``tf.Graph`` the script creates, records every ``Session.run``
(deciding before each one, step by step, whether it executes: ``BEFORE_RUN``),
every ``get_variable`` call and ``apply_gradients``, and writes snapshots of all
of it to the capture directory so that a script that hangs or crashes still
leaves its partial graph behind. The hooks that call it are tables of patches
(``tf1_hooks.py``), installed by ``hooks.install``.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from typing import Any

from tfinspect.run.child.calls import Calls
from tfinspect.run.child.extract import FileTable, GraphExtractor
from tfinspect.run.child.errortext import error_summary
from tfinspect.runtime.frames import made_on_behalf
from tfinspect.runtime.sessions import expand_sparse, feed_name, flatten_fetches, user_call_site, user_callers
from tfinspect.run.child.skim import fetch_shape, in_while_loop
from tfinspect.record.options import CaptureOptions
from tfinspect.run.child.policy import CaptureStopped, RunPolicy, Verdict
from tfinspect.record.layout import (FEEDS, FORMAT, FORMAT_VERSION, METADATA, RUN_METADATA, escape_feed_key,
                                     feed_file, run_metadata_file, write_atomic)

# Fed arrays are kept for the first runs of every call site, within a byte budget.
KEEP_VALUES_PER_SITE = 20
KEEP_VALUES_BYTES = 1 << 30
INITIALIZER_FEEDS_KEPT = 3  # distinct feed_dicts kept per iterator initializer (train, validation, test)
METADATA_PER_SITE = 5  # RunMetadata kept for the first runs of each Session.run line ...
METADATA_BUDGET = 256 << 20  # ... until this many bytes are kept


@dataclass
class RunCall:
    """One ``Session.run`` while the recorder decides about it."""

    session: Any
    fetches: Any
    feed_dict: Any
    graph: Any
    frame: tuple | None  # the user's (file, line, function), or None for TensorFlow's own threads
    names: list[str]
    record: dict[str, Any]
    values: dict[str, Any]  # the fed arrays
    verdict: Verdict = Verdict.REAL
    key: tuple | None = None  # what identifies a line's run, for skimming
    allowed: bool = True
    condemned: bool = False

    @property
    def site(self):
        return self.frame[:2] if self.frame else None


class Recorder:
    """Collects graphs, runs and ``get_variable`` calls, and writes snapshots."""

    def __init__(self, out_dir: str, options: CaptureOptions, *, script: str, tf_version: str,
                 tf1_mode: bool) -> None:
        """``options`` whole, as the parent sent them: a new capture option is read where it is used."""
        self.out_dir = out_dir
        self.options = options
        self.trace = options.trace
        self.run_metadata = options.run_metadata
        self._metadata_per_site: dict[Any, int] = {}
        self._metadata_bytes = 0
        self.condemnation = None
        # Fed ids are checked before every run that would not execute (skimmed: were it executed, it might fail),
        # and with `tfinspect check` (options.guard) before every run: a run whose ids are out of range, fed or
        # constant, is not executed, and the script stops there as that run would have stopped it.
        from tfinspect.runtime.guard import _Checker

        self.checker = _Checker()
        if options.guard:
            from tfinspect.run.child.condemned import StaticCondemnation

            self.condemnation = StaticCondemnation(self, options.datasets)
        self.pipelines = None  # with `check`: pipelines that call Python are read once, by the script's runs
        if options.guard or options.datasets:
            from tfinspect.run.child.pipelines import PythonPipelines

            self.pipelines = PythonPipelines()
        self.policy = RunPolicy(options.runs)
        self.calls = Calls(self)  # TF2: tf.function traces as graphs, calls as runs
        self.notes = not options.quiet
        self._results: dict[tuple, Any] = {}  # (graph, line, fetch shape, fetch names) -> last real result
        self._plans: dict[tuple, Any] = {}  # (that key, fed names) -> SkimPlan
        self._real_keys: dict[int, tuple] = {}  # run index -> its key, while it executes
        self._skimming: dict[int, tuple] = {}  # run index -> its key, for a run being skimmed
        self._skim_noted = False
        self.header = {"format": FORMAT, "version": FORMAT_VERSION, "source": options.label or script,
                       "origin": options.origin, "tf_version": tf_version, "tf1_mode": tf1_mode}
        self.files = FileTable()
        self.extractors: list[GraphExtractor] = []
        self._ids: dict[int, int] = {}
        self.created_at: dict[int, dict[str, tuple[str, int, str] | None]] = {}
        self.variable_scopes: dict[int, dict[str, str]] = {}
        self.made_by: dict[int, dict[str, str]] = {}  # variable op -> the library object that made it
        self.datasets: dict[tuple[int, str], Any] = {}  # (id(graph), variant tensor name) -> Dataset
        self.one_shot: dict[tuple[int, str], Any] = {}  # (id(graph), OneShotIterator op name) -> Dataset
        # (id(graph), MakeIterator op name) -> the distinct feed_dicts the script ran that initializer with
        # (placeholders of from_tensor_slices), so that checks iterate the dataset as the script did
        self.initializer_feeds: dict[tuple[int, str], list[dict]] = {}
        self.paused = False  # tfinspect's own runs after the script (dataset iteration) are not recorded
        self.runs: list[dict[str, Any]] = []
        self.variable_calls: dict[int, list[dict[str, Any]]] = {}
        self.gradients: dict[int, list[dict[str, Any]]] = {}  # graph -> its apply_gradients calls
        self.stopped_at: dict[str, Any] | None = None
        self._lock = threading.RLock()
        self._kept_per_site: dict[Any, int] = {}
        self._kept_bytes = 0
        self._next_build_snapshot = 0.0
        self._final = False  # the snapshot with the outcome was written
        self._snapshot_versions: tuple[int, ...] = ()
        os.makedirs(os.path.join(out_dir, FEEDS), exist_ok=True)

    # -- graphs ------------------------------------------------------------
    def track_graph(self, graph) -> int:
        with self._lock:
            key = id(graph)
            if key not in self._ids:
                graph_id = self._ids[key] = len(self.extractors)
                self.created_at[graph_id] = {}
                self.extractors.append(GraphExtractor(graph, graph_id, self.files, self.created_at[graph_id]))
            return self._ids[key]

    def variable_op_created(self, graph, op_name: str, variable_scope: str, made_by: str | None) -> None:
        """Remember the variable scope a variable op was created in (its name shows only the name scope),
        and the library object that made it when the user's code did not (an optimizer's slots, ...)."""
        graph_id = self._ids.get(id(graph))
        if graph_id is None:
            graph_id = self.track_graph(graph)
        self.variable_scopes.setdefault(graph_id, {})[op_name] = variable_scope
        if made_by:
            self.made_by.setdefault(graph_id, {})[op_name] = made_by

    def op_created(self, graph, op_name: str) -> None:
        """Remember the user's line for a new op now, while its frames are alive.

        TensorFlow's own op tracebacks point at code objects that may be freed
        by the time we read them (a script's module code once runpy returns).
        """
        graph_id = self._ids.get(id(graph))
        if graph_id is None:
            graph_id = self.track_graph(graph)
        self.created_at[graph_id][op_name] = user_call_site(skip=2)
        if time.monotonic() >= self._next_build_snapshot:
            self.build_snapshot()

    def build_snapshot(self) -> None:
        """A snapshot while the graph grows, from the main thread (at op creation) or the watchdog, at most
        every 0.3 s and more seldom the longer one takes (20 times its cost), so that a script that then
        holds the GIL (a catastrophic regex, a C extension), where the watchdog cannot write the final
        snapshot, still leaves the graph it built."""
        with self._lock:
            if self._final or self.paused or time.monotonic() < self._next_build_snapshot or \
                    tuple(e.graph.version for e in self.extractors) == self._snapshot_versions:
                return  # after the final snapshot nothing may overwrite it (nor add tfinspect's own ops)
            started = time.monotonic()
            self.snapshot()
            self._next_build_snapshot = time.monotonic() + max(0.3, 20 * (time.monotonic() - started))

    # -- runs --------------------------------------------------------------
    def before_run(self, session, fetches, feed_dict) -> dict[str, Any]:
        """Record a run about to execute, and decide whether it does: each step of ``BEFORE_RUN`` in turn
        (the run policy and skimming, run metadata, the guard, the fed arrays kept). Raises CaptureStopped
        at a run that must not execute."""
        graph = session.graph
        graph_id = self.track_graph(graph)
        frame = user_call_site()
        names: list[str] = []
        flatten_fetches(graph, fetches, names)
        record: dict[str, Any] = {
            "index": len(self.runs), "graph": graph_id, "fetches": names, "feeds": [],
            "source": self.files.location(frame), "status": "running",
            "ops_before": self.extractors[graph_id].op_count(), "values_kept": False,
            "soft_placement": _soft_placement(session),
        }
        if feed_dict:
            self._remember_initializer_feeds(graph, names, feed_dict)
        call = RunCall(session, fetches, feed_dict, graph, frame, names, record,
                       values=self._feeds(graph, feed_dict, record))
        for step in BEFORE_RUN:
            step(self, call)
        with self._lock:
            self.runs.append(record)
        if not call.allowed:
            if not call.condemned and self.policy.reason:
                record["stop_reason"] = self.policy.reason
            self._stop_at(record)
        if call.verdict is Verdict.SKIM:
            record["status"] = "skimmed"
            self._skimming[record["index"]] = call.key
            self._note_skimming(frame)
        elif call.key is not None:
            self._real_keys[record["index"]] = call.key
        if self._snapshot_due():
            self.snapshot()
        return record

    def _stop_at(self, record: dict[str, Any]) -> None:
        """The script stops at this run, which does not execute: recorded, snapshotted, CaptureStopped raised."""
        record["status"] = "stopped"
        self.stopped_at = record
        self.snapshot()
        raise CaptureStopped()

    def _decide(self, call: RunCall) -> None:
        """The run policy: execute, skim or stop. Runs with no user code on the stack come from TensorFlow's
        own threads (QueueRunner, Coordinator): stopping them would break the input pipeline, and they are not
        steps, so they always execute."""
        if call.frame is None:
            return
        call.key = (id(call.graph), call.site, fetch_shape(call.fetches), tuple(call.names))
        plan = self._skim_plan(call.graph, call.key, call.names, [f["name"] for f in call.record["feeds"]])
        call.verdict = self.policy.decide(call.site, known=call.key in self._results, always_real=plan.always_real,
                                          misleading=plan.misleading,
                                          while_loop=not plan.inputs and in_while_loop(call.frame[0], call.frame[1]),
                                          monitored=_monitored(call.fetches))
        call.allowed = call.verdict is not Verdict.STOP

    def _ask_metadata(self, call: RunCall) -> None:
        if call.verdict is Verdict.REAL and self._wants_metadata(call.site):
            call.record["metadata_kept"] = False  # asked for: `run` passes FULL_TRACE, keep_metadata keeps it

    def _guard(self, call: RunCall) -> None:
        """``tfinspect check``: a run whose ids are out of range (fed, or from constants and datasets) is not
        executed; on a GPU it would silently read zeros."""
        if not call.allowed or (not self.options.guard and call.verdict is not Verdict.SKIM):
            return
        from tfinspect.run.child.condemned import CondemnedRun
        from tfinspect.runtime.guard import TfinspectBoundsError

        try:
            self.checker.check(call.session, call.fetches, call.feed_dict)
            if self.condemnation is not None:
                self.condemnation.check(call.graph, call.names, [f["name"] for f in call.record["feeds"]])
        except TfinspectBoundsError as error:
            call.allowed, call.condemned = False, True
            call.record["error"] = f"not executed: {error.tensor} is out of range for {error.op}"
        except CondemnedRun as error:
            call.allowed, call.condemned = False, True
            call.record["error"] = str(error)

    def _keep_feeds(self, call: RunCall) -> None:
        """The fed arrays of the first runs of a line. The stopped run's feeds are kept too: checks can say what
        it would have done. A run the guard condemned is kept whatever the budget, at any step: its finding must
        not be lost."""
        values = {name: value for name, value in call.values.items() if _ids_like(call.graph, name, value)}
        if values and (call.condemned or self._keep_values(call.site, values)):
            self.save_values(call.record, values)

    def save_values(self, record: dict[str, Any], values: dict[str, Any]) -> None:
        """Write a run's (or a TF2 call's) kept arrays beside the capture."""
        import numpy as np

        path = os.path.join(self.out_dir, feed_file(record["index"]))
        np.savez(path, **{escape_feed_key(k): v for k, v in values.items()})
        record["values_kept"] = True

    def _skim_plan(self, graph, key, names: list[str], fed_names: list[str]):
        from tfinspect.run.child.skim import skim_plan

        plan = self._plans.get((key, tuple(fed_names)))
        if plan is None:
            plan = self._plans[(key, tuple(fed_names))] = skim_plan(graph, names, fed_names)
        return plan

    def skimmed_result(self, session, record: dict[str, Any], feed_dict, run):
        """The result of a skimmed run: the line's last real result (a copy). Its input ops still execute
        (``run`` is TensorFlow's own Session.run), so a dataset or a queue advances and ends where it would:
        their OutOfRangeError reaches the script."""
        key = self._skimming.pop(record["index"])
        plan = self._plans.get((key, tuple(f["name"] for f in record["feeds"])))
        if plan is not None and plan.inputs:
            getters = self._python_getters(session.graph, plan)
            values = self._read_inputs(session, record, feed_dict, run, list(plan.inputs), getters)
            if getters:
                self._check_read(session.graph, record, _by_getter(getters, plan.inputs, values))
        return copied_result(self._results[key])

    def _python_getters(self, graph, plan) -> list:
        """The get-next ops of pipelines that call Python which this run reads (not through a control edge),
        whose outputs the skim plan fetches (not a variant: skim.py) and the run can be fed."""
        if self.pipelines is None or plan is None or not plan.inputs:
            return []
        fetched = set(plan.inputs)
        return [g for g in self.pipelines.getters(graph, plan.inputs) if g.name not in plan.controlled
                and all(t.name in fetched and graph.is_feedable(t) for t in g.outputs)]

    def read_python_inputs(self, session, record: dict[str, Any], feed_dict, run) -> dict | None:
        """``check``: a run that reads a pipeline calling Python reads it first, alone (``run`` is TensorFlow's
        own Session.run); the element is kept and its ids checked, and the returned feeds stand for it in the
        run itself, so the pipeline advances once, as in a plain run (run/child/pipelines.py). None: nothing to
        split. Raises what reading raised (the script sees it as the run's error), or CaptureStopped when the
        element's ids would fail the run."""
        key = self._real_keys.get(record["index"])
        if key is None or self.pipelines is None:
            return None
        graph = session.graph
        getters = self._python_getters(graph, self._plans.get((key, tuple(f["name"] for f in record["feeds"]))))
        if not getters:
            return None
        tensors = [t for g in getters for t in g.outputs]
        values = self._read_inputs(session, record, feed_dict, run, [t.name for t in tensors], getters)
        self._check_read(graph, record, _by_getter(getters, [t.name for t in tensors], values))
        return dict(zip(tensors, values))

    def _read_inputs(self, session, record: dict[str, Any], feed_dict, run, names: list[str], getters) -> list:
        """Run a run's input ops alone (``run``: TensorFlow's own Session.run); what they raise is the run's error
        (and, for ``getters``, how their pipeline ended)."""
        try:
            return run(session, names, feed_dict)
        except BaseException as error:
            for getter in getters:
                self.pipelines.ended(session.graph, getter, error)
            self.after_run(record, error)
            raise

    def _check_read(self, graph, record: dict[str, Any], read: dict[str, list]) -> None:
        """Keep what a run read from pipelines that call Python; stop the script at a run whose ids are out of
        range (it is not executed, as a condemned run)."""
        from tfinspect.run.child.condemned import CondemnedRun

        for name, values in read.items():
            self.pipelines.keep(graph, graph.get_operation_by_name(name), values)
        if self.condemnation is None:
            return
        try:
            self.condemnation.check_read(graph, record["fetches"], [f["name"] for f in record["feeds"]], read)
        except CondemnedRun as error:
            self._real_keys.pop(record["index"], None)
            record["error"] = str(error)
            self._stop_at(record)

    def _note_skimming(self, frame, what: str = "run", index: int | None = None,
                       detail: str = "after the first runs of each Session.run line, later runs that fetch the "
                                     "same do not execute and return that line's last real result (printed values "
                                     "repeat; --runs all executes every run)") -> None:
        """Say once, on stderr, where skimming began (a Session.run, or a TF2 call with its own ``detail``)."""
        if self._skim_noted or not self.notes:
            return
        self._skim_noted = True
        where = f"{os.path.basename(frame[0])}:{frame[1]}" if frame else "a line"
        number = len(self.runs) - 1 if index is None else index
        print(f"tfinspect: skimming from {what} #{number} ({where}): {detail}", file=sys.stderr)

    def initializer_feeds_of(self, graph, maker) -> dict | None:
        """The last feed_dict the script ran the iterator initializer ``maker`` with (None: none, or not fed)."""
        kept = self.initializer_feeds.get((id(graph), maker.name))
        return kept[-1] if kept else None

    def _remember_initializer_feeds(self, graph, names: list[str], feed_dict) -> None:
        """Keep the feeds of a run that initializes an iterator (directly, or through tf.group)."""
        makers = []
        for name in names:
            try:
                op = graph.get_operation_by_name(name.split(":")[0])
            except (KeyError, ValueError):
                continue
            ops = [op] + (list(op.control_inputs) if op.type == "NoOp" else [])
            makers += [o.name for o in ops if o.type == "MakeIterator"]
        for maker in makers:
            kept = self.initializer_feeds.setdefault((id(graph), maker), [])
            if len(kept) < INITIALIZER_FEEDS_KEPT and not any(
                    k.keys() == feed_dict.keys() and all(k[key] is feed_dict[key] for key in k) for k in kept):
                kept.append(dict(feed_dict))

    def _wants_metadata(self, site) -> bool:
        """Whether to ask TensorFlow for a run's RunMetadata: the first few runs of each call site."""
        if not self.run_metadata or self._metadata_bytes > METADATA_BUDGET:
            return False
        seen = self._metadata_per_site.get(site, 0)
        self._metadata_per_site[site] = seen + 1
        return seen < METADATA_PER_SITE

    def keep_metadata(self, record: dict[str, Any], run_metadata) -> None:
        data = run_metadata.SerializeToString()
        os.makedirs(os.path.join(self.out_dir, RUN_METADATA), exist_ok=True)
        with open(os.path.join(self.out_dir, run_metadata_file(record["index"])), "wb") as f:
            f.write(data)
        self._metadata_bytes += len(data)
        record["metadata_kept"] = True

    def after_run(self, record: dict[str, Any], error: BaseException | None, result: Any = None) -> None:
        if record["status"] != "skimmed":
            record["status"] = "ok"
            key = self._real_keys.pop(record["index"], None)
            if key is not None and error is None:
                self._results[key] = result  # what a skimmed run at this line returns
        if error is not None:
            record["status"] = "error"
            record["error"] = error_summary(error)

    def _feeds(self, graph, feed_dict, record: dict[str, Any]) -> dict[str, Any]:
        import numpy as np

        values = {}
        for key, value in expand_sparse(feed_dict or {}):
            name = feed_name(graph, key)
            try:
                array = np.asarray(value)
                if array.dtype == object:
                    raise ValueError("object array")
                dtype = "string" if array.dtype.kind in "SU" else array.dtype.name  # not numpy's "str1216"
                record["feeds"].append({"name": name, "dtype": dtype, "shape": list(array.shape)})
                values[name] = array
            except Exception:
                record["feeds"].append({"name": name, "dtype": "unknown", "shape": []})
        return values

    def _keep_values(self, site, values: dict[str, Any]) -> bool:
        size = sum(v.nbytes for v in values.values())
        count = self._kept_per_site.get(site, 0)
        if count >= KEEP_VALUES_PER_SITE or self._kept_bytes + size > KEEP_VALUES_BYTES:
            return False
        self._kept_per_site[site] = count + 1
        self._kept_bytes += size
        return True

    def _snapshot_due(self) -> bool:
        # While the graph grows, every run; then at run 16, 32, 64, ...: a long
        # training loop costs a logarithmic number of snapshots.
        versions = tuple(e.graph.version for e in self.extractors)
        n = len(self.runs)
        return versions != self._snapshot_versions or n <= 10 or (n >= 16 and n & (n - 1) == 0)

    # -- get_variable ------------------------------------------------------
    def variable_call(self, graph, name: str, reused: bool, name_scope: str, variable_scope: str) -> None:
        graph_id = self.track_graph(graph)
        frames = user_callers()
        call = {
            # a slot's store key ends in "/" (slot_creator asks for "" inside a scope named after it)
            "name": name.rstrip("/"), "reused": reused, "name_scope": name_scope, "variable_scope": variable_scope,
            "source": self.files.location(frames[0] if frames else None),
            "callers": [self.files.location(f) for f in frames[1:]],
        }
        made_by = made_on_behalf(sys._getframe(1))
        if made_by:
            call["made_by"] = made_by
        self.variable_calls.setdefault(graph_id, []).append(call)

    # -- optimizers -------------------------------------------------
    def gradients_applied(self, graph, optimizer, pairs) -> None:
        """An ``apply_gradients`` call (``minimize`` makes one): which variables got a gradient, which None."""
        graph_id = self.track_graph(graph)
        names, missing = [], []
        for gradient, variable in pairs:
            name = getattr(getattr(variable, "op", None), "name", None)
            if not isinstance(name, str):
                continue
            names.append(name)
            if gradient is None:
                missing.append(name)
        self.gradients.setdefault(graph_id, []).append({
            "variables": names, "missing": missing, "optimizer": type(optimizer).__name__,
            "source": self.files.location(user_call_site()),
        })

    # -- output ------------------------------------------------------------
    def snapshot(self, outcome: dict[str, Any] | None = None) -> None:
        """Write everything recorded so far; safe to call from the watchdog thread. The snapshot with an
        outcome is the final one: no snapshot without an outcome follows it."""
        with self._lock:
            if self._final and outcome is None:
                return
            self._final = self._final or outcome is not None
            graphs = []
            for extractor in self.extractors:
                if extractor.op_count() == 0 and not any(r["graph"] == extractor.graph_id for r in self.runs):
                    continue  # graphs the script never used (the initial default graph, ...)
                try:
                    meta, data = extractor.extract(self.variable_calls.get(extractor.graph_id, []),
                                                   self.variable_scopes.get(extractor.graph_id, {}),
                                                   self.made_by.get(extractor.graph_id, {}))
                except Exception as e:  # a graph mutated under our feet: keep the older snapshot
                    print(f"tfinspect: could not snapshot graph {extractor.graph_id}: {e}", file=sys.stderr)
                    if os.environ.get("TFINSPECT_DEBUG"):
                        import traceback
                        traceback.print_exc()
                    continue
                write_atomic(os.path.join(self.out_dir, meta["graph_def"]), data)
                meta["gradients"] = self.gradients.get(extractor.graph_id, [])
                seed = getattr(extractor.graph, "seed", None)
                meta["seed"] = int(seed) if isinstance(seed, int) else None
                graphs.append(meta)
            document = dict(self.header)
            document.update({"files": self.files.files, "graphs": graphs, "runs": self.runs,
                             "outcome": outcome, "written": time.time()})
            write_atomic(os.path.join(self.out_dir, METADATA), json.dumps(document).encode())
            self._snapshot_versions = tuple(e.graph.version for e in self.extractors)


# What is decided before a run executes, in order.
BEFORE_RUN = (Recorder._decide, Recorder._ask_metadata, Recorder._guard, Recorder._keep_feeds)


def _ids_like(graph, name: str, value) -> bool:
    """Whether a fed array is kept: what the checks read are ids and labels, integers (or booleans), and
    floats fed to an integer placeholder (TensorFlow converts them). Float data (images, embeddings) is
    recorded by dtype and shape only: a capture of a script that feeds large float arrays stays small."""
    kind = getattr(getattr(value, "dtype", None), "kind", "")
    if kind in "iub":
        return bool(kind)
    if kind != "f":
        return False
    try:
        return graph.get_tensor_by_name(name).dtype.is_integer
    except (KeyError, ValueError, AttributeError):
        return False


def _soft_placement(session) -> bool | None:
    config = getattr(session, "_config", None)
    value = getattr(config, "allow_soft_placement", None)
    return value if isinstance(value, bool) else None


def copied_result(value):
    """A copy of a Session.run result for a skimmed run, so that the script changing one in place does not
    change the next. Containers and arrays are copied; dict keys are kept as they are (MonitoredSession's
    hooks key their fetches by the hook objects, which hold tensors and cannot be copied); a value that
    cannot be copied is returned itself."""
    import copy

    import numpy as np

    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        items = [(k, copied_result(v)) for k, v in value.items()]
        try:
            return type(value)(items)
        except Exception:
            return dict(items)
    if isinstance(value, (list, tuple)):
        items = [copied_result(v) for v in value]
        if isinstance(value, tuple) and hasattr(value, "_fields"):
            return type(value)(*items)
        try:
            return type(value)(items)
        except Exception:
            return items if isinstance(value, list) else tuple(items)
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _by_getter(getters, names, values) -> dict[str, list]:
    """get-next op name -> the values of its outputs, from the values of ``names`` run together."""
    by_name = dict(zip(names, values))
    return {g.name: [by_name[t.name] for t in g.outputs] for g in getters}


def _monitored(fetches) -> bool:
    """A Session.run made by a MonitoredSession: it fetches {'caller': the script's fetches, hook: ...}."""
    return isinstance(fetches, dict) and "caller" in fetches and any(not isinstance(k, str) for k in fetches)
