"""``--format json``: one JSON object per command, with a ``schema_version``.

The fields are documented in docs/json.md; additions keep the version,
changes to existing fields bump it.
"""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING, Any

from tfinspect.render.formatting import source_json

if TYPE_CHECKING:  # annotations only: `summary` and `dump` must not import the overview's dataclasses
    from tfinspect.analyses.overview import GraphOverview, ScopeNode
    from tfinspect.load.model import Outcome, RunRecord, VariableInfo

SCHEMA_VERSION = 1


def _shape(shape) -> list | None:
    return None if shape is None else list(shape)


def variable_json(v: VariableInfo, graph: int) -> dict[str, Any]:
    return {
        "name": v.name, "shape": _shape(v.shape), "dtype": v.dtype, "trainable": v.trainable,
        "kind": v.kind.value, "created_by": v.created_by.value, "made_by": v.made_by, "collections": list(v.collections),
        "graph": graph, "source": source_json(v.source),
    }


def run_json(r: RunRecord) -> dict[str, Any]:
    return {
        "index": r.index, "graph": r.graph, "fetches": list(r.fetches), "feeds": [f.name for f in r.feeds],
        "feed_details": [{"name": f.name, "dtype": f.dtype, "shape": list(f.shape)} for f in r.feeds],
        "executed": r.executed, "status": r.status.value, "error": r.error, "ops_before": r.ops_before,
        "source": source_json(r.source),
    }


def outcome_json(o: Outcome) -> dict[str, Any]:
    return {"status": o.status.value, "ok": o.ok, "message": o.message, "exit_code": o.exit_code,
            "traceback": o.traceback}


def _scopes(node: ScopeNode) -> list[dict[str, Any]]:
    result = []
    for child in node.children:
        result.append({"name": child.path, "ops": child.ops})
        result.extend(_scopes(child))
    return result


def graph_json(view: GraphOverview) -> dict[str, Any]:
    collections: dict[str, list[str]] = {}
    graphs = []
    for g in view.graphs:
        for key, members in g.collections.items():
            collections.setdefault(key, []).extend(m.label for m in members)
        graphs.append({
            "id": g.id, "ops": g.ops, "scopes": _scopes(g.scopes),
            "collections": {k: [m.label for m in ms] for k, ms in g.collections.items()},
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "graph",
        "source": view.source,
        "origin": view.origin,
        "tf_version": view.tf_version,
        "tf1_mode": view.tf1_mode,
        "outcome": outcome_json(view.outcome),
        "ops": view.op_count,
        "graphs": graphs,
        "variables": [variable_json(v, g.id) for g in view.graphs for v in g.variables],
        "placeholders": [
            {"name": p.name, "dtype": p.dtype, "shape": _shape(p.shape), "graph": p.graph,
             "source": source_json(p.source)}
            for p in view.placeholders
        ],
        "runs": [run_json(r) for r in view.runs],
        "collections": collections,
    }


def dump(document: dict[str, Any], file: IO[str]) -> None:
    """Write ``document`` as ``json.dump(document, file, indent=2)`` would, plus a newline, faster.

    With an indent, the standard library falls back to its pure-Python encoder, which costs about a
    microsecond per value: a summary lists tens of thousands of names. Here a list of strings (the common
    bulky case) is encoded by the C string encoder in one ``join``; everything else goes through the same
    rules as ``json`` (``tests/unit/test_render_json.py`` compares the two on every shape)."""
    parts: list[str] = []
    _encode(document, "\n", parts)
    parts.append("\n")
    file.write("".join(parts))


_encode_string = json.encoder.encode_basestring_ascii
_compact = json.JSONEncoder(allow_nan=True).encode  # scalars, exactly as json writes them


def _encode(value: Any, newline: str, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_encode_string(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner = newline + "  "
        out.append("{")
        first = True
        for key, item in value.items():
            out.append(inner if first else "," + inner)
            first = False
            out.append(_encode_string(key if isinstance(key, str) else _key(key)))
            out.append(": ")
            _encode(item, inner, out)
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner = newline + "  "
        if all(type(item) is str for item in value):
            out.append("[" + inner + ("," + inner).join(map(_encode_string, value)) + newline + "]")
            return
        out.append("[")
        first = True
        for item in value:
            out.append(inner if first else "," + inner)
            first = False
            _encode(item, inner, out)
        out.append(newline + "]")
    else:
        out.append(_compact(value))


def _key(key: Any) -> str:
    """A non-string dict key as json writes it (``True`` -> ``"true"``, ``1`` -> ``"1"``)."""
    if key is True or key is False or key is None:
        return json.dumps(key)
    if isinstance(key, (int, float)):
        return _compact(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def plan_json(plan, run=None) -> dict[str, Any]:
    return {
        "run": plan.run_index, "graph": plan.graph, "fetches": list(plan.fetches), "fed": list(plan.fed),
        "ran": list(plan.ran), "not_run": list(plan.not_run), "cut_off": list(plan.cut_off),
        "source": source_json(run.source) if run is not None else None,
    }


def why_json(answer) -> dict[str, Any]:
    return {"op": answer.op, "runs": answer.runs, "reason": answer.reason,
            "chain": [{"op": s.op, "type": s.op_type, "edge": s.edge} for s in answer.chain]}


def subgraph_json(source: str, plans: list, runs: list, answer=None) -> dict[str, Any]:
    """``plans`` always; with exactly one plan its fields also stand at the top level."""
    items = [plan_json(p, r) for p, r in zip(plans, runs)]
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "command": "subgraph", "source": source,
                                "plans": items}
    if len(items) == 1:
        document.update({k: items[0][k] for k in ("fetches", "fed", "ran", "not_run", "cut_off")})
    if answer is not None:
        document["why"] = why_json(answer)
    return document


def unused_json(report) -> list[dict[str, Any]]:
    return [{"name": op.name, "type": op.op_type, "graph": op.graph, "source": source_json(op.source)}
            for op in report.ops]


def _note_json(note) -> dict[str, Any]:
    return {"kind": note.kind.value, "message": note.message, "names": list(note.names),
            "lines": [source_json(s) for s in note.lines]}


def scopes_json(source: str, report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "scopes", "source": source,
        "variables": [
            {"name": v.name, "graph": v.graph, "name_scope": v.name_scope, "variable_scope": v.variable_scope,
             "created_by": v.created_by.value, "made_by": v.made_by, "reused": v.reused,
             "reuse_sites": [source_json(s) for s in v.reuse_sites], "source": source_json(v.source)}
            for v in report.variables
        ],
        "ops": [{"name": o.name, "type": o.op_type, "name_scope": o.name_scope, "graph": o.graph,
                 "source": source_json(o.source)} for o in report.ops],
        "notes": [_note_json(n) for n in report.notes],
        "explanations": [_note_json(n) for n in report.explanations],
    }


def collections_json(source: str, views, scope) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "collections", "source": source, "scope": scope,
        "collections": [
            {"key": v.key, "graph": v.graph, "count": v.count,
             "members": [{"kind": m.kind, "name": m.name, "type": m.type, "dtype": m.dtype,
                          "shape": None if m.shape is None else list(m.shape), "scope": m.scope}
                         for m in v.members]}
            for v in views
        ],
    }


def summary_json(source: str, stats) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "summary", "source": source,
        "graphs": [{
            "id": g.graph, "ops": g.ops, "op_types": dict(g.op_types), "inputs": list(g.inputs),
            "outputs": list(g.outputs), "parameters": g.parameters, "control_edges": g.control_edges,
            "variables": [{"name": v.name, "shape": _shape(v.shape), "dtype": v.dtype, "parameters": v.size}
                          for v in g.variables],
            "large_constants": [{"name": n, "bytes": b} for n, b in g.large_constants],
            "devices": dict(g.devices),
        } for g in stats],
    }


def ckpt_json(prefix: str, entries, report) -> dict[str, Any]:
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION, "command": "ckpt", "checkpoint": prefix,
        "variables": [{"name": e.name, "shape": list(e.shape), "dtype": e.dtype, "bytes": e.bytes} for e in entries],
    }
    if report is not None:
        document["restore"] = {
            "ok": report.ok, "matched": list(report.matched), "missing": list(report.missing),
            "unused": list(report.unused),
            "shape_mismatches": [{"name": n, "graph": _shape(g), "checkpoint": list(c)}
                                 for n, g, c in report.shape_mismatches],
            "dtype_mismatches": [{"name": n, "graph": g, "checkpoint": c} for n, g, c in report.dtype_mismatches],
            "renames": [{"variable": r.variable, "key": r.key, "why": r.why} for r in report.renames],
        }
    return document
