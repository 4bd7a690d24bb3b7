"""The project's say over findings: severities changed by configuration, lines that silence a code."""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from tfinspect.checks.finding import Finding, Severity
from tfinspect.core.config import CheckConfig, ignored_on_line

MAX_SOURCE_BYTES = 16 << 20  # a "source" that large is not a script: its lines are not read


def _lines(path: str) -> tuple[str, ...]:
    import os

    import stat as modes

    try:
        stat = os.stat(path)
    except OSError:
        return ()
    if not modes.S_ISREG(stat.st_mode):  # a capture may name /dev/stdin or a FIFO: never opened, never waited on
        return ()
    return _read_lines(path, stat.st_mtime_ns, stat.st_size)  # an edited file is read again


@lru_cache(maxsize=64)
def _read_lines(path: str, mtime: int, size: int) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return tuple(f.read(MAX_SOURCE_BYTES).splitlines())
    except OSError:
        return ()


def _silenced(finding: Finding) -> bool:
    source = finding.source
    if source is None or source.line < 1:
        return False
    lines = _lines(source.file)
    return source.line <= len(lines) and ignored_on_line(lines[source.line - 1], finding.code)


def apply(findings: list[Finding], config: CheckConfig) -> list[Finding]:
    """Drop findings whose line says ``# tfinspect: ignore[...]`` for their code; set configured severities."""
    kept = []
    for finding in findings:
        if _silenced(finding):
            continue
        level = config.severity.get(finding.code)
        if level is not None and level != finding.severity.value:
            finding = dataclasses.replace(finding, severity=Severity(level))
        kept.append(finding)
    return kept
