"""tfinspect: see and check TensorFlow graph-mode programs before they run.

Importing tfinspect is light: TensorFlow is only ever imported in the child
process that runs a script, or by ``capture_graph``.
"""

from __future__ import annotations

from tfinspect.core.version import __version__  # noqa: E402,F401

from tfinspect.core.errors import TfinspectError  # noqa: E402

__all__ = ["Capture", "TfinspectBoundsError", "TfinspectError", "capture", "capture_graph", "guard",
           "instrument", "__version__"]


def __getattr__(name: str):
    # Everything public loads on first use: `tfinspect summary graph.pb` starts a process that must not pay
    # for the capture machinery (subprocess, pathlib, the model's dataclasses) or numpy.
    if name in ("capture", "capture_graph"):
        from tfinspect import api

        return getattr(api, name)
    if name == "Capture":
        from tfinspect.record.model import Capture

        return Capture
    # The run-time guard pulls in numpy and the analyses.
    if name in ("guard", "TfinspectBoundsError"):
        from tfinspect.runtime import guard as runtime_guard

        return getattr(runtime_guard, name)
    if name == "instrument":
        from tfinspect.runtime.instrumentation import instrument

        return instrument
    raise AttributeError(f"module 'tfinspect' has no attribute {name!r}")
