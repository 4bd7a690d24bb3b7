"""Named styles, one theme, and the console every display function defaults to."""

from __future__ import annotations

import os
import sys
from typing import IO

from rich.console import Console
from rich.theme import Theme

THEME = Theme({
    "tfi.title": "bold",
    "tfi.scope": "cyan",
    "tfi.count": "magenta",
    "tfi.name": "bold",
    "tfi.dtype": "green",
    "tfi.shape": "yellow",
    "tfi.source": "blue",
    "tfi.dim": "dim",
    "tfi.ok": "green",
    "tfi.warn": "yellow",
    "tfi.info": "cyan",
    "tfi.error": "bold red",
    "tfi.note": "italic",
})


class SafeConsole(Console):
    """A console that shows control characters in the text it prints as escapes.

    Names come from files and scripts tfinspect does not trust; an ESC in a node name must not reach
    the terminal raw. Rich's own styling and control segments are left alone.
    """

    def _render_buffer(self, buffer):
        return super()._render_buffer(self._safe(buffer))

    @staticmethod
    def _safe(buffer):
        """Each text segment's control characters escaped, and the first ``:`` of a line that would start with
        ``::`` (a CI workflow command, even after spaces) written as ``\x3a``."""
        from rich.segment import Segment

        from tfinspect.render.formatting import printable

        at_start = True
        for segment in buffer:
            if segment.control:
                yield segment
                continue
            if segment.text == "\n":
                at_start = True
                yield segment
                continue
            text = printable(segment.text)
            if at_start:
                stripped = text.lstrip(" \t")
                if stripped:
                    at_start = False
                    if stripped.startswith("::"):
                        text = text[:len(text) - len(stripped)] + "\\x3a" + stripped[1:]
            yield Segment(text, segment.style)


def make_console(file: IO[str] | None = None, *, width: int | None = None, color: bool | None = None) -> Console:
    """A console on ``file`` (stdout); colourless in a pipe or with NO_COLOR.

    In a pipe, lines are not wrapped at 80 columns: ``COLUMNS`` or 120 is used.
    """
    from tfinspect.core.safeio import raw

    file = raw(file or sys.stdout)  # this console escapes its own text; the stream must not escape its styling
    is_tty = hasattr(file, "isatty") and file.isatty()
    if width is None and not is_tty:
        width = int(os.environ.get("COLUMNS", "120") or 120)
    no_color = bool(os.environ.get("NO_COLOR")) if color is None else not color
    return SafeConsole(file=file, theme=THEME, width=width, no_color=no_color,
                   force_terminal=None if color is None else color, highlight=False, soft_wrap=False)


def titled_table(title) -> "Table":
    """A borderless table under a left-aligned title, never narrower than its title (rich wraps a title to its
    table's width: "Upstream of the feeds, so not" / "run")."""
    from rich.table import Table
    from rich.text import Text

    text = title if isinstance(title, Text) else Text(title)  # Text: user strings in it are never markup
    return Table(title=text, title_justify="left", title_style="tfi.title", box=None, pad_edge=False,
                 min_width=text.cell_len)
