"""Output formats: one enum per command, in one place.

A command's ``--format`` choices come from its enum; the command holds the table
from each member to the function that renders it (``RENDERERS`` in the command
module, or ``emit`` for the text/json reports). A new output format is a member
here plus an entry in that table (tests/unit/test_formats.py checks both).
"""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    """graph, scopes, collections, summary, ckpt, lecture: a rich view for people, or one JSON object."""

    TEXT = "text"
    JSON = "json"


class CheckFormat(StrEnum):
    TEXT = "text"
    JSON = "json"  # one object: the sources and their findings
    SARIF = "sarif"  # 2.1.0, for code scanning
    GITHUB = "github"  # workflow annotations


class SubgraphFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    DOT = "dot"
    SVG = "svg"
    PNG = "png"


class DumpFormat(StrEnum):
    PBTXT = "pbtxt"
    JSON = "json"
    PB = "pb"
    DOT = "dot"
    SVG = "svg"
    HTML = "html"  # one self-contained interactive page


class DiffFormat(StrEnum):
    TEXT = "text"
    JSON = "json"
    GITHUB = "github"  # the findings a change introduces, as workflow annotations
    SARIF = "sarif"  # the same, for code scanning
    DOT = "dot"  # NEW's picture, the boxes that changed coloured
    SVG = "svg"
    HTML = "html"  # NEW's interactive page, the ops that changed marked


FORMATS: dict[str, type[StrEnum]] = {
    "graph": ReportFormat, "scopes": ReportFormat, "collections": ReportFormat, "summary": ReportFormat,
    "ckpt": ReportFormat, "lecture": ReportFormat,
    "check": CheckFormat, "subgraph": SubgraphFormat, "dump": DumpFormat, "diff": DiffFormat,
}


def choices(command: str) -> list[str]:
    return [member.value for member in FORMATS[command]]
