"""The one ordered table of checks, with stable codes that are never reused.

A check is a function ``(context) -> Iterable[Finding]`` registered with
:func:`check`; its docstring has the sections What it checks / Why it matters
/ Example / Fix, from which docs/checks.md is generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from tfinspect.checks.finding import Finding, Severity, Status
from tfinspect.errors import UsageError

DOC_SECTIONS = ("What it checks", "Why it matters", "Example", "Fix")


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    severity: Severity
    status: Status
    family: str
    function: Callable[..., Iterable[Finding]]

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


def check(code: str, name: str, severity: Severity, *, family: str, status: Status = Status.STABLE):
    """Register a check function under a stable code."""
    if not _CODE.match(code):
        raise ValueError(f"check codes are TFI + three digits, not {code!r}")

    def register(function):
        if any(c.code == code for c in CHECKS):
            raise ValueError(f"{code} is registered twice")
        CHECKS.append(Check(code, name, severity, status, family, function))
        CHECKS.sort(key=lambda c: c.code)
        return function

    return register


def all_checks() -> list[Check]:
    from tfinspect.checks import bounds, sampling  # noqa: F401  (register their checks)

    return list(CHECKS)


def _codes(text: str | None) -> list[str]:
    return [c.strip().upper() for c in (text or "").split(",") if c.strip()]


def selected(select: str | None = None, ignore: str | None = None) -> list[Check]:
    """The checks ``--select``/``--ignore`` leave (prefixes allowed: ``TFI00``)."""
    checks = all_checks()
    known = {c.code for c in checks}
    for code in _codes(select) + _codes(ignore):
        if not any(k.startswith(code) for k in known):
            raise UsageError(f"no check code starts with {code!r}; codes: {', '.join(sorted(known))}")
    chosen = [c for c in checks if not select or any(c.code.startswith(p) for p in _codes(select))]
    return [c for c in chosen if not any(c.code.startswith(p) for p in _codes(ignore))]
