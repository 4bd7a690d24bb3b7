"""The Python API: `capture` a script or a graph file, `capture_graph` a live graph."""

from __future__ import annotations

from typing import IO, Any, Callable, Sequence

from tfinspect.record.model import Capture
from tfinspect.record.options import CaptureOptions, RunLimit

__all__ = ["Capture", "capture", "capture_graph"]


def capture(
    source: str,
    argv: Sequence[str] = (),
    *,
    output: IO[str] | None = None,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> Capture:
    """Capture ``source``: a script is run in a child process; a graph file is read, as the CLI reads it.

    Every field of :class:`~tfinspect.record.options.CaptureOptions` is a keyword here (the CLI's options are
    the same record), among them:

    Args:
        source: a Python script (a ``.py`` name, or any file with ``script=True``), or a graph file:
            ``.pb``, ``.pbtxt``, ``.meta``, a SavedModel directory, an event file or log directory,
            a saved ``.tfinspect`` capture. Only a script runs; a file is data.
        argv: the script's own arguments.
        runs: ``"auto"`` (initialisation and the first 3 steps of each loop, later runs skimmed), ``"stop"``,
            a number of ``Session.run`` calls to execute, or ``"all"``.
        tf1: run as TF1 code (``import tensorflow`` gives ``tf.compat.v1``);
            None detects it from the script.
        timeout: seconds before a hanging script is stopped (0: no limit; default 120).
        memory_limit: bytes of memory the script may use (None: three quarters of the machine's).
        quiet: hide the script's own output.
        verbose: also show TensorFlow's start-up messages.
        cwd: working directory for the script (default: its own directory).
        script: run ``source`` as a Python script whatever its name.
        trace: also record, for every run, the nodes TensorFlow itself executed
            (from its partition graphs, with graph rewrites turned off).
        datasets: after the script, iterate each initializable iterator's dataset up to this
            many elements (0: not at all), for ``capture.dataset_values``.
        guard: do not let a run execute whose embedding ids are out of range (as ``tfinspect check``).
        run_metadata: keep TensorFlow's RunMetadata (FULL_TRACE step stats and
            partition graphs) of the first 5 runs of each ``Session.run`` line;
            ``capture.run_metadata(run)`` returns it serialized.
        output: where the script's output goes (default: stderr).
        progress: called with each progress line the script's driver prints.

    Returns:
        The capture; ``capture.outcome`` says how the script ended.

    Raises:
        TypeError: a keyword that is no capture option.
        ArgumentError: an option value is invalid (``runs``).
        SourceError: the source does not exist or cannot be read.
    """
    from dataclasses import fields

    from tfinspect.run.sources import load

    known = [f.name for f in fields(CaptureOptions) if f.name != "argv"]
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise TypeError(f"capture() got an unexpected keyword {', '.join(map(repr, unknown))}; the capture options "
                        f"are {', '.join(known)}")
    if "runs" in options:
        options["runs"] = RunLimit.parse(options["runs"])
    return load(source, CaptureOptions(argv=tuple(argv), **options), output=output, progress=progress)


def capture_graph(graph=None) -> Capture:
    """Capture a live ``tf.Graph`` (default: the current default graph), e.g. in a notebook."""
    from tensorflow.python.framework import ops

    from tfinspect.run.child.extract import FileTable, GraphExtractor
    from tfinspect.record.layout import graph_def_from_bytes
    from tfinspect.record.reader import graph_from_raw

    graph = graph if graph is not None else ops.get_default_graph()
    files = FileTable()
    meta, data = GraphExtractor(graph, 0, files).extract([])
    graph_capture = graph_from_raw(meta, files.files, graph_def_from_bytes(data, "live graph"), wire=data)
    import tensorflow as tf

    return Capture(source="<live graph>", origin="live", graphs=(graph_capture,), tf_version=tf.__version__)
