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


def check_outputs(args) -> None:
    """Every output a command's arguments name, checked before a script runs for seconds."""
    force = getattr(args, "force", False)
    check_output(getattr(args, "output", None), force=force)
    check_output(getattr(args, "save", None), force=force, what="--save ")
    logdir = getattr(args, "tensorboard", None)
    if logdir and os.path.exists(logdir) and not os.path.isdir(logdir):
        raise UsageError(f"--tensorboard {logdir} is a file; give a log directory")
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
