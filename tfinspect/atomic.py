"""Files written whole or not at all: a temporary file of a unique name, then a rename or a link."""

from __future__ import annotations

import os
import tempfile


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str, data: bytes, *, replace: bool = True) -> None:
    """Write ``data`` to ``path`` through a temporary file of a unique name and a rename.

    With ``replace=False`` the file is only created: if ``path`` appeared meanwhile (another run
    writing the same output), FileExistsError, and nothing is replaced.
    """
    write_atomic_with(path, lambda f: f.write(data), replace=replace)


def write_atomic_with(path: str, write, *, replace: bool = True) -> None:
    """Like :func:`write_atomic`, with ``write(file)`` filling the temporary file."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=os.path.basename(path))
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give what open() would
        if replace:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)  # fails if the path exists: two writers never silently replace each other
            os.unlink(tmp)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
