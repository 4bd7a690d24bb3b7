"""The capture layout's schema: what ``capture.json`` may hold, checked before anything reads it.

The child writes ``capture.json``; a saved capture (``.tfinspect``) brings one from anywhere. Both
are read through :func:`validate`, so a damaged or crafted document is one clear error naming the
field, never a TypeError three modules later. The schema is written as data: a value is a type,
a tuple of alternatives, ``[item]`` for a list, ``{key: schema}`` for an object (keys not listed
are allowed and ignored, so that newer writers stay readable), ``{str: schema}`` for a mapping.
"""

from __future__ import annotations

from typing import Any

from tfinspect.errors import SourceError
from tfinspect.load.model import CreatedBy, OutcomeStatus, RunStatus, VariableKind


class OneOf:
    """A string from a fixed set (an enum's values)."""

    def __init__(self, values) -> None:
        self.values = frozenset(v.value if hasattr(v, "value") else v for v in values)


NONE = type(None)
INT = (int,)  # bool is an int to Python; `_check` refuses it where an int is asked for
LOCATION = (NONE, [(int, str)])  # [file index, line, function], checked further in `_location`
SHAPE = (NONE, [(NONE, int)])

VARIABLE = {"name": str, "shape": SHAPE, "dtype": str, "trainable": bool, "kind": OneOf(VariableKind),
            "created_by": OneOf(CreatedBy), "collections": [str], "source": LOCATION,
            "variable_scope": (NONE, str), "made_by": (NONE, str)}
MEMBER = {"kind": str, "name": (NONE, str), "dtype": (NONE, str), "shape": SHAPE, "type": (NONE, str)}
CALL = {"name": str, "reused": bool, "name_scope": str, "variable_scope": str, "source": LOCATION,
        "callers": [LOCATION], "made_by": (NONE, str)}
GRAPH = {"id": int, "graph_def": str, "sources": {str: LOCATION}, "variables": [VARIABLE],
         "collections": {str: [MEMBER]}, "variable_calls": [CALL]}
FEED = {"name": str, "dtype": str, "shape": [int]}
RUN = {"index": int, "graph": int, "fetches": [str], "feeds": [FEED], "source": LOCATION,
       "status": OneOf(RunStatus), "ops_before": int, "error": (NONE, str), "values_kept": bool,
       "metadata_kept": bool, "traced_nodes": (NONE, [str])}
JSON_LOCATION = (NONE, {"file": str, "line": int, "function": (NONE, str)})
OUTCOME = (NONE, {"status": OneOf(OutcomeStatus), "message": str, "traceback": (NONE, str),
                  "exit_code": (NONE, int), "location": JSON_LOCATION, "callers": [JSON_LOCATION]})
DATASET = {"graph": int, "make_iterator": str, "iterator": str, "elements": int, "complete": bool,
           "error": (NONE, str), "file": (NONE, str), "unfed": (NONE, str)}
DOCUMENT = {"format": str, "version": int, "source": str, "origin": str, "tf_version": (NONE, str),
            "tf1_mode": (NONE, bool), "files": [str], "graphs": [GRAPH], "runs": [RUN], "outcome": OUTCOME,
            "datasets": [DATASET]}
DATASET_KEYS = frozenset(DATASET)
REQUIRED = {"graph": ("id", "graph_def"), "run": ("index", "graph", "fetches", "status"),
            "dataset": ("graph", "make_iterator", "iterator", "elements", "complete"),
            "feed": ("name", "dtype", "shape"), "variable": ("name", "dtype", "trainable", "kind"),
            "call": ("name", "reused"), "outcome": ("status",), "member": ("kind",)}


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def _check(value: Any, schema: Any, where: str) -> None:
    if isinstance(schema, OneOf):
        if not isinstance(value, str) or value not in schema.values:
            raise ValueError(f"{where}: expected one of {', '.join(sorted(schema.values))}, got {_describe(value)}")
        return
    if isinstance(schema, type):
        if schema is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ValueError(f"{where}: expected an integer, got {_describe(value)}")
        if schema is float and not isinstance(value, (int, float)):
            raise ValueError(f"{where}: expected a number, got {_describe(value)}")
        if schema not in (int, float) and not isinstance(value, schema):
            raise ValueError(f"{where}: expected {schema.__name__}, got {_describe(value)}")
        if schema is int and not -(1 << 62) < value < (1 << 62):
            raise ValueError(f"{where}: {value} is out of range")
        return
    if isinstance(schema, tuple):
        errors = []
        for option in schema:
            try:
                _check(value, option, where)
                return
            except ValueError as e:
                errors.append(str(e))
        raise ValueError(errors[-1])
    if isinstance(schema, list):
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {_describe(value)}")
        for number, item in enumerate(value):
            _check(item, schema[0], f"{where}[{number}]")
        return
    if isinstance(schema, dict):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {_describe(value)}")
        if str in schema:  # a mapping with string keys
            for key, item in value.items():
                _check(item, schema[str], f"{where}[{key!r}]")
            return
        for key, item in value.items():
            if key in schema:
                _check(item, schema[key], f"{where}.{key}")
        return
    raise TypeError(f"unknown schema {schema!r}")  # pragma: no cover - a bug in the table above


def _required(document: dict) -> None:
    def need(value: dict, kind: str, where: str) -> None:
        missing = [k for k in REQUIRED[kind] if k not in value]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")

    for number, graph in enumerate(document.get("graphs", ())):
        need(graph, "graph", f"graphs[{number}]")
        for k, variable in enumerate(graph.get("variables", ())):
            need(variable, "variable", f"graphs[{number}].variables[{k}]")
        for k, call in enumerate(graph.get("variable_calls", ())):
            need(call, "call", f"graphs[{number}].variable_calls[{k}]")
        for key, members in graph.get("collections", {}).items():
            for k, member in enumerate(members):
                need(member, "member", f"graphs[{number}].collections[{key!r}][{k}]")
    for number, run in enumerate(document.get("runs", ())):
        need(run, "run", f"runs[{number}]")
        for k, feed in enumerate(run.get("feeds", ())):
            need(feed, "feed", f"runs[{number}].feeds[{k}]")
    for number, sample in enumerate(document.get("datasets", ())):
        need(sample, "dataset", f"datasets[{number}]")
    if document.get("outcome"):
        need(document["outcome"], "outcome", "outcome")


def _locations(document: dict) -> None:
    """Every stored location points into the file table and has a line and a function."""
    count = len(document.get("files", ()))

    def location(value: Any, where: str) -> None:
        if value is None:
            return
        if len(value) != 3 or isinstance(value[0], bool) or not isinstance(value[0], int) \
                or not 0 <= value[0] < count or not isinstance(value[1], int) or not isinstance(value[2], str):
            raise ValueError(f"{where}: expected [file index, line, function], got {_describe(value)}")

    for number, graph in enumerate(document.get("graphs", ())):
        for op, value in graph.get("sources", {}).items():
            location(value, f"graphs[{number}].sources[{op!r}]")
        for k, variable in enumerate(graph.get("variables", ())):
            location(variable.get("source"), f"graphs[{number}].variables[{k}].source")
        for k, call in enumerate(graph.get("variable_calls", ())):
            location(call.get("source"), f"graphs[{number}].variable_calls[{k}].source")
            for c, caller in enumerate(call.get("callers", ())):
                location(caller, f"graphs[{number}].variable_calls[{k}].callers[{c}]")
    for number, run in enumerate(document.get("runs", ())):
        location(run.get("source"), f"runs[{number}].source")


def validate(document: Any, path: str) -> dict:
    """``document`` when it is a capture this version of tfinspect can read; else one SourceError."""
    try:
        _check(document, DOCUMENT, "capture")
        _required(document)
        _locations(document)
    except ValueError as e:
        raise SourceError(f"{path}: not a valid tfinspect capture ({e})") from None
    return document
