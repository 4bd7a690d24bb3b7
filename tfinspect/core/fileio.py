"""Files tfinspect writes: whole or not at all (a temporary file of a unique name, then a rename or a
link), and temporary folders that never outlive the process that made them."""

from __future__ import annotations

import atexit
import os
import stat
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


MARKER = ".tfinspect-temporary"  # inside each temporary folder: its owner holds an exclusive lock on it
STALE_AFTER = 60.0  # seconds: a folder younger than this is never swept (its owner may still be locking it)
_held: list = []  # the open, locked markers of this process's folders


def temporary_folder(kind: str) -> str:
    """A folder for this process's ``kind`` of temporary data, removed at exit.

    It holds a marker file that this process keeps locked (``flock``) while it lives. Folders of tfinspect
    processes that were killed (SIGKILL, no chance to clean up) are removed by a later run: only folders
    with tfinspect's name and marker, owned by the same user, older than a minute, whose marker's lock is
    free (its process is gone, in any PID namespace sharing the folder).
    """
    _sweep_stale()
    folder = tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{kind}-{os.getpid()}-")
    try:
        import fcntl

        marker = open(os.path.join(folder, MARKER), "w")  # noqa: SIM115 (held open: the lock lives with it)
        fcntl.flock(marker, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _held.append(marker)
    except (ImportError, OSError):  # no flock here: the folder is never swept by others, only removed at exit
        pass
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _sweep_stale() -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        return
    import time

    root = tempfile.gettempdir()
    try:
        names = os.listdir(root)
    except OSError:
        return
    for name in names:
        parts = name.split("-")
        if not name.startswith(TEMP_PREFIX) or len(parts) < 4 or not parts[2].isdigit():
            continue
        path = os.path.join(root, name)
        marker = os.path.join(path, MARKER)
        try:
            info = os.lstat(path)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or \
                    time.time() - info.st_mtime < STALE_AFTER or not os.path.isfile(marker):
                continue  # not a folder of ours (a user's own folder of a similar name has no marker)
            with open(marker) as f:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # its process still runs
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
        except PermissionError:
            continue
        path = os.path.join(root, name)
        try:
            if os.stat(path).st_uid == os.getuid():
                shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass
