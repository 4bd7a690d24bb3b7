"""The capture layout's schema: what ``capture.json`` may hold, checked before anything reads it.

The child writes ``capture.json``; a saved capture (``.tfinspect``) brings one from anywhere. Both
are read through :func:`validate`, so a damaged or crafted document is one clear error naming the
field, never a TypeError three modules later. The schema is written as data: a value is a type,
a tuple of alternatives, ``[item]`` for a list, a :class:`Record` for an object, ``{str: schema}``
for a mapping with string keys, :class:`OneOf` for an enum's values, :class:`Location` for a
source location.
"""

from __future__ import annotations

from typing import Any

from tfinspect.core.errors import SourceError
from tfinspect.record.model import CreatedBy, OutcomeStatus, RunStatus, VariableKind


class OneOf:
    """A string from a fixed set (an enum's values)."""

    def __init__(self, values) -> None:
        self.values = frozenset(v.value if hasattr(v, "value") else v for v in values)


class Record:
    """An object with these fields (others are ignored, so newer writers stay readable), some required."""

    def __init__(self, fields: dict, *required: str) -> None:
        self.fields, self.required = fields, required


class Location:
    """``[file index, line, function]``: the index points into the capture's file table."""


NONE = type(None)
LOCATION = (NONE, Location())
SHAPE = (NONE, [(NONE, int)])

VARIABLE = Record({"name": str, "shape": SHAPE, "dtype": str, "trainable": bool, "kind": OneOf(VariableKind),
                   "created_by": OneOf(CreatedBy), "collections": [str], "source": LOCATION,
                   "variable_scope": (NONE, str), "made_by": (NONE, str)}, "name", "dtype", "trainable", "kind")
MEMBER = Record({"kind": str, "name": (NONE, str), "dtype": (NONE, str), "shape": SHAPE, "type": (NONE, str)},
                "kind")
CALL = Record({"name": str, "reused": bool, "name_scope": str, "variable_scope": str, "source": LOCATION,
               "callers": [LOCATION], "made_by": (NONE, str)}, "name", "reused")
GRADIENT = Record({"variables": [str], "missing": [str], "optimizer": str, "source": LOCATION,
                   "sites": {str: LOCATION}},
                  "variables", "missing")
FUNCTION = Record({"name": str, "library_name": str, "trace": int, "source": LOCATION, "signature": str,
                   "reason": (NONE, str), "function": int,
                   "side_effects": [Record({"line": int, "what": str}, "line", "what")]}, "name", "library_name", "trace")
GRAPH = Record({"id": int, "graph_def": str, "sources": {str: LOCATION}, "variables": [VARIABLE],
                "collections": {str: [MEMBER]}, "variable_calls": [CALL], "gradients": [GRADIENT],
                "seed": (NONE, int), "function": (NONE, FUNCTION)}, "id", "graph_def")
FEED = Record({"name": str, "dtype": str, "shape": [int]}, "name", "dtype", "shape")
RUN = Record({"index": int, "graph": int, "fetches": [str], "feeds": [FEED], "source": LOCATION,
              "status": OneOf(RunStatus), "ops_before": int, "error": (NONE, str), "values_kept": bool,
              "metadata_kept": bool, "traced_nodes": (NONE, [str]), "stop_reason": (NONE, str),
              "soft_placement": (NONE, bool), "kind": OneOf(("run", "call")), "data": [FEED],
              "data_unread": (NONE, str)},
             "index", "graph", "fetches", "status")
JSON_LOCATION = (NONE, Record({"file": str, "line": int, "function": (NONE, str)}, "file", "line"))
OUTCOME = (NONE, Record({"status": OneOf(OutcomeStatus), "message": str, "traceback": (NONE, str),
                         "exit_code": (NONE, int), "location": JSON_LOCATION, "callers": [JSON_LOCATION]},
                        "status"))
DATASET = Record({"graph": int, "make_iterator": str, "iterator": str, "elements": int, "complete": bool,
                  "error": (NONE, str), "file": (NONE, str), "unfed": (NONE, str),
                  "python": (NONE, str)},
                 "graph", "make_iterator", "iterator", "elements", "complete")
DOCUMENT = Record({"format": str, "version": int, "source": str, "origin": str, "tf_version": (NONE, str),
                   "tf1_mode": (NONE, bool), "files": [str], "graphs": [GRAPH], "runs": [RUN], "outcome": OUTCOME,
                   "datasets": [DATASET], "gpus": (NONE, int)}, "format")


def _describe(value: Any) -> str:
    text = repr(value)
    return text if len(text) < 40 else text[:37] + "..."


def _check(value: Any, schema: Any, where: str, files: int) -> None:
    if isinstance(schema, OneOf):
        if not isinstance(value, str) or value not in schema.values:
            raise ValueError(f"{where}: expected one of {', '.join(sorted(schema.values))}, got {_describe(value)}")
    elif isinstance(schema, Location):
        if not isinstance(value, list) or len(value) != 3 or not _is_int(value[0]) or not 0 <= value[0] < files \
                or not _is_int(value[1]) or not isinstance(value[2], str):
            raise ValueError(f"{where}: expected [file index, line, function], got {_describe(value)}")
    elif isinstance(schema, type):
        if schema is int:
            if not _is_int(value) or not -(1 << 62) < value < (1 << 62):
                raise ValueError(f"{where}: expected an integer, got {_describe(value)}")
        elif not isinstance(value, schema):
            raise ValueError(f"{where}: expected {schema.__name__}, got {_describe(value)}")
    elif isinstance(schema, tuple):
        errors = []
        for option in schema:
            try:
                return _check(value, option, where, files)
            except ValueError as e:
                errors.append(str(e))
        raise ValueError(errors[-1])
    elif isinstance(schema, list):
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected a list, got {_describe(value)}")
        for number, item in enumerate(value):
            _check(item, schema[0], f"{where}[{number}]", files)
    elif isinstance(schema, dict):  # a mapping with string keys
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {_describe(value)}")
        for key, item in value.items():
            _check(item, schema[str], f"{where}[{key!r}]", files)
    elif isinstance(schema, Record):
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {_describe(value)}")
        missing = [k for k in schema.required if k not in value]
        if missing:
            raise ValueError(f"{where}: missing {', '.join(missing)}")
        for key, item in value.items():
            if key in schema.fields:
                _check(item, schema.fields[key], f"{where}.{key}", files)
    else:  # pragma: no cover - a bug in the tables above
        raise TypeError(f"unknown schema {schema!r}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # bool is an int to Python


def validate(document: Any, path: str) -> dict:
    """``document`` when it is a capture this version of tfinspect can read; else one SourceError."""
    files = document.get("files") if isinstance(document, dict) else None
    try:
        _check(document, DOCUMENT, "capture", len(files) if isinstance(files, list) else 0)
    except ValueError as e:
        raise SourceError(f"{path}: not a valid tfinspect capture ({e})") from None
    return document
