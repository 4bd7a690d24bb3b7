"""``tfinspect summary``: what a graph is made of, computed on the index."""

from __future__ import annotations

from collections import Counter
from itertools import chain
from dataclasses import dataclass

from tfinspect.analyses.overview import PLACEHOLDER_OPS
from tfinspect.load.model import Capture, VariableInfo

LARGE_CONSTANT = 1 << 20


@dataclass(frozen=True)
class GraphStats:
    graph: int
    ops: int
    op_types: tuple[tuple[str, int], ...]  # most common first
    inputs: tuple[str, ...]  # placeholders
    outputs: tuple[str, ...]  # nodes nothing consumes
    variables: tuple[VariableInfo, ...]
    parameters: int  # elements in variables with known shapes
    large_constants: tuple[tuple[str, int], ...]  # (name, bytes) over 1 MiB
    control_edges: int
    devices: tuple[tuple[str, int], ...]


def graph_stats(capture: Capture) -> tuple[GraphStats, ...]:
    """Statistics of every graph. Plain comprehensions over the protos, no index: a summary needs only
    which names are consumed, not an id for every input, and this is the path that must start fast."""
    result = []
    for graph in capture.graphs:
        nodes = graph.graph_def.node
        names: list[str] = []
        op_types: list[str] = []
        device_names: list[str] = []
        edges: list[str] = []
        add_name, add_op, add_device, add_edges = names.append, op_types.append, device_names.append, edges.extend
        for n in nodes:  # one pass: touching the protos is the cost
            add_name(n.name)
            add_op(n.op)
            add_device(n.device)
            add_edges(n.input)
        consumed = set(edges)
        decorated = [text for text in consumed if ":" in text or text[:1] == "^"]
        consumed.update(text.lstrip("^").split(":")[0] for text in decorated)
        control = sum(1 for text in edges if text[:1] == "^") if any(t[:1] == "^" for t in decorated) else 0
        large = []
        for i, op in enumerate(op_types):
            if op == "Const":
                attr = nodes[i].attr
                if "value" in attr:
                    size = attr["value"].tensor.ByteSize()
                    if size > LARGE_CONSTANT:
                        large.append((names[i], size))
        devices = Counter(device or "(unplaced)" for device in device_names)
        variables = graph.variables
        result.append(GraphStats(
            graph=graph.id, ops=len(names), op_types=tuple(Counter(op_types).most_common()),
            inputs=tuple(name for name, op in zip(names, op_types) if op in PLACEHOLDER_OPS),
            outputs=tuple(name for name in names if name not in consumed),
            variables=variables, parameters=sum(v.size or 0 for v in variables),
            large_constants=tuple(sorted(large, key=lambda x: -x[1])), control_edges=control,
            devices=tuple(devices.most_common()),
        ))
    return tuple(result)
