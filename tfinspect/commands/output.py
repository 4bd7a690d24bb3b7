"""Writing output files: atomically, never over an existing file without --force."""

from __future__ import annotations

import os
import sys

from tfinspect.errors import UsageError
from tfinspect.load.store import write_atomic


def write_output(path: str, data: bytes, *, force: bool) -> None:
    if os.path.exists(path) and not force:
        raise UsageError(f"{path} exists; add --force to overwrite it")
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise UsageError(f"{path}: folder {directory} does not exist")
    write_atomic(path, data)


def write_picture(source: str, fmt: str, output: str | None, *, force: bool) -> None:
    """Write .dot text, or render it with graphviz's dot; without dot, write the .dot text and say how to get it."""
    from tfinspect.render.dot import dot_available, render

    if fmt == "dot":
        if output:
            write_output(output, source.encode(), force=force)
        else:
            sys.stdout.write(source)
        return
    if not dot_available():
        fallback = (os.path.splitext(output)[0] if output else "tfinspect") + ".dot"
        write_output(fallback, source.encode(), force=force)
        print(f"tfinspect: graphviz's 'dot' program is not installed, so no {fmt} was drawn; wrote the .dot text "
              f"to {fallback} (install graphviz: apt-get install graphviz, brew install graphviz)", file=sys.stderr)
        return
    data = render(source, fmt)
    if output:
        write_output(output, data, force=force)
    else:
        sys.stdout.write(data.decode())
