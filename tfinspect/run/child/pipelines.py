"""tf.data pipelines that call back into Python, and the elements the script's own runs read from them.

A pipeline whose stage runs Python (``tf.py_func`` or ``tf.numpy_function`` in ``map``,
``Dataset.from_generator``) may have side effects: a line appended to a file, a counter, a network
read. Iterating it again outside the script (to check its ids ahead of the runs, or after the
script) would run that Python again, so for these pipelines ``tfinspect check`` never iterates a
copy. Instead each run that reads the iterator reads it in two steps: the iterator's outputs
alone, which are checked (a run whose ids are out of range is not executed) and kept, then the
run itself with those outputs fed, so the pipeline advances exactly once per run, as in a plain
run. What the script read is then what was checked, and the capture says so.
"""

from __future__ import annotations

from typing import Any

from tfinspect.core.optypes import PY_FUNC_OPS

GET_NEXT_OPS = frozenset({"IteratorGetNext", "IteratorGetNextSync"})


def _attr_functions(attrs) -> list[str]:
    names = []
    for value in attrs.values():
        if value.func.name:
            names.append(value.func.name)
        names.extend(f.name for f in value.list.func)
    return names


def python_functions(library) -> set[str]:
    """Names of the library's functions that call Python, directly or through a function they call."""
    calls: dict[str, set[str]] = {}
    found: set[str] = set()
    for function in library.function:
        name = function.signature.name
        callees: set[str] = set()
        for node in function.node_def:
            if node.op in PY_FUNC_OPS:
                found.add(name)
            callees.add(node.op)
            callees.update(_attr_functions(node.attr))
        calls[name] = callees
    grew = True
    while grew:
        grew = False
        for name, callees in calls.items():
            if name not in found and callees & found:
                found.add(name)
                grew = True
    return found


class PythonPipelines:
    """Per live graph: which iterators read a pipeline that calls Python, and what the script's runs read."""

    def __init__(self) -> None:
        self._verdicts: dict[tuple[int, str], str | None] = {}
        self._functions: dict[tuple[int, int], tuple[set[str], dict]] = {}  # (graph, version) -> library facts
        # (graph id, iterator op name) -> {"chunks": {port: [arrays]}, "elements", "complete", "error"}
        self.read: dict[tuple[int, str], dict[str, Any]] = {}

    def stage(self, graph, iterator) -> str | None:
        """The pipeline stage that calls Python (``"MapDataset data/MapDataset"``) of the dataset(s) behind
        ``iterator`` (an iterator op of the live graph); None when none does."""
        key = (id(graph), iterator.name)
        if key not in self._verdicts:
            try:
                self._verdicts[key] = self._stage(graph, iterator)
            except Exception:  # a graph TensorFlow builds otherwise than here: read it as before, never fail the run
                self._verdicts[key] = None
        return self._verdicts[key]

    def _library_functions(self, graph) -> tuple[set[str], dict]:
        """(the names of the graph's functions that call Python, every function's definition by name)."""
        key = (id(graph), graph.version)
        if key not in self._functions:
            self._functions.clear()
            library = graph.as_graph_def().library
            self._functions[key] = (python_functions(library), {f.signature.name: f for f in library.function})
        return self._functions[key]

    def _stage(self, graph, iterator) -> str | None:
        if not getattr(graph, "_functions", True):  # no function at all: no pipeline stage can call Python
            return None
        functions, definitions = self._library_functions(graph)
        if not functions:
            return None
        if iterator.type == "OneShotIterator":  # the pipeline was copied into its dataset factory function
            for name in set(_attr_functions(iterator.node_def.attr)) & functions:
                for node in definitions[name].node_def:
                    if node.op in PY_FUNC_OPS or set(_attr_functions(node.attr)) & functions:
                        return f"{node.op}, copied into {iterator.name}"
                return iterator.name
            return None
        from tfinspect.run.child.condemned import iterator_makers

        stack = [maker.inputs[0].op for maker in iterator_makers(graph, iterator)]
        seen: set[str] = set()
        while stack:
            op = stack.pop()
            if op.name in seen:
                continue
            seen.add(op.name)
            if op.type in PY_FUNC_OPS or op.type in functions or set(_attr_functions(op.node_def.attr)) & functions:
                return f"{op.type} {op.name}"
            stack.extend(t.op for t in op.inputs)
        return None

    def getters(self, graph, input_names) -> list:
        """The get-next ops among a run's input tensors whose pipeline calls Python."""
        found = []
        for name in dict.fromkeys(n.rsplit(":", 1)[0] for n in input_names):
            try:
                op = graph.get_operation_by_name(name)
            except (KeyError, ValueError):
                continue
            if op.type in GET_NEXT_OPS and op.inputs and self.stage(graph, op.inputs[0].op) is not None:
                found.append(op)
        return found

    def entry(self, graph, iterator_name: str) -> dict[str, Any]:
        return self.read.setdefault((id(graph), iterator_name),
                                    {"chunks": {}, "elements": 0, "complete": False, "error": None})

    def keep(self, graph, getter, values: list) -> None:
        """Keep the integer components of one element the script's run read from ``getter``."""
        import numpy as np

        entry = self.entry(graph, getter.inputs[0].op.name)
        for port, value in enumerate(values):
            array = np.asarray(value)
            if array.dtype.kind in "iu":
                entry["chunks"].setdefault(port, []).append(array.reshape(-1))
        entry["elements"] += 1

    def ended(self, graph, getter, error: BaseException) -> None:
        """The script's run of ``getter`` raised: the end of the data (OutOfRangeError) or the pipeline's error."""
        import tensorflow.compat.v1 as tf

        from tfinspect.run.child.errortext import error_summary

        entry = self.entry(graph, getter.inputs[0].op.name)
        if isinstance(error, tf.errors.OutOfRangeError):
            entry["complete"] = True
        elif entry["error"] is None:
            entry["error"] = f"after {entry['elements']} elements: {error_summary(error)}"


def dataset_python_stage(dataset) -> str | None:
    """TF2: the stage of an eager ``tf.data.Dataset`` that calls Python (``"FlatMapDataset"``), or None. Read
    from the dataset objects themselves (each stage, its input stages, and the graphs of the functions it
    runs: small), never by serializing the pipeline, which would copy the arrays a ``from_tensor_slices``
    holds. A pipeline that cannot be walked counts as calling Python: it is then not read ahead (reading it
    could repeat the script's side effects), and TFI006 says its ids were not checked."""
    seen: set[int] = set()
    stack = [dataset]
    while stack:
        stage = stack.pop()
        if id(stage) in seen:
            continue
        seen.add(id(stage))
        for value in list(vars(stage).values()):
            graph = getattr(getattr(value, "function", None), "graph", None)  # a StructuredFunctionWrapper's
            if graph is not None and _graph_calls_python(graph):
                return type(stage).__name__.lstrip("_")
        try:
            stack.extend(stage._inputs())  # noqa: SLF001
        except Exception:
            return "a stage tfinspect could not read"
    return None


def _graph_calls_python(graph) -> bool:
    """Whether a function's graph runs Python: a py_func op in it, or in a function it calls."""
    try:
        if any(op.type in PY_FUNC_OPS for op in graph.get_operations()):
            return True
        return bool(python_functions(graph.as_graph_def().library))
    except Exception:
        return True
