"""Small text forms shared by the renderers: shapes, sources, name lists."""

from __future__ import annotations

import os
import re

from tfinspect.index.tensors import shape_text  # noqa: F401  (re-exported for the renderers)
from tfinspect.record.model import SourceLocation


def source_text(source: SourceLocation | None) -> str:
    """``model.py:12`` in tables: the file's name only (JSON keeps the path)."""
    return f"{os.path.basename(source.file)}:{source.line}" if source else "-"


def source_json(source: SourceLocation | None) -> dict | None:
    if source is None:
        return None
    file = source.short().rsplit(":", 1)[0]
    return {"file": file, "line": source.line}


def shown_path(path: str) -> str:
    """A source's path as findings show their files: relative to the working directory when below it (an
    absolute path given for a file under it is shown as the findings' lines show it)."""
    if not os.path.isabs(path):
        return path
    return SourceLocation(path, 0).short().rsplit(":", 1)[0]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 op``, ``2 ops``; ``many`` where adding an s is wrong."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def names_text(names, limit: int = 4) -> str:
    names = list(names)
    if not names:
        return "-"
    shown = ", ".join(names[:limit])
    return shown + (f", … (+{len(names) - limit})" if len(names) > limit else "")


def size_text(n: float) -> str:
    """``1536`` -> ``"1.5 KiB"``."""
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{int(n)} B"
        n /= 1024
    return str(n)


def created_by_text(created_by, made_by: str | None) -> str:
    """``get_variable`` for the user's own call; ``AdamOptimizer`` for one made on their behalf."""
    return made_by or created_by.value


# C0/C1 control characters, line and paragraph separators, and bidirectional overrides: none belongs in
# a TensorFlow name, and each could rewrite the terminal or forge an output line (a "::error::" line that
# GitHub Actions runs as a workflow command).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``): names and messages
    come from files and scripts tfinspect does not trust."""
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def shape_json(shape) -> list | None:
    return None if shape is None else list(shape)


def with_tf2_note(capture, view, note: str):
    """``view`` after one line saying what TF2 does not have, when every graph is a tf.function trace."""
    from rich.console import Group
    from rich.text import Text

    if not capture.graphs or any(g.function is None for g in capture.graphs):
        return view
    return Group(Text(note, style="tfi.dim"), Text(""), view)
