"""The Python API: `capture` a script, `capture_graph` a live graph."""

from __future__ import annotations

from typing import Sequence

from tfinspect.load.model import Capture
from tfinspect.load.protocol.options import RunLimit
from tfinspect.load.script.runner import DEFAULT_TIMEOUT, ScriptRun, run_script

__all__ = ["Capture", "capture", "capture_graph"]


def capture(
    script: str,
    argv: Sequence[str] = (),
    *,
    runs: str | int = "auto",
    tf1: bool | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    quiet: bool = False,
    cwd: str | None = None,
    trace: bool = False,
    run_metadata: bool = False,
) -> Capture:
    """Run ``script`` in a child process and capture the graphs it builds and the runs it makes.

    Args:
        script: path of a Python script; it runs as ``__main__`` with its own
            directory first on ``sys.path`` and as its working directory.
        argv: the script's own arguments.
        runs: ``"auto"`` (initialisation and the first 3 steps of each loop),
            a number of ``Session.run`` calls to execute, or ``"all"``.
        tf1: run as TF1 code (``import tensorflow`` gives ``tf.compat.v1``);
            None detects it from the script.
        timeout: seconds before a hanging script is stopped (0: no limit).
        quiet: hide the script's own output.
        cwd: working directory for the script (default: its own directory).
        trace: also record, for every run, the nodes TensorFlow itself executed
            (from its partition graphs, with graph rewrites turned off).
        run_metadata: keep TensorFlow's RunMetadata (FULL_TRACE step stats and
            partition graphs) of the first 5 runs of each ``Session.run`` line;
            ``capture.run_metadata(run)`` returns it serialized.

    Returns:
        The capture; ``capture.outcome`` says how the script ended.
    """
    spec = ScriptRun(script=script, argv=tuple(argv), runs=RunLimit.parse(runs), tf1=tf1,
                     timeout=timeout, quiet=quiet, cwd=cwd, trace=trace, run_metadata=run_metadata)
    return run_script(spec)


def capture_graph(graph=None) -> Capture:
    """Capture a live ``tf.Graph`` (default: the current default graph), e.g. in a notebook."""
    from tensorflow.python.framework import ops

    from tfinspect.load.child.extract import FileTable, GraphExtractor
    from tfinspect.load.protocol import graph_def_from_bytes
    from tfinspect.load.protocol.reader import graph_from_raw

    graph = graph if graph is not None else ops.get_default_graph()
    files = FileTable()
    meta, data = GraphExtractor(graph, 0, files).extract([])
    graph_capture = graph_from_raw(meta, files.files, graph_def_from_bytes(data, "live graph"), wire=data)
    import tensorflow as tf

    return Capture(source="<live graph>", origin="live", graphs=(graph_capture,), tf_version=tf.__version__)
