"""TF2 calls as runs: each trace of a ``tf.function`` is a graph of the capture, each call from eager code a run
of it (fetching the trace's outputs, feeding its arguments), decided before it executes like a
``Session.run``: the run policy (execute, skim, stop), the guard (ids out of range: not executed), the fed
integer arrays kept.

A skimmed call does not execute: it returns the line's last real result, and a tf.data iterator it was given
advances by one element, so that a loop that ends when its data ends (Keras ``fit`` on a dataset of unknown
length) still ends.
"""

from __future__ import annotations

import inspect
import os
import sys
from typing import Any

from tfinspect.run.child.policy import CaptureStopped, Verdict
from tfinspect.run.child.tf2 import TraceGraph, variable_path

STATIC_CODES = ("TFI001", "TFI003", "TFI008")
DATA_BYTES = 64 << 20  # ids of a dataset read ahead for one call's check, at most
SKIM_DATA_ELEMENTS = 10_000  # elements read ahead for skimmed calls when no --max-elements was given


class TraceExtractor:
    """A trace's graph in the capture (the interface of ``extract.GraphExtractor``); a trace never grows."""

    def __init__(self, trace: TraceGraph, graph_id: int, files, function: dict[str, Any],
                 variable_sites: dict[int, Any]) -> None:
        self.trace, self.graph, self.graph_id, self.files = trace, trace.graph, graph_id, files
        self.function = function
        self._variable_sites = variable_sites
        self._cached: tuple[dict[str, Any], bytes] | None = None

    def op_count(self) -> int:
        return len(self.trace.graph_def.node)

    def extract(self, variable_calls, variable_scopes=None, made_by=None) -> tuple[dict[str, Any], bytes]:
        if self._cached is None:
            from tfinspect.record.layout import graph_file
            from tfinspect.run.child.extract import _dtype_name, shape_list

            sources = {name: self.files.location(frame) for name, frame in self.trace.frames.items() if frame}
            variables = []
            for entry in self.trace.variables:
                variable = entry["variable"]
                site = self.files.location(self._variable_sites.get(id(variable)))
                if site is not None:
                    sources[entry["op"]] = site  # the line that created the variable, not the one that traced
                variables.append({
                    "name": entry["op"], "shape": shape_list(getattr(variable, "shape", None)),
                    "dtype": _dtype_name(getattr(variable, "dtype", None)) or "unknown",
                    "trainable": bool(getattr(variable, "trainable", False)), "kind": "resource",
                    "created_by": "tf.Variable", "collections": [],
                    "source": site,
                    "variable_scope": None, "made_by": None,
                })
            meta = {"id": self.graph_id, "graph_def": graph_file(self.graph_id), "sources": sources,
                    "variables": variables, "collections": {}, "variable_calls": [], "function": self.function}
            self._cached = (meta, self.trace.graph_def.SerializeToString())
        return self._cached


class Calls:
    """The recorder's TF2 side (``recorder.calls``)."""

    def __init__(self, recorder) -> None:
        self.recorder = recorder
        self.library: dict[str, Any] = {}  # function name -> ConcreteFunction (what inlining reads)
        self.graph_ids: dict[int, int] = {}  # id(ConcreteFunction) -> its graph in the capture
        self.traces: dict[int, list[tuple[Any, int]]] = {}  # id(Function) -> [(ConcreteFunction, graph id)]
        self.variable_sites: dict[int, Any] = {}  # id(variable) -> the user's line that created it
        self.numbers: dict[int, int] = {}  # id(Function) -> its number (which traces belong together)
        self._keep: list = []  # concrete functions kept alive, so that their ids are not reused
        self._results: dict[tuple, Any] = {}  # (graph, line) -> the last real result
        self._iterators: dict[int, list] = {}  # id(iterator) -> [iterator, its dataset's length, elements read]
        self._reads: dict[int, int] = {}  # id(iterator) -> elements real calls read, before it was first skimmed
        self._keys: dict[int, tuple] = {}  # run index -> its (graph, line), while it is decided and executes
        self._gradients: dict[int, list] = {}  # id(FuncGraph) -> its optimizers' apply calls (TFI016)
        self._unrecorded: set[str] = set()  # traces whose calls could not be recorded (said once each)
        self._guards: dict[int, Any] = {}
        self._data: dict[tuple, Any] = {}
        self._python: dict[int, tuple] = {}  # id(dataset) -> (dataset, the stage that calls Python or None)
        self._data_checked: set[tuple] = set()  # (id(dataset), port, id(the trace's guard)) read and checked

    # -- what the hooks report -----------------------------------------------------------------------------
    def known(self, function) -> None:
        """Register every trace of ``function`` (also one traced inside another function's graph)."""
        try:
            concretes = function._list_all_concrete_functions()  # noqa: SLF001
        except Exception:
            return
        for concrete in concretes:
            self.library.setdefault(_name(concrete), concrete)

    def belongs(self, concrete, function) -> bool:
        """Whether ``concrete`` is a trace of ``function`` (not a function TensorFlow runs on the way, such as
        Keras' variable initialisers)."""
        name = _name(concrete)
        own = getattr(function, "_name", None) or ""
        return name.startswith("__inference_") and (not own or name[len("__inference_"):].startswith(own))

    def variable_created(self, variable) -> None:
        from tfinspect.runtime.sessions import user_call_site

        if len(self.variable_sites) < 100_000:
            self.variable_sites[id(variable)] = user_call_site(skip=3)

    def gradients_applied(self, optimizer, grads, variables) -> None:
        """A Keras optimizer's ``apply`` while a function traces: which variables got a gradient, which None
        (Keras skips those with a warning). Kept by the FuncGraph, for the trace that holds it."""
        from tensorflow.python.framework import ops

        from tfinspect.runtime.frames import traced_call_site

        graph = ops.get_default_graph()
        if not getattr(graph, "_tfinspect_function_graph", None) and type(graph).__name__ != "FuncGraph":
            return
        names, missing = [], []
        for gradient, variable in zip(grads, variables):
            name = variable_path(variable)
            names.append(name)
            if gradient is None:
                missing.append(name)
        self._gradients.setdefault(id(graph), []).append({
            "variables": names, "missing": missing, "optimizer": type(optimizer).__name__,
            "source": self.recorder.files.location(traced_call_site()),
            "sites": {name: self.recorder.files.location(self.variable_sites.get(id(variable)))
                      for name, variable in zip(names, variables) if name in missing}})
        self._keep.append(graph)

    def not_recorded(self, concrete, error: Exception) -> None:
        """A call tfinspect could not record (a trace it cannot rewrite): said once per trace, on stderr."""
        name = _name(concrete)
        if name in self._unrecorded:
            return
        self._unrecorded.add(name)
        print(f"tfinspect: a call of {name} was not recorded ({type(error).__name__}: {str(error)[:200]}); it runs "
              "as usual, unchecked", file=sys.stderr)
        if os.environ.get("TFINSPECT_DEBUG"):
            import traceback

            traceback.print_exc()

    def after_call(self, pending) -> None:
        from tfinspect.run.child.tf2_hooks import _tracing_count

        if _tracing_count(pending["function"]) != pending["traces"]:  # traced: its functions join the library
            self.known(pending["function"])

    # -- a call ----------------------------------------------------------------------------------------------
    def before_call(self, concrete, pending, tensor_inputs, captured_inputs) -> dict[str, Any]:
        recorder = self.recorder
        function = pending["function"]
        graph_id = self._graph_of(concrete, function, pending)
        extractor = recorder.extractors[graph_id]
        names = [t.name for t in concrete.outputs] or \
            [op.name for op in getattr(concrete.graph, "control_outputs", ()) or ()]
        site = pending["site"]
        record: dict[str, Any] = {
            "index": len(recorder.runs), "graph": graph_id, "fetches": names, "feeds": [], "kind": "call",
            "source": recorder.files.location(site), "status": "running", "ops_before": extractor.op_count(),
            "values_kept": False,
        }
        values = self._feeds(concrete, tensor_inputs, captured_inputs, record, extractor.trace.captured_placeholders)
        key = (graph_id, site[:2] if site else None)
        verdict = Verdict.REAL
        allowed = True
        if site is not None:
            verdict = recorder.policy.decide(site[:2], known=key in self._results, always_real=False,
                                             misleading=None, while_loop=False)
            allowed = verdict is not Verdict.STOP
        condemned = False
        if allowed and (recorder.options.guard or verdict is Verdict.SKIM):  # a skimmed call might have failed
            error = self._guard(graph_id, extractor.trace, values, pending, record)
            if error is not None:
                allowed, condemned = False, True
                record["error"] = error
        if values and (condemned or recorder._keep_values(key[1], values)):
            recorder.save_values(record, values)
        with recorder._lock:
            recorder.runs.append(record)
        if not allowed:
            record["status"] = "stopped"
            if not condemned and recorder.policy.reason:
                record["stop_reason"] = recorder.policy.reason
            recorder.stopped_at = record
            recorder.snapshot()
            raise CaptureStopped()
        self._keys[record["index"]] = key
        if verdict is Verdict.SKIM:
            record["status"] = "skimmed"
            self._note_skimming(site, len(recorder.runs) - 1)
        if recorder._snapshot_due():
            recorder.snapshot()
        return record

    def after_real(self, record: dict[str, Any], result, pending=None) -> None:
        if pending is not None:
            self._count_read(pending)
        key = self._keys.pop(record["index"], None)
        record["status"] = "ok"
        if key is not None:
            self._results[key] = result

    def skimmed_result(self, record: dict[str, Any], pending):
        """The line's last real result. Each tf.data iterator given to the call advances by one element, as
        the call would have read one: where the dataset's length is known it is counted, not read (Keras'
        loop stops by count; a loop that waits for the end gets TensorFlow's OutOfRangeError at the same
        call), else the element is read."""
        key = self._keys.pop(record["index"], None)
        for iterator in _iterators(pending):
            try:
                self._advance(iterator)
            except BaseException as error:
                self.recorder.after_run(record, error)
                raise
        return self._results[key]

    def _advance(self, iterator) -> None:
        state = self._iterators.get(id(iterator))
        if state is None or state[0] is not iterator:
            length = -2
            try:
                length = int(_dataset_of(iterator).cardinality())  # (-1: infinite, -2: unknown)
            except Exception:
                pass
            state = self._iterators[id(iterator)] = [iterator, length, self._reads.get(id(iterator), 0)]
        length = state[1]
        if self._python_stage(_dataset_of(iterator)) is not None:
            iterator.get_next()  # Python in the pipeline: its side effects happen once per call, as they would
            return
        if length == -1:
            return  # endless: nothing to count
        if length < 0:
            iterator.get_next()
            return
        state[2] += 1
        if state[2] > length:
            import tensorflow as tf

            raise tf.errors.OutOfRangeError(None, None, "End of sequence")

    def _count_read(self, pending) -> None:
        """A real call read one element of each iterator it was given."""
        for iterator in _iterators(pending):
            state = self._iterators.get(id(iterator))
            if state is not None and state[0] is iterator:
                state[2] += 1
            else:
                self._reads[id(iterator)] = self._reads.get(id(iterator), 0) + 1

    # -- the graph of a trace ------------------------------------------------------------------------------
    def _graph_of(self, concrete, function, pending) -> int:
        found = self.graph_ids.get(id(concrete))
        if found is not None:
            return found
        self.known(function)  # a new trace: the functions it calls must be known to inline them
        recorder = self.recorder
        traces = self.traces.setdefault(id(function), [])
        if id(function) not in self.numbers:
            self.numbers[id(function)] = len(self.numbers)
            self._keep.append(function)
        info = _function_info(function, concrete, len(traces) + 1, traces[-1][0] if traces else None,
                              recorder.files, pending, self.numbers[id(function)])
        trace = TraceGraph(concrete, self.library)
        with recorder._lock:
            graph_id = len(recorder.extractors)
            recorder.extractors.append(TraceExtractor(trace, graph_id, recorder.files, info, self.variable_sites))
            recorder._ids[id(concrete.graph)] = graph_id
            recorder.created_at[graph_id] = {}
        self.graph_ids[id(concrete)] = graph_id
        traces.append((concrete, graph_id))
        applied = [call for graph in trace.graphs for call in self._gradients.get(id(graph), ())]
        if applied:
            recorder.gradients[graph_id] = applied
        self._keep.append(concrete)
        return graph_id

    def _feeds(self, concrete, tensor_inputs, captured_inputs, record, captured: set[str]) -> dict[str, Any]:
        """The call's arguments (and captured tensors that are not variables) as feeds; integer values kept."""
        values = {}
        placeholders = list(concrete.inputs)
        given = list(tensor_inputs) + list(captured_inputs)
        for placeholder, value in zip(placeholders, given):
            dtype = getattr(getattr(value, "dtype", None), "name", None)
            if dtype is None or placeholder.op.name in captured:
                continue  # a captured variable is a VarHandleOp in the capture's graph, not a feed
            if dtype in ("resource", "variant"):  # an iterator, a lookup table: fed by the call, no values
                record["feeds"].append({"name": placeholder.name, "dtype": dtype, "shape": []})
                continue
            shape = [int(d) if d is not None else -1 for d in getattr(value, "shape", ())]
            record["feeds"].append({"name": placeholder.name, "dtype": dtype if dtype != "string" else "string",
                                    "shape": shape})
            if dtype.startswith(("int", "uint")):
                try:
                    values[placeholder.name] = value.numpy()
                except Exception:
                    pass
        return values

    # -- the guard ---------------------------------------------------------------------------------------------
    def _guard(self, graph_id: int, trace: TraceGraph, values, pending, record) -> str | None:
        """Why the call must not execute (ids out of range: fed, constant, or in the dataset it reads), or None."""
        from tfinspect.analyses.lookups import check_ids

        guard = self._guards.get(graph_id)
        if guard is None:
            guard = self._guards[graph_id] = _TraceGuard(trace)
        if guard.condemned:
            return guard.condemned
        for tensor, constraints in guard.by_tensor.items():
            ids = values.get(tensor)
            if ids is None:
                continue
            for lookup, size, low, what in constraints:
                violation = check_ids(ids, size, low=low)
                if violation is not None:
                    return (f"not executed: {tensor} holds {violation.describe()} outside [{low}, {size}) for "
                            f"{what} indexed by {lookup}")
        limit = self.recorder.options.datasets or (SKIM_DATA_ELEMENTS if not self.recorder.options.guard else 0)
        if guard.by_port and limit > 0:
            iterators = _iterators(pending)
            if len(iterators) == 1:
                return self._dataset_guard(guard, iterators[0], record, values, limit)
        return None

    def _dataset_guard(self, guard, iterator, record, values, limit: int) -> str | None:
        """Read the dataset behind the call's iterator ahead (once per dataset) and check its ids against the
        lookups of the call's trace (once per trace: Keras' evaluate after fit reads the same dataset with
        another trace, and a second model may read it with a smaller table)."""
        from tfinspect.analyses.lookups import check_ids

        dataset = _dataset_of(iterator)
        if dataset is None:
            return None
        stage = self._python_stage(dataset)
        if stage is not None:  # reading it ahead would run the script's Python again (run/child/pipelines.py)
            record["data_unread"] = f"its pipeline calls Python ({stage}), which tfinspect does not run again"
            return None
        error = None
        for (getter, port), constraints in guard.by_port.items():
            key = (id(dataset), port)
            if key not in self._data:
                self._data[key] = _component(self.recorder, dataset, port, limit)
            ids = self._data[key]
            if ids is None or (*key, id(guard)) in self._data_checked:
                continue  # not integers, or checked for this trace at an earlier call
            self._data_checked.add((*key, id(guard)))
            tensor = f"{getter}:{port}"
            record.setdefault("data", []).append({"name": tensor, "dtype": ids.dtype.name, "shape": list(ids.shape)})
            for lookup, size, low, what in constraints:
                violation = check_ids(ids, size, low=low)
                if violation is not None and error is None:  # every component is read: all are checked
                    values[tensor] = ids  # kept with the call's fed arrays: the finding's evidence
                    error = (f"not executed: the dataset it reads ({tensor}) holds {violation.describe()} outside "
                             f"[{low}, {size}) for {what} indexed by {lookup}")
        return error

    def _python_stage(self, dataset) -> str | None:
        """The stage of ``dataset`` that calls Python, or None (asked once per dataset)."""
        from tfinspect.run.child.pipelines import dataset_python_stage

        found = self._python.get(id(dataset))
        if found is None or found[0] is not dataset:
            found = self._python[id(dataset)] = (dataset, dataset_python_stage(dataset))
        return found[1]

    def _note_skimming(self, site, index: int) -> None:
        self.recorder._note_skimming(site, "call", index, "after the first calls of each line, later calls of the "
                                     "same function do not execute and return that line's last real result (a "
                                     "tf.data iterator still advances; --runs all executes every call)")


class _TraceGuard:
    """The lookups of one trace: by the placeholder their ids come from, and by the iterator output."""

    def __init__(self, trace: TraceGraph) -> None:
        from tfinspect.analyses.lookups import find_lookups
        from tfinspect.index.graphindex import GraphIndex

        index = GraphIndex.build(trace.graph_def)
        self.by_tensor: dict[str, list[tuple]] = {}
        self.by_port: dict[tuple[str, int], list[tuple]] = {}
        for lookup in find_lookups(index):
            if lookup.size is None:
                continue
            for origin in lookup.origins:
                entry = (index.names[lookup.node], lookup.size, lookup.low(origin), lookup.what)
                if origin.kind == "placeholder":
                    self.by_tensor.setdefault(f"{index.names[origin.node]}:{origin.port}", []).append(entry)
                elif origin.kind == "dataset":
                    self.by_port.setdefault((index.names[origin.node], origin.port), []).append(entry)
        self.condemned = self._static(trace)

    @staticmethod
    def _static(trace: TraceGraph) -> str | None:
        """Ids that fail whatever the call is given (a constant beyond its table, a sampler's range)."""
        from tfinspect.checks import run_checks
        from tfinspect.record.model import Capture, GraphCapture

        capture = Capture(source="<trace>", origin="live", graphs=(GraphCapture(0, trace.graph_def),))
        for finding in run_checks(capture, select=",".join(STATIC_CODES)):
            return f"not executed: {finding.op} fails whatever is given ({finding.code})"
        return None


def _component(recorder, dataset, port: int, limit: int):
    """The integer values of component ``port`` of the dataset's first ``limit`` elements, flattened (None:
    not integers, or the dataset raised)."""
    recorder.paused = True
    try:
        try:  # batches of batches: a few Python steps instead of one per element
            return _read(dataset.take(limit).unbatch().batch(1 << 16), port)
        except Exception:  # components without a batch dimension, or elements that do not unbatch
            return _read(dataset.take(limit), port)
    except Exception:  # the dataset fails when read: the script's own run will say so
        return None
    finally:
        recorder.paused = False


def _read(dataset, port: int):
    import numpy as np
    import tensorflow as tf

    chunks, size = [], 0
    for element in dataset:
        parts = tf.nest.flatten(element, expand_composites=True)
        if port >= len(parts):
            return None
        array = np.asarray(parts[port]).reshape(-1)
        if array.dtype.kind not in "iu":
            return None
        chunks.append(array)
        size += array.nbytes
        if size > DATA_BYTES:
            break
    return np.concatenate(chunks) if chunks else None


def _dataset_of(iterator):
    """The tf.data dataset an iterator reads: its own, or for a tf.distribute iterator (Keras under a
    MirroredStrategy) its single worker's, which yields the same elements split per replica; None otherwise."""
    dataset = getattr(iterator, "_dataset", None)
    if dataset is None:
        workers = getattr(iterator, "_iterators", None)
        if isinstance(workers, (list, tuple)) and len(workers) == 1:
            dataset = getattr(workers[0], "_dataset", None)
    return dataset


def _iterators(pending) -> list:
    """The tf.data iterators among a call's arguments (Keras' step functions are given one)."""
    found = []
    for value in list(pending["args"]) + list(pending["kwargs"].values()):
        if hasattr(value, "get_next") and _dataset_of(value) is not None:
            found.append(value)
    return found


def _name(concrete) -> str:
    name = getattr(concrete, "name", "")
    return name.decode() if isinstance(name, bytes) else str(name)


def _function_info(function, concrete, trace: int, previous, files, pending, function_number: int) -> dict[str, Any]:
    python = getattr(function, "python_function", None)
    code = getattr(inspect.unwrap(python), "__code__", None) if python is not None else None
    source = files.location((code.co_filename, _def_line(code), code.co_name)) if code is not None else None
    qualname = str(getattr(python, "__qualname__", None) or getattr(function, "_name", "function"))
    if "<locals>." in qualname:  # a function made by another (Keras' step functions): its own name
        qualname = qualname.rsplit("<locals>.", 1)[1]
    if code is not None and _is_keras(code.co_filename):
        qualname = f"keras {_keras_entry() or ''} {qualname}".replace("  ", " ")
    info = {"name": str(qualname), "library_name": _name(concrete), "trace": trace, "source": source,
            "function": function_number,
            "signature": signature_text(concrete, python), "reason": None}
    if previous is not None:
        info["reason"] = retrace_reason(previous, concrete, python)
    elif python is not None and not _is_keras(code.co_filename if code is not None else ""):
        info["side_effects"] = side_effects(inspect.unwrap(python))
    return info


_MUTATORS = frozenset({"append", "extend", "insert", "add", "update", "setdefault", "pop", "remove", "clear"})


def side_effects(python) -> list[dict[str, Any]]:
    """Python statements of a function's body that run only while TensorFlow traces it: ``print(...)`` and
    changes to containers the function did not make (``losses.append(loss)``)."""
    import ast
    import textwrap

    try:
        lines, first = inspect.getsourcelines(python)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return []
    function = next((node for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))),
                    None)
    if function is None:
        return []
    local = {a.arg for a in function.args.args + function.args.kwonlyargs}
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            local.add(node.id)
    found = []
    for node in ast.walk(function):
        if not isinstance(node, ast.Call):
            continue
        target = node.func
        if isinstance(target, ast.Name) and target.id == "print":
            found.append({"line": first + node.lineno - 1, "what": "print(...)"})
        elif isinstance(target, ast.Attribute) and target.attr in _MUTATORS and isinstance(target.value, ast.Name) \
                and target.value.id not in local and target.value.id not in ("tf", "self"):
            found.append({"line": first + node.lineno - 1, "what": f"{target.value.id}.{target.attr}(...)"})
        if len(found) >= 10:
            break
    return sorted(found, key=lambda item: item["line"])


def _keras_entry() -> str | None:
    """Which Keras entry point (fit, evaluate, predict) the current trace happens in (train and test step
    functions share one name and one line)."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name in ("fit", "evaluate", "predict", "train_on_batch", "test_on_batch",
                                    "predict_on_batch") and _is_keras(frame.f_code.co_filename):
            return frame.f_code.co_name
        frame = frame.f_back
    return None


def _def_line(code) -> int:
    """The ``def`` line of a function (``co_firstlineno`` is its first decorator's)."""
    import linecache

    for line in range(code.co_firstlineno, code.co_firstlineno + 20):
        text = linecache.getline(code.co_filename, line).lstrip()
        if text.startswith(("def ", "async def ")):
            return line
        if not text:
            break
    return code.co_firstlineno


def _is_keras(filename: str) -> bool:
    parts = filename.replace("\\", "/").split("/")
    return "keras" in parts or "tf_keras" in parts


def _parameters(python) -> list[str]:
    try:
        return [p.name for p in inspect.signature(python).parameters.values()]
    except (TypeError, ValueError):
        return []


def _arguments(concrete, python) -> list[tuple[str, Any]]:
    """(name, spec or Python value) of each argument the trace was made for."""
    try:
        args, kwargs = concrete.structured_input_signature
    except Exception:
        return []
    names = _parameters(python)
    if names and names[0] == "self":
        names = names[1:]
    result = [(names[i] if i < len(names) else f"arg{i}", spec) for i, spec in enumerate(args)]
    result += sorted(kwargs.items())
    return result


def _spec_text(spec) -> str:
    import tensorflow as tf

    from tfinspect.run.child.extract import shape_list

    if isinstance(spec, tf.TensorSpec):
        shape = shape_list(spec.shape)
        dims = "<unknown>" if shape is None else "(" + ", ".join("?" if d is None else str(d) for d in shape) + \
            ("," if len(shape) == 1 else "") + ")"
        return f"{spec.dtype.name} {dims}"
    if isinstance(spec, tf.TypeSpec):
        return type(spec).__name__
    if isinstance(spec, (list, tuple)):
        inner = ", ".join(_spec_text(item) for item in spec[:6]) + (", …" if len(spec) > 6 else "")
        return f"[{inner}]" if isinstance(spec, list) else f"({inner})"
    if isinstance(spec, dict):
        items = list(spec.items())
        return "{" + ", ".join(f"{key}: {_spec_text(value)}" for key, value in items[:6]) + \
            (", …" if len(items) > 6 else "") + "}"
    text = repr(spec)
    return text if len(text) <= 40 else text[:39] + "…"


def signature_text(concrete, python) -> str:
    return ", ".join(f"{name}: {_spec_text(spec)}" for name, spec in _arguments(concrete, python))


def retrace_reason(previous, concrete, python) -> str:
    """Which argument made this trace differ from the previous one: a Python value, a shape, a dtype."""
    import tensorflow as tf

    before = dict(_arguments(previous, python))
    for name, spec in _arguments(concrete, python):
        old = before.get(name)
        if old is None and name not in before:
            return f"a new argument {name}"
        if isinstance(spec, tf.TensorSpec) and isinstance(old, tf.TensorSpec):
            if spec.dtype != old.dtype:
                return f"{name} has dtype {spec.dtype.name} (was {old.dtype.name})"
            if spec.shape != old.shape:
                return f"{name} has shape {_spec_text(spec).split(' ', 1)[1]} (was {_spec_text(old).split(' ', 1)[1]})"
        elif isinstance(spec, tf.TypeSpec) or isinstance(old, tf.TypeSpec):
            if spec != old:
                return f"{name} changed type ({_spec_text(old)} -> {_spec_text(spec)})"
        elif spec != old or type(spec) is not type(old):
            return f"{name} is a Python value: {_spec_text(spec)} (was {_spec_text(old)})"
    return "another input signature"
