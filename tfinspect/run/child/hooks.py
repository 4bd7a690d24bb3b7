"""Installing the hooks: every table of patches the recorder needs, applied together and removed together.

The TF1 table (``tf1_hooks.TF1_PATCHES``) sees graphs, ops, ``Session.run``, ``get_variable`` and
``apply_gradients``; the TF2 table (``tf2_hooks.TF2_PATCHES``) sees ``tf.function`` traces and calls and the
variables' lines. A patch whose owner cannot be imported (an older TensorFlow) is left out.
"""

from __future__ import annotations

import threading
from typing import Callable

from tfinspect.run.child.recorder import CaptureStopped, Recorder
from tfinspect.run.child.tf1_hooks import TF1_PATCHES
from tfinspect.run.child.tf2_hooks import TF2_PATCHES

TABLES = (TF1_PATCHES, TF2_PATCHES)

__all__ = ["CaptureStopped", "Recorder", "install", "TABLES"]


def install(recorder: Recorder) -> Callable[[], None]:
    """Patch TensorFlow so that ``recorder`` sees what the script builds and runs. Returns a function that
    removes the patches."""
    from tensorflow.python.framework import ops

    originals = []
    local = threading.local()
    for table in TABLES:
        for patch in table:
            if not patch.wanted(recorder):
                continue
            try:
                owner = patch.owner()
            except (ImportError, AttributeError):
                continue
            original = getattr(owner, patch.attribute)
            originals.append((owner, patch.attribute, original))
            setattr(owner, patch.attribute, patch.make(recorder, original, local))
    # The default graph may exist already (created while TensorFlow imported).
    recorder.track_graph(ops.get_default_graph())

    def uninstall() -> None:
        for owner, attribute, original in reversed(originals):
            setattr(owner, attribute, original)

    return uninstall
