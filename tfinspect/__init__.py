"""tfinspect: see and check TensorFlow graph-mode programs before they run.

Importing tfinspect is light: TensorFlow is only ever imported in the child
process that runs a script, or by ``capture_graph``.
"""

from __future__ import annotations

__version__ = "0.1.0"

from tfinspect.api import capture, capture_graph  # noqa: E402
from tfinspect.errors import TfinspectError  # noqa: E402
from tfinspect.load.model import Capture  # noqa: E402

__all__ = ["Capture", "TfinspectError", "capture", "capture_graph", "__version__"]
