"""Where a Capture comes from: the one place that dispatches on the kind of source."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, Sequence

from tfinspect.load.model import Capture
from tfinspect.load.protocol.options import DEFAULT_TIMEOUT, RunLimit
from tfinspect.errors import SourceError


@dataclass(frozen=True)
class LoadOptions:
    argv: Sequence[str] = ()
    runs: RunLimit = field(default_factory=RunLimit)
    tf1: bool | None = None
    timeout: float = DEFAULT_TIMEOUT
    quiet: bool = False
    verbose: bool = False
    cwd: str | None = None
    output: IO[str] | None = None  # where the script's own output goes (default: stderr)
    trace: bool = False
    datasets: int = 0
    guard: bool = False
    run_metadata: bool = False  # keep TensorFlow's RunMetadata of the first runs of each call site
    progress: object = None  # callable getting the child's progress lines
    script: bool = False  # run the source as a Python script whatever its name (else only a .py name runs)


def load(source: str, options: LoadOptions = LoadOptions()) -> Capture:
    """Load ``source``: a Python script is run in a child process and captured; a GraphDef is read.

    Only a source the user plainly gave as a script runs: a ``.py`` name, or
    ``options.script``. Everything else is data, read by the parsers alone,
    whatever its first line says (a ``#!python`` line in a ``.pb`` is not a
    reason to execute it).

    Raises:
        SourceError: the source does not exist or is of a kind tfinspect cannot read.
    """
    if source.endswith(".py") or options.script:
        if options.script and not os.path.isfile(source):
            raise SourceError(f"{source}: no such file" if not os.path.exists(source) else
                              f"{source}: --script needs a file")
        from tfinspect.load.script.runner import ScriptRun, run_script  # the child-process machinery, only for scripts

        return run_script(ScriptRun(
            script=source, argv=tuple(options.argv), runs=options.runs, tf1=options.tf1,
            timeout=options.timeout, quiet=options.quiet, verbose=options.verbose, cwd=options.cwd,
            trace=options.trace, datasets=options.datasets, progress=options.progress, guard=options.guard,
            run_metadata=options.run_metadata,
        ), output=options.output)
    from tfinspect.load.files import is_graph_file, load_graph_file

    if is_graph_file(source):
        return load_graph_file(source)
    if not os.path.exists(source):
        raise SourceError(f"{source}: no such file")
    raise SourceError(f"{source}: not a Python script (.py) nor a graph file tfinspect reads (.pb, .pbtxt, .meta, "
                      f"a SavedModel directory, an event file or log directory, a .tfinspect capture)")

