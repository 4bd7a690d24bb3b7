"""The one ordered table of checks, with stable codes that are never reused.

A family is a module of checks (``bounds``, ``sampling``, ``growth``, ``training``, ``graphdef``, ``randomness``, ``placement``, ``functions``); listing it in
FAMILIES registers its checks. A new family is one module plus one entry here.
"""

from __future__ import annotations

from tfinspect.checks import bounds, functions, graphdef, growth, placement, randomness, sampling, training
from tfinspect.checks.check import CHECKS, DOC_SECTIONS, Check
from tfinspect.core.errors import UsageError

FAMILIES = (bounds, sampling, growth, training, graphdef, randomness, placement, functions)
__all__ = ["DOC_SECTIONS", "FAMILIES", "Check", "all_checks", "needed", "selected"]


def all_checks() -> list[Check]:
    return sorted(CHECKS, key=lambda c: c.code)


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


def needed(checks: list[Check]) -> frozenset[str]:
    """What the capture must hold for these checks (the union of their ``needs``)."""
    return frozenset().union(*(c.needs for c in checks))
