"""Files tfinspect writes: whole or not at all (a temporary file of a unique name, then a rename or a
link), and temporary folders that never outlive the process that made them."""

from __future__ import annotations

import atexit
import os
import shutil
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


TEMP_PREFIX = "tfinspect-"


def temporary_folder(kind: str) -> str:
    """A folder for this process's ``kind`` of temporary data, removed at exit.

    Its name carries this process's id: folders of tfinspect processes that were killed (SIGKILL, no
    chance to clean up) are removed by the next run that finds their process gone.
    """
    _sweep_stale()
    folder = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{kind}-{os.getpid()}-")
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _sweep_stale() -> None:
    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if not name.startswith(TEMP_PREFIX) or len(parts) < 4 or not parts[2].isdigit():
            continue
        pid = int(parts[2])
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, 0)
            continue  # still running (or another user's: not ours to judge)
        except ProcessLookupError:
            pass
        except PermissionError:
            continue
        path = os.path.join(root, name)
        try:
            if os.stat(path).st_uid == os.getuid():
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
