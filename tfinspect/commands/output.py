"""Writing output files: atomically, never over an existing file without --force."""

from __future__ import annotations

import os
import sys

from tfinspect.core.errors import UsageError
from tfinspect.core.fileio import write_atomic


def check_output(path: str | None, *, force: bool, what: str = "") -> None:
    """Refuse an output before any work: one that exists (without --force), or whose folder does not."""
    if not path:
        return
    if os.path.isdir(path):
        raise UsageError(f"{what}{path} is a directory; give a file name")
    if os.path.lexists(path) and not force:
        raise UsageError(f"{what}{path} exists; add --force to overwrite it")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{what}{path}: folder {directory} does not exist")
    check_writable(directory, f"{what}{path}")


def check_writable(directory: str, what: str) -> None:
    """Refuse a folder tfinspect cannot create files in (read-only, not ours), before any work: a probe file
    is made and removed (permission bits do not tell: root, read-only mounts, ACLs)."""
    import tempfile

    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".tfinspect-probe-"):
            pass
    except OSError as e:
        raise UsageError(f"{what}: cannot write in {directory} ({e.strerror or e})") from None


def check_outputs(args) -> None:
    """Every output a command's arguments name, checked before a script runs for seconds."""
    force = getattr(args, "force", False)
    check_output(getattr(args, "output", None), force=force)
    check_output(getattr(args, "save", None), force=force, what="--save ")
    logdir = getattr(args, "tensorboard", None)
    if logdir and os.path.exists(logdir) and not os.path.isdir(logdir):
        raise UsageError(f"--tensorboard {logdir} is a file; give a log directory")
    if logdir:
        existing = os.path.abspath(logdir)
        while not os.path.isdir(existing) and os.path.dirname(existing) != existing:
            existing = os.path.dirname(existing)  # the folder the log directory will be made in
        check_writable(existing, f"--tensorboard {logdir}")
    if getattr(args, "format", None) in ("svg", "png"):
        from tfinspect.render.dot import dot_available

        if not dot_available():
            raise UsageError(f"--format {args.format} needs graphviz's 'dot' program, which is not installed "
                             "(apt-get install graphviz, brew install graphviz); --format dot writes the "
                             "picture's .dot text without it")


def write_output(path: str, data: bytes, *, force: bool) -> None:
    check_output(path, force=force)
    try:
        write_atomic(path, data, replace=force)
    except FileExistsError:
        raise UsageError(f"{path} appeared while tfinspect worked (another run?); add --force to overwrite "
                         "it") from None
    except OSError as e:  # the folder became read-only, the disk filled up: one line, exit 2
        raise UsageError(f"{path}: could not be written ({e.strerror or e})") from None


def write_picture(source: str, fmt: str, output: str | None, *, force: bool, timeout: float | None = None) -> None:
    """Write .dot text, or render it with graphviz's dot; without dot, write the .dot text and say how to get it."""
    from tfinspect.render.dot import dot_available, render

    if fmt == "dot":
        if output:
            write_output(output, source.encode(), force=force)
        else:
            sys.stdout.write(source)
        return
    if not dot_available():  # check_outputs refuses this before any work; a library caller gets it here
        raise UsageError(f"--format {fmt} needs graphviz's 'dot' program, which is not installed "
                         "(apt-get install graphviz, brew install graphviz); --format dot writes the .dot text")
    data = render(source, fmt, timeout=timeout or None)
    if output:
        write_output(output, data, force=force)
    else:
        sys.stdout.write(data.decode())
