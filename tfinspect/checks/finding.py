"""What checks report: one record type between checks and renderers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Mapping

from tfinspect.record.model import SourceLocation


class Severity(StrEnum):
    ERROR = "error"  # the run will fail (CPU) or silently compute garbage (GPU)
    WARNING = "warning"
    INFO = "info"  # something tfinspect could not check, and why


class Status(StrEnum):
    STABLE = "stable"
    PREVIEW = "preview"


@dataclass(frozen=True)
class Related:
    label: str  # "feed", "lookup", "table", "sampler", "first created", ...
    location: SourceLocation


@dataclass(frozen=True)
class Finding:
    """What a check found. A check yields it without its code and severity: ``@check`` stamps both (the check's
    severity, unless the finding escalates its own: TFI007 is an error when the script died of it)."""

    op: str | None
    message: str
    hint: str = ""
    source: SourceLocation | None = None
    related: tuple[Related, ...] = ()
    graph: int = 0
    # the facts behind the message, as fields (JSON "evidence"): ids, positions, bounds, table, run, ...
    evidence: Mapping[str, Any] = field(default_factory=dict)
    severity: Severity | None = None  # None: the check's
    code: str = ""  # stamped by @check
