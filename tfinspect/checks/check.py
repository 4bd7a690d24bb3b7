"""What a check is: a function ``(context) -> Iterable[Finding]`` registered under a stable TFI code.

Its docstring has the sections What it checks / Why it matters / Example /
Fix, from which docs/checks.md is generated. ``needs`` says what the capture
must hold for it (``feeds``: fed arrays, checked by the guard as the script
runs; ``datasets``: the script's datasets iterated), so commands ask for
exactly that. The table of all checks is ``registry.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, Mapping

from tfinspect.checks.finding import Finding, Severity, Status

DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "Fix")


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    severity: Severity
    status: Status
    family: str
    function: Callable[..., Iterable[Finding]]
    needs: frozenset[str] = frozenset()
    evidence: Mapping[str, str] = field(default_factory=dict)  # the fields of its findings' evidence, described

    def run(self, context) -> Iterator[Finding]:
        """The check's findings, each stamped with the check's code and (unless it escalates) its severity."""
        for finding in self.function(context):
            unknown = set(finding.evidence) - set(self.evidence)
            if unknown:
                raise ValueError(f"{self.code} reports evidence it does not declare: {sorted(unknown)}")
            yield replace(finding, code=self.code, severity=finding.severity or self.severity)

    @property
    def doc(self) -> str:
        return self.function.__doc__ or ""

    def sections(self) -> dict[str, str]:
        """The docstring's sections by title (the text under each ``Title:`` line)."""
        found: dict[str, list[str]] = {}
        current = None
        lines = self.doc.splitlines()
        indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
        for line in lines[1:]:
            text = line[indent:] if len(line) >= indent else line.strip()
            title = text.strip().rstrip(":")
            if title in DOC_SECTIONS and text.strip().endswith(":"):
                current = title
                found[current] = []
            elif current:
                found[current].append(text)
        return {k: "\n".join(v).strip("\n") for k, v in found.items()}

    @property
    def summary(self) -> str:
        return self.doc.strip().splitlines()[0] if self.doc.strip() else self.name


CHECKS: list[Check] = []
_CODE = re.compile(r"^TFI\d{3}$")


NEEDS = frozenset({"feeds", "datasets"})


def check(code: str, name: str, severity: Severity, *, family: str, status: Status = Status.STABLE,
          needs: Iterable[str] = (), evidence: Mapping[str, str] | None = None):
    """Register a check function under a stable code; ``evidence`` describes each field its findings' evidence
    may hold (docs/json.md is generated from it)."""
    if not _CODE.match(code):
        raise ValueError(f"check codes are TFI + three digits, not {code!r}")

    def register(function):
        if any(c.code == code for c in CHECKS):
            raise ValueError(f"{code} is registered twice")
        if set(needs) - NEEDS:
            raise ValueError(f"{code} needs {sorted(set(needs) - NEEDS)}; known: {sorted(NEEDS)}")
        CHECKS.append(Check(code, name, severity, status, family, function, frozenset(needs), dict(evidence or {})))
        CHECKS.sort(key=lambda c: c.code)
        return function

    return register


