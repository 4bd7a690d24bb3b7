"""Checks: one module per family (``bounds``, ``sampling``), each check registered under a stable TFI code;
``registry.py`` is the table, ``context.py`` what they share, ``check.py`` what a check is."""

from __future__ import annotations

from typing import Iterable

from tfinspect.checks.finding import Finding, Severity
from tfinspect.record.model import Capture

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def run_checks(capture: Capture, *, select: str | None = None, ignore: str | None = None) -> list[Finding]:
    """Every finding of the selected checks, errors first, then by code and line."""
    from tfinspect.checks.context import CheckContext
    from tfinspect.checks.registry import selected

    context = CheckContext(capture)
    findings: list[Finding] = []
    for check in selected(select, ignore):
        findings.extend(check.run(context))
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.code, f.source.line if f.source else 0))


def findings_at_hand(capture: Capture) -> list[Finding]:
    """What check finds from what a capture already holds (constants, the fed arrays it kept), without iterating
    a dataset: the findings a picture or a diff shows."""
    from tfinspect.checks.context import CheckContext
    from tfinspect.checks.registry import all_checks

    context = CheckContext(capture)
    return [finding for check in all_checks() if check.needs <= {"feeds"} for finding in check.run(context)]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
