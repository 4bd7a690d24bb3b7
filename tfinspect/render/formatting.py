"""Small text forms shared by the renderers: shapes, sources, name lists."""

from __future__ import annotations

import os

from tfinspect.load.model import Shape, SourceLocation


def shape_text(shape: Shape) -> str:
    """``(None, 3)`` -> ``"(?, 3)"``; unknown rank -> ``"<unknown>"``; scalar -> ``"()"``."""
    if shape is None:
        return "<unknown>"
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def source_text(source: SourceLocation | None) -> str:
    """``model.py:12`` in tables: the file's name only (JSON keeps the path)."""
    return f"{os.path.basename(source.file)}:{source.line}" if source else "-"


def source_json(source: SourceLocation | None) -> dict | None:
    if source is None:
        return None
    file = source.short().rsplit(":", 1)[0]
    return {"file": file, "line": source.line}


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
