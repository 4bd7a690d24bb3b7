"""Ops pinned to devices the machine does not have, where the session does not let TensorFlow place them
elsewhere."""

from __future__ import annotations

import re
from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity

FAMILY = "placement"
_GPU = re.compile(r"(?:^|/)(?:device:)?gpu:(\d+)", re.IGNORECASE)


@check("TFI017", "missing-device", Severity.ERROR, family=FAMILY,
       evidence={"ops": "the pinned ops", "devices": "their devices", "gpus": "GPUs on the machine",
                 "run": "the first run that cannot place them"})
def missing_device(context: CheckContext) -> Iterator[Finding]:
    """Ops are pinned to a GPU this machine does not have, and the session does not allow soft placement.

    What it checks:
        Ops whose device (``with tf.device("/gpu:1")``) names a GPU index that TensorFlow did not find on the
        machine that ran the script, in a graph that a session without ``allow_soft_placement`` ran. Grouped
        by the line that created them.

    Why it matters:
        TensorFlow cannot place such an op, and without soft placement it refuses to run the graph at all:
        the first ``Session.run`` fails with ``Cannot assign a device for operation``. A script written on a
        GPU workstation fails this way on a CPU-only CI machine, a laptop, or a machine with fewer GPUs
        (``/gpu:1`` on a single-GPU box).

    Example:
        ``with tf.device("/gpu:0"): logits = model(x)`` then ``tf.Session()`` on a machine without a GPU.

    Fix:
        Let TensorFlow fall back to the devices it has: ``tf.Session(config=tf.ConfigProto(
        allow_soft_placement=True))``; or choose the device from what exists (``tf.test.is_gpu_available()``),
        or drop the pin.
    """
    gpus = context.capture.gpus
    if gpus is None:
        return
    for graph, index, _ in context.graphs():
        strict = [r for r in context.capture.runs if r.graph == graph.id and r.soft_placement is False]
        if not strict:
            continue
        pinned: list[tuple[str, str]] = []
        for node in index.graph_def.node:
            match = _GPU.search(node.device) if node.device else None
            if match is not None and int(match.group(1)) >= gpus:
                pinned.append((node.name, node.device))
        if not pinned:
            continue
        names = [name for name, _ in pinned]
        devices = sorted({device for _, device in pinned})
        lines = []
        for name in names:
            source = graph.sources.get(name)
            if source is not None and source not in lines:
                lines.append(source)
        have = "no GPU" if gpus == 0 else f"{gpus} GPU{'s' if gpus > 1 else ''}"
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        yield Finding(names[0],
            f"{len(names)} op{'s' if len(names) > 1 else ''} ({shown}) {'are' if len(names) > 1 else 'is'} pinned "
            f"to {', '.join(devices)}, but this machine has {have} and the session does not allow soft placement: "
            f"run #{strict[0].index} cannot place the graph (Cannot assign a device for operation)",
            hint="Create the session with tf.ConfigProto(allow_soft_placement=True), or pin only to devices "
                 "that exist.",
            source=lines[0] if lines else None, graph=graph.id,
            related=tuple(Related("also pinned", location) for location in lines[1:4]),
            evidence={"ops": names, "devices": devices, "gpus": gpus, "run": strict[0].index},
        )
