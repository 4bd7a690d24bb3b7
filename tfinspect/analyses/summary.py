"""``tfinspect summary``: what a graph is made of, computed on the index."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from tfinspect.analyses.overview import PLACEHOLDER_OPS
from tfinspect.analyses.runs import index_of
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
    result = []
    for graph in capture.graphs:
        index = index_of(graph)
        nodes = graph.graph_def.node
        types = Counter(index.op_types)
        consumed = index.consumer_counts
        outputs = tuple(index.names[i] for i in np.flatnonzero(consumed == 0))
        inputs = tuple(n.name for n in nodes if n.op in PLACEHOLDER_OPS)
        large = []
        for node in nodes:
            if node.op == "Const" and "value" in node.attr:
                size = node.attr["value"].tensor.ByteSize()
                if size > LARGE_CONSTANT:
                    large.append((node.name, size))
        devices = Counter(n.device or "(unplaced)" for n in nodes)
        variables = graph.variables
        result.append(GraphStats(
            graph=graph.id, ops=len(index), op_types=tuple(types.most_common()), inputs=inputs, outputs=outputs,
            variables=variables, parameters=sum(v.size or 0 for v in variables),
            large_constants=tuple(sorted(large, key=lambda x: -x[1])), control_edges=index.control_edge_count,
            devices=tuple(devices.most_common()),
        ))
    return tuple(result)
