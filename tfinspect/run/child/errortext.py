"""One line for an error a script raised: its root cause, not TensorFlow's wrapping.

Imported by the child process (outcome, run and dataset errors); it never imports TensorFlow.
"""

from __future__ import annotations

import re

# Lines TensorFlow wraps a run error in; the cause is further down.
_TF_NOISE = ("Graph execution error", "Detected at node", "File ", "Node:", "[[", "Original stack trace",
             "defined at", "Caused by op", "[Previous line repeated")
_WRAPPED = "Original error:"
_AUTOGRAPH = "in user code:"  # how an error raised while tracing a tf.function begins
_CAUSE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception)): (.+)$")


def error_summary(error: BaseException) -> str:
    """``Type: cause (at op NAME)``; for an error that wraps another (a Saver restore), the inner cause
    first and the wrapper's first sentence after it."""
    text = getattr(error, "message", None) or str(error)
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if lines and lines[0] == _AUTOGRAPH:  # a tf.function's error: the user's frames, then "ValueError: cause"
        causes = [match for match in map(_CAUSE.match, lines[1:]) if match]
        if causes:
            return f"{causes[-1].group(1)}: {causes[-1].group(2)}"
    meaningful = [line for line in lines if not line.startswith(_TF_NOISE)]
    line = (meaningful or lines or [""])[0]
    if _WRAPPED in line:
        wrapper, _, rest = line.partition(_WRAPPED)
        cause = rest.strip() or next(iter(meaningful[1:]), "")
        context = wrapper.split(". ")[0].rstrip(". ")
        line = f"{cause} ({context})" if cause and context else (cause or context)
    op = getattr(error, "op", None)
    if op is not None and getattr(op, "name", None) and op.name not in line:
        line += f" (at op {op.name})"
    line = line.split(" Originally defined at:")[0]  # TensorFlow's "already exists" names the site below
    return f"{type(error).__name__}: {line}" if line else type(error).__name__
