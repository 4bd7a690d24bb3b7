"""Project configuration for ``tfinspect check``, the way ruff reads its own.

``[tool.tfinspect]`` in the nearest ``pyproject.toml`` above the checked file::

    [tool.tfinspect]
    select = ["TFI00"]                 # codes or prefixes (default: all)
    ignore = ["TFI006"]
    severity = { TFI009 = "error" }    # error | warning | info
    strict = true                      # exit 2 when any part of a source was not checked
    fail-on = "warning"                # the lowest severity that gives exit 1 (default: error)

and, on the line a finding points at, ``# tfinspect: ignore[TFI002]`` (several codes comma-separated;
a bare ``# tfinspect: ignore`` silences every code there). The command line's ``--select`` and
``--ignore`` replace the file's.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from tfinspect.core.errors import UsageError

SEVERITIES = ("error", "warning", "info")
_IGNORE = re.compile(r"#\s*tfinspect:\s*ignore(?:\[([A-Za-z0-9_,\s]*)\])?")


@dataclass(frozen=True)
class CheckConfig:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    path: str | None = None  # the pyproject.toml it came from
    strict: bool = False  # a source not wholly checked exits 2
    fail_on: str | None = None  # the lowest severity that exits 1 (None: error)


def find_pyproject(start: str) -> str | None:
    """The nearest ``pyproject.toml`` with a ``[tool.tfinspect]`` table, from ``start``'s folder up."""
    folder = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(os.path.abspath(start)))
    while True:
        candidate = os.path.join(folder, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as f:
                    head = f.read(1 << 20)
            except OSError:
                head = b""
            if b"tool.tfinspect" in head:
                return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def _codes(value, key: str, path: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{path}: [tool.tfinspect] {key} must be a list of codes, like [\"TFI006\"]")
    return tuple(v.strip().upper() for v in value if v.strip())


def load_config(path: str) -> CheckConfig:
    """Read and check ``[tool.tfinspect]``; a malformed file or value is one UsageError naming the file."""
    import tomllib

    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read it as TOML ({e})") from None
    table = data.get("tool", {}).get("tfinspect", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.tfinspect] must be a table")
    unknown = sorted(set(table) - {"select", "ignore", "severity", "strict", "fail-on"})
    if unknown:
        raise UsageError(f"{path}: [tool.tfinspect] has no setting {unknown[0]!r} (select, ignore, severity, strict, "
                         "fail-on)")
    if not isinstance(table.get("strict", False), bool):
        raise UsageError(f"{path}: [tool.tfinspect] strict is true or false")
    if table.get("fail-on") is not None and table["fail-on"] not in SEVERITIES:
        raise UsageError(f"{path}: [tool.tfinspect] fail-on is one of {', '.join(SEVERITIES)}")
    severity = table.get("severity", {})
    if not isinstance(severity, dict) or not all(isinstance(v, str) and v in SEVERITIES for v in severity.values()):
        raise UsageError(f"{path}: [tool.tfinspect] severity maps codes to one of {', '.join(SEVERITIES)}")
    return CheckConfig(_codes(table.get("select", []), "select", path), _codes(table.get("ignore", []), "ignore", path),
                       {k.upper(): v for k, v in severity.items()}, path, table.get("strict", False),
                       table.get("fail-on"))


def ignored_on_line(text: str, code: str) -> bool:
    """Whether a source line's ``# tfinspect: ignore[...]`` comment silences ``code``."""
    match = _IGNORE.search(text)
    if match is None:
        return False
    codes = match.group(1)
    if codes is None:
        return True
    return any(code.startswith(c.strip().upper()) for c in codes.split(",") if c.strip())
