"""Where a Capture comes from: the one place that dispatches on the kind of source."""

from __future__ import annotations

import os
from typing import IO, Callable

from tfinspect.record.model import Capture
from tfinspect.record.options import CaptureOptions
from tfinspect.core.errors import ArgumentError, SourceError


def load(source: str, options: CaptureOptions = CaptureOptions(), *, output: IO[str] | None = None,
         progress: Callable[[str], None] | None = None) -> Capture:
    """Load ``source``: a Python script is run in a child process and captured; a GraphDef is read.

    Only a source the user plainly gave as a script runs: a ``.py`` name, or
    ``options.script``. Everything else is data, read by the parsers alone,
    whatever its first line says (a ``#!python`` line in a ``.pb`` is not a
    reason to execute it). ``output`` gets the script's own output (default:
    stderr), ``progress`` its progress lines.

    Raises:
        SourceError: the source does not exist or is of a kind tfinspect cannot read.
    """
    if source.endswith(".py") or options.script:
        if options.script and not os.path.isfile(source):
            if not os.path.exists(source):
                raise SourceError(f"{source}: no such file")
            raise ArgumentError("script", f"{source}: {{name}} needs a file")
        from tfinspect.run.runner import run_script  # the child-process machinery, only for scripts

        return run_script(source, options, output=output, progress=progress)
    from tfinspect.readers import KNOWN_FILES, is_graph_file, load_graph_file

    if is_graph_file(source):
        return load_graph_file(source)
    if not os.path.exists(source):
        raise SourceError(f"{source}: no such file")
    raise SourceError(f"{source}: not a Python script (.py) nor a graph file tfinspect reads ({KNOWN_FILES})")

