"""Findings as text (rich), JSON, SARIF 2.1.0 and GitHub workflow annotations."""

from __future__ import annotations

import os
from typing import Any, Iterable

from rich.console import Group, RenderableType
from rich.text import Text

from tfinspect.core.version import __version__
from tfinspect.checks.finding import Finding, Severity
from tfinspect.render.formatting import printable, shown_path, source_json, source_text

STYLE = {Severity.ERROR: "tfi.error", Severity.WARNING: "tfi.warn", Severity.INFO: "tfi.dim"}
SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def findings_view(findings: list[Finding], source: str, *, checked: str | None = None) -> RenderableType:
    """The findings, one line each with their related lines and hints, then a summary line.

    ``checked`` says what the findings cover when the source was not wholly checked (a script that failed or
    was stopped, or built no graph); it replaces "no findings", or follows the counts.
    """
    parts: list[RenderableType] = []
    hinted: set[str] = set()
    for f in findings:
        # the path as a linter gives it (relative to the working directory), so editors and terminals open it
        line = Text(f"{printable(f.source.short()) if f.source else '-'}: ", style="tfi.source")
        line.append(f"{f.code} ", style=STYLE[f.severity])
        line.append(f"[{f.severity.value}] ", style=STYLE[f.severity])
        line.append(printable(f.message))
        parts.append(line)
        if f.related:
            parts.append(Text("    " + "; ".join(printable(f"{r.label} {source_text(r.location)}") for r in f.related),
                              style="tfi.dim"))
        if f.hint and f.severity is not Severity.INFO and f.hint not in hinted:  # each hint once
            hinted.add(f.hint)
            parts.append(Text(f"    hint: {f.hint}", style="tfi.note"))
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    summary = Text(f"{printable(shown_path(source))}: ", style="tfi.name")
    if not findings:
        summary.append(checked or "no findings", style="tfi.warn" if checked else "tfi.ok")
    else:
        summary.append(", ".join(f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n),
                       style="tfi.error" if counts[Severity.ERROR] else "tfi.warn")
        if checked:
            summary.append(f" ({checked})", style="tfi.warn")
    parts.append(summary)
    return Group(*parts)


def check_json(results) -> dict[str, Any]:
    """``check --format json``: one versioned object, each source with how its script ended, and the findings.

    ``results``: (source, Outcome, what was checked when the script did not finish, findings) per source.
    """
    from tfinspect.render.json import SCHEMA_VERSION

    return {
        "schema_version": SCHEMA_VERSION, "command": "check",
        "sources": [{"source": source, "outcome": outcome.status.value, "checked": checked,
                     "error": None if outcome.ok else outcome.message or outcome.status.value,
                     "findings": len(findings)} for source, outcome, checked, findings in results],
        "findings": [finding_json(f) for _, _, _, findings in results for f in findings],
    }


def finding_json(f: Finding) -> dict[str, Any]:
    return {"code": f.code, "severity": f.severity.value, "op": f.op, "message": f.message, "hint": f.hint,
            "source": source_json(f.source), "graph": f.graph,
            "related": [{"label": r.label, "source": source_json(r.location)} for r in f.related],
            "evidence": dict(f.evidence)}


def _uri(path: str) -> str:
    relative = os.path.relpath(path) if not os.path.relpath(path).startswith("..") else path
    return relative.replace(os.sep, "/")


def _location(source, message: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": _uri(source.file)},
                                                     "region": {"startLine": source.line}}}
    if message:
        location["message"] = {"text": message}
    return location


def sarif(findings: Iterable[Finding], checks, invocation: dict[str, Any] | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log, as GitHub code scanning accepts it: rules from the registry, user lines; ``invocation``
    says whether the run succeeded and, as notifications, what was not checked."""
    checks = list(checks)
    rule_index = {c.code: i for i, c in enumerate(checks)}
    results = []
    for f in findings:
        result: dict[str, Any] = {"ruleId": f.code, "ruleIndex": rule_index[f.code], "level": SARIF_LEVEL[f.severity],
                                  "message": {"text": f.message + (f" Hint: {f.hint}" if f.hint else "")}}
        if f.source is not None:
            result["locations"] = [_location(f.source)]
        if f.related:
            result["relatedLocations"] = [dict(_location(r.location, r.label), id=i) for i, r in enumerate(f.related)]
        if f.op:
            result["properties"] = {"op": f.op, **({"evidence": dict(f.evidence)} if f.evidence else {})}
        results.append(result)
    rules = [{
        "id": c.code, "name": "".join(part.capitalize() for part in c.name.split("-")),
        "shortDescription": {"text": c.summary},
        "fullDescription": {"text": " ".join(c.sections().get("What it checks", c.summary).split())},
        "help": {"text": " ".join(c.sections().get("Fix", "").split()) or c.summary},
        "defaultConfiguration": {"level": SARIF_LEVEL[c.severity]},
        "properties": {"tags": [c.family, c.status.value]},
    } for c in checks]
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "tfinspect", "version": __version__,
                                      "informationUri": "https://pypi.org/project/tfinspect/", "rules": rules}},
                  "results": results,
                  "invocations": [invocation or {"executionSuccessful": True}]}],
    }


def _escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


def github(findings: Iterable[Finding]) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in findings:
        props = []
        if f.source is not None:
            props += [f"file={_escape(_uri(f.source.file), property_value=True)}", f"line={f.source.line}"]
        title = printable(f"{f.code} ({f.op})" if f.op else f.code)
        props.append(f"title={_escape(title, property_value=True)}")
        lines.append(f"::{GITHUB_LEVEL[f.severity]} {','.join(props)}::{_escape(printable(f.message))}")
    return "\n".join(lines) + ("\n" if lines else "")
