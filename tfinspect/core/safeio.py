"""Text output that names from untrusted files cannot turn into terminal commands or CI commands.

Every name tfinspect prints comes from a file or a script it does not trust. Two things must never reach a
terminal or a CI log from one: a control character (ESC rewrites the terminal; CR hides what precedes it;
U+202E reverses what follows) and a line that starts with ``::`` (a GitHub Actions workflow command such as
``::error::``, which the runner reads even after leading spaces). The CLI writes through :class:`SafeStream`,
which shows such characters as ``\\uXXXX`` escapes (also valid inside a JSON string) and writes the first
``:`` of a line-starting ``::`` as ``\\u003a``. Output that is meant to hold workflow commands (``--format
github``) goes to :func:`raw` instead; rich consoles escape their own text (``render/theme.SafeConsole``).
"""

from __future__ import annotations

import re
import sys
from typing import TextIO

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
COMMAND_START = re.compile(r"(\n[ \t]*):(?=:)")


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group()):04x}"


def safe_lines(text: str, at_line_start: bool = True) -> str:
    """``text`` with control characters escaped and no line starting with ``::`` (``at_line_start``: the text
    begins a line)."""
    text = UNSAFE.sub(_escape, text)
    if "::" not in text:
        return text
    if at_line_start:
        return COMMAND_START.sub(r"\1\\u003a", "\n" + text)[1:]
    return COMMAND_START.sub(r"\1\\u003a", text)


class SafeStream:
    """A text stream that writes :func:`safe_lines` of everything to ``raw``."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw
        self._at_line_start = True

    def write(self, text: str) -> int:
        if text:
            safe = safe_lines(text, self._at_line_start)
            self.raw.write(safe)
            self._at_line_start = safe.endswith("\n")
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self.raw, name)


def raw(stream: TextIO | None = None) -> TextIO:
    """The stream under a SafeStream (stdout by default): for output that must be written as it is."""
    stream = sys.stdout if stream is None else stream
    return stream.raw if isinstance(stream, SafeStream) else stream


def install() -> tuple[TextIO, TextIO]:
    """Wrap sys.stdout and sys.stderr; returns the originals (for :func:`restore`)."""
    original = sys.stdout, sys.stderr
    if not isinstance(sys.stdout, SafeStream):
        sys.stdout = SafeStream(sys.stdout)
    if not isinstance(sys.stderr, SafeStream):
        sys.stderr = SafeStream(sys.stderr)
    return original


def restore(original: tuple[TextIO, TextIO]) -> None:
    sys.stdout, sys.stderr = original
