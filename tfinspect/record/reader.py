"""Capture <-> files: the format the child process sends back, read without TensorFlow.

A capture directory holds ``capture.json`` (metadata), one ``graph_<id>.pb``
(a serialized GraphDef) per graph and ``feeds/run_<i>.npz`` with fed arrays.
Source locations are stored as ``[file index, line, function]`` against one
file table, which keeps the JSON small for graphs with many ops.
"""

from __future__ import annotations

import json
import os
from typing import Any, Mapping

from tfinspect.record.model import (
    Capture,
    DatasetSample,
    FunctionTrace,
    CollectionMember,
    CreatedBy,
    FeedInfo,
    FeedValues,
    GradientCall,
    GraphCapture,
    Outcome,
    OutcomeStatus,
    RunRecord,
    RunStatus,
    SourceLocation,
    VariableCall,
    VariableInfo,
    VariableKind,
)
from tfinspect.core.errors import SourceError
from tfinspect.record.layout import FORMAT, METADATA, graph_def_from_bytes, member_path



def _shape_from_json(shape: Any) -> tuple[int | None, ...] | None:
    if shape is None:
        return None
    return tuple(None if d is None else int(d) for d in shape)


def _location(files: list[str], raw: Any) -> SourceLocation | None:
    if not raw:
        return None
    file_index, line, function = raw
    return SourceLocation(files[file_index], int(line), str(function))


def graph_from_raw(raw: Mapping[str, Any], files: list[str], graph_def, wire: bytes | None = None) -> GraphCapture:
    """Build a GraphCapture from its JSON metadata and a parsed GraphDef."""
    variables = tuple(
        VariableInfo(
            name=v["name"],
            shape=_shape_from_json(v.get("shape")),
            dtype=v["dtype"],
            trainable=bool(v["trainable"]),
            kind=VariableKind(v["kind"]),
            created_by=CreatedBy(v.get("created_by", "unknown")),
            collections=tuple(v.get("collections", ())),
            source=_location(files, v.get("source")),
            variable_scope=v.get("variable_scope"),
            made_by=v.get("made_by"),
        )
        for v in raw.get("variables", ())
    )
    collections = {
        key: tuple(
            CollectionMember(m["kind"], m.get("name"), m.get("dtype"), _shape_from_json(m.get("shape")), m.get("type"))
            for m in members
        )
        for key, members in raw.get("collections", {}).items()
    }
    calls = tuple(
        VariableCall(
            name=c["name"],
            reused=bool(c["reused"]),
            name_scope=c.get("name_scope", ""),
            variable_scope=c.get("variable_scope", ""),
            source=_location(files, c.get("source")),
            callers=tuple(x for x in (_location(files, f) for f in c.get("callers", ())) if x),
            made_by=c.get("made_by"),
        )
        for c in raw.get("variable_calls", ())
    )
    gradients = tuple(
        GradientCall(tuple(g["variables"]), tuple(g["missing"]), g.get("optimizer", ""),
                     _location(files, g.get("source")),
                     {k: loc for k, loc in ((k, _location(files, v)) for k, v in g.get("sites", {}).items()) if loc})
        for g in raw.get("gradients", ())
    )
    sources = {op: _location(files, loc) for op, loc in raw.get("sources", {}).items()}
    return GraphCapture(
        id=int(raw["id"]),
        graph_def=graph_def,
        sources={k: v for k, v in sources.items() if v is not None},
        variables=variables,
        collections=collections,
        variable_calls=calls,
        gradients=gradients,
        seed=raw.get("seed"),
        wire=wire,
        function=_function(raw.get("function"), files),
    )


def _function(raw: Mapping[str, Any] | None, files: list[str]) -> FunctionTrace | None:
    if not raw:
        return None
    return FunctionTrace(name=raw["name"], library_name=raw["library_name"], trace=int(raw["trace"]),
                         source=_location(files, raw.get("source")), signature=raw.get("signature", ""),
                         reason=raw.get("reason"), function=int(raw.get("function", 0)),
                         side_effects=tuple((int(e["line"]), e["what"]) for e in raw.get("side_effects", ())))


def run_from_raw(raw: Mapping[str, Any], files: list[str]) -> RunRecord:
    return RunRecord(
        index=int(raw["index"]),
        graph=int(raw["graph"]),
        fetches=tuple(raw["fetches"]),
        feeds=tuple(FeedInfo(f["name"], f["dtype"], tuple(f["shape"])) for f in raw.get("feeds", ())),
        source=_location(files, raw.get("source")),
        status=RunStatus(raw["status"]),
        ops_before=int(raw.get("ops_before", 0)),
        error=raw.get("error"),
        values_kept=bool(raw.get("values_kept", False)),
        metadata_kept=bool(raw.get("metadata_kept", False)),
        traced_nodes=None if raw.get("traced_nodes") is None else tuple(raw["traced_nodes"]),
        stop_reason=raw.get("stop_reason"),
        soft_placement=raw.get("soft_placement"),
        kind=raw.get("kind", "run"),
        data=tuple(FeedInfo(f["name"], f["dtype"], tuple(f["shape"])) for f in raw.get("data", ())),
        data_unread=raw.get("data_unread"),
    )


def outcome_from_raw(raw: Mapping[str, Any] | None, fallback: Outcome | None = None) -> Outcome:
    if not raw:
        return fallback or Outcome(OutcomeStatus.CRASHED, "the script ended without reporting back")
    code = raw.get("exit_code")
    return Outcome(
        status=OutcomeStatus(raw["status"]),
        message=raw.get("message", ""),
        traceback=raw.get("traceback", ""),
        exit_code=None if code is None else int(code),
        location=SourceLocation.from_json(raw.get("location")),
        callers=tuple(x for x in (SourceLocation.from_json(c) for c in raw.get("callers", ())) if x),
    )


DATASET_FIELDS = frozenset(DatasetSample.__dataclass_fields__)


def read_capture_dir(directory: str, *, outcome: Outcome | None = None,
                     fallback: Outcome | None = None) -> Capture:
    """Read a capture directory written by the child process (or a snapshot of it).

    Args:
        directory: the directory holding ``capture.json``.
        outcome: overrides the stored outcome (the parent knows better when it
            had to kill the child).
        fallback: the outcome when none was stored (the child died mid-way).
    """
    meta_path = os.path.join(directory, METADATA)
    try:
        with open(meta_path, encoding="utf-8") as f:
            meta = json.load(f)
    except FileNotFoundError:
        raise SourceError(f"{directory}: no {METADATA} (the capture was never written)") from None
    except (OSError, ValueError) as e:
        raise SourceError(f"{meta_path}: unreadable capture metadata ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SourceError(f"{meta_path}: not a tfinspect capture")
    from tfinspect.record.schema import validate

    validate(meta, meta_path)
    files = list(meta.get("files", ()))
    graphs = []
    for raw in meta.get("graphs", ()):
        path = member_path(directory, raw.get("graph_def") if isinstance(raw, dict) else None, "a GraphDef")
        with open(path, "rb") as f:
            data = f.read()
        graphs.append(graph_from_raw(raw, files, graph_def_from_bytes(data, path), wire=data))
    runs = tuple(run_from_raw(r, files) for r in meta.get("runs", ()))
    return Capture(
        source=meta.get("source", directory),
        origin=meta.get("origin", "script"),
        graphs=tuple(graphs),
        runs=runs,
        outcome=outcome or outcome_from_raw(meta.get("outcome"), fallback),
        tf_version=meta.get("tf_version"),
        tf1_mode=meta.get("tf1_mode"),
        feed_values=FeedValues(directory),
        datasets=tuple(DatasetSample(**{k: v for k, v in d.items() if k in DATASET_FIELDS})
                       for d in meta.get("datasets", ())),
        directory=directory,
        gpus=meta.get("gpus"),
    )
