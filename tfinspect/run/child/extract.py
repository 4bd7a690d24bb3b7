"""Turn a live ``tf.Graph`` into capture data (JSON-ready metadata plus GraphDef bytes).

This is the only module besides the hooks that touches live TensorFlow
objects; it runs in the child process, or in the user's own process for
``tfinspect.capture_graph``.
"""

from __future__ import annotations

from typing import Any

from tfinspect.record.layout import graph_file
from tfinspect.core.optypes import VARIABLE_OPS
from tfinspect.runtime.frames import op_frame

VARIABLE_STORE_KEY = ("__variable_store",)


class FileTable:
    """Interns file names so that source locations serialize as ``[index, line, function]``."""

    def __init__(self) -> None:
        self.files: list[str] = []
        self._index: dict[str, int] = {}

    def location(self, frame: tuple[str, int, str] | None) -> list[Any] | None:
        if frame is None:
            return None
        filename, line, function = frame
        index = self._index.get(filename)
        if index is None:
            index = self._index[filename] = len(self.files)
            self.files.append(filename)
        return [index, int(line), function]


def shape_list(shape) -> list[int | None] | None:
    try:
        dims = shape.as_list()
    except (ValueError, AttributeError):  # unknown rank
        return None
    return [None if d is None else int(d) for d in dims]


def _dtype_name(dtype) -> str | None:
    try:
        return dtype.base_dtype.name
    except AttributeError:
        return None


def _is_variable(item) -> bool:
    from tensorflow.python.ops import variables as tf_variables

    return isinstance(item, tf_variables.Variable)


def _tensor_class():
    try:
        from tensorflow.python.framework.tensor import Tensor  # TF >= 2.14
    except ImportError:  # pragma: no cover
        from tensorflow.python.framework.ops import Tensor
    return Tensor


def _member(item) -> dict[str, Any]:
    from tensorflow.python.framework import ops

    if _is_variable(item):
        return {"kind": "variable", "name": item.name, "dtype": _dtype_name(item.dtype), "shape": shape_list(item.shape)}
    if isinstance(item, _tensor_class()):
        return {"kind": "tensor", "name": item.name, "dtype": _dtype_name(item.dtype), "shape": shape_list(item.shape)}
    if isinstance(item, ops.Operation):
        return {"kind": "operation", "name": item.name}
    name = getattr(item, "name", None)
    # tf.get_collection(key, scope) skips items without a name; keep None for them
    return {"kind": "other", "name": name if isinstance(name, str) else None, "type": type(item).__name__}


def collections_of(graph) -> dict[str, list[dict[str, Any]]]:
    """Every string-keyed collection with its members, in TensorFlow's order."""
    result = {}
    # Sorted: TensorFlow adds a variable to a *set* of collections, so their order changes from one
    # process to the next with string hashing.
    for key in sorted(k for k in graph.get_all_collection_keys() if isinstance(k, str)):
        result[key] = [_member(item) for item in graph.get_collection(key)]
    return result


def _store_names(graph) -> set[str]:
    stores = graph.get_collection(VARIABLE_STORE_KEY)
    names: set[str] = set()
    for store in stores:
        # a slot's key ends in "/" (slot_creator asks for "" inside a scope named after the slot)
        names.update(k.rstrip("/") for k in getattr(store, "_vars", {}).keys())
        names.update(k.rstrip("/") for k in getattr(store, "_partitioned_vars", {}).keys())
    return names


def variables_of(graph, files: FileTable, sources: dict[str, Any]) -> list[dict[str, Any]]:
    """Every variable, in the order the graph created them (collection keys come in no stable order:
    TensorFlow adds a new variable to its collections from a set)."""
    membership: dict[int, list[str]] = {}
    objects: dict[str, Any] = {}
    for key in graph.get_all_collection_keys():
        if not isinstance(key, str):
            continue
        for item in graph.get_collection(key):
            if _is_variable(item):
                membership.setdefault(id(item), []).append(key)
                objects.setdefault(item.op.name, item)
    from_store = _store_names(graph)
    result = []
    for name, var in objects.items():
        result.append({
            "name": name,
            "shape": shape_list(var.shape),
            "dtype": _dtype_name(var.dtype),
            "trainable": bool(getattr(var, "trainable", False)),
            "kind": VARIABLE_OPS.get(var.op.type, "resource"),
            "created_by": "get_variable" if name in from_store else "tf.Variable",
            "collections": sorted(membership.get(id(var), [])),
            "source": sources.get(name),
        })
    for op in graph.get_operations():
        if op.type in VARIABLE_OPS and op.name not in objects:
            try:
                shape = shape_list(op.get_attr("shape"))
                dtype = _dtype_name(op.get_attr("dtype"))
            except ValueError:
                shape, dtype = None, None
            result.append({
                "name": op.name, "shape": shape, "dtype": dtype or "unknown", "trainable": False,
                "kind": VARIABLE_OPS[op.type],
                "created_by": "get_variable" if op.name in from_store else "unknown",
                "collections": [], "source": sources.get(op.name),
            })
    created = {}
    for op in graph.get_operations():
        if op.type in VARIABLE_OPS:
            created[op.name] = len(created)
    return sorted(result, key=lambda v: created.get(v["name"], len(created)))


class GraphExtractor:
    """Extracts one graph, incrementally: source lines are resolved once per op."""

    def __init__(self, graph, graph_id: int, files: FileTable,
                 created_at: dict[str, tuple[str, int, str] | None] | None = None) -> None:
        """
        Args:
            created_at: op name -> the user's frame, recorded when each op was
                created. Without it, TensorFlow's op tracebacks are read, which is
                only safe while every code object they point to is alive (a live
                graph in the user's own process).
        """
        self.graph = graph
        self.created_at = created_at
        self.graph_id = graph_id
        self.files = files
        self._sources: dict[str, Any] = {}
        self._pending: list[str] = []  # ops whose line was not recorded yet when they were first seen
        self._seen_ops = 0
        self._cached_version: tuple[int, int] = (-1, -1)
        self._cached: tuple[dict[str, Any], bytes] | None = None

    def op_count(self) -> int:
        return int(self.graph.version)  # ops are never removed from a tf.Graph

    def extract(self, variable_calls: list[dict[str, Any]],
                variable_scopes: dict[str, str] | None = None,
                made_by: dict[str, str] | None = None) -> tuple[dict[str, Any], bytes]:
        """Metadata and serialized GraphDef; cached while the graph does not grow."""
        version = (self.graph.version, sum(len(self.graph.get_collection_ref(k)) for k in self.graph.get_all_collection_keys()))
        resolved = self.created_at is not None and any(name in self.created_at for name in self._pending)
        if self._cached is not None and version == self._cached_version and not resolved:
            meta, data = self._cached
            meta["variable_calls"] = variable_calls
            return meta, data
        scopes = variable_scopes or {}
        ops = self.graph.get_operations()
        if self.created_at is not None and self._pending:
            # ops seen before their creator's line was recorded (a snapshot from the watchdog thread can
            # run between an op's creation and the hook that records its line)
            waiting, self._pending = self._pending, []
            for name in waiting:
                frame = self.created_at.get(name)
                if frame is None:
                    self._pending.append(name)
                else:
                    self._sources[name] = self.files.location(frame)
        for op in ops[self._seen_ops:]:
            if self.created_at is None:
                frame = op_frame(op)
            else:
                frame = self.created_at.get(op.name)
                if frame is None and op.name not in self.created_at:
                    self._pending.append(op.name)
            self._sources[op.name] = self.files.location(frame)
        self._seen_ops = len(ops)
        graph_def = self.graph.as_graph_def(add_shapes=True)
        meta = {
            "id": self.graph_id,
            "graph_def": graph_file(self.graph_id),
            "sources": {k: v for k, v in self._sources.items() if v is not None},
            "variables": [dict(v, variable_scope=scopes.get(v["name"]), made_by=(made_by or {}).get(v["name"]))
                          for v in variables_of(self.graph, self.files, self._sources)],
            "collections": collections_of(self.graph),
            "variable_calls": variable_calls,
        }
        self._cached_version = version
        self._cached = (meta, graph_def.SerializeToString())
        return self._cached
