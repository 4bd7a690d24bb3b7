"""``--format json``: the writer every report's JSON goes through, and the schema version they share.

Each report builds its JSON object in its own module (graph.py, scopes.py, ...); the fields are
documented in docs/json.md; additions keep the version, changes to existing fields bump it.
"""

from __future__ import annotations

import json
from typing import IO, Any

SCHEMA_VERSION = 2
# Versions: 1 (first release); 2 (2026-12-06): an entry of graph's `runs` stands for one run or for several
# skimmed runs of one line alike (`count`, `indexes`), so its length is no longer the number of runs.


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
