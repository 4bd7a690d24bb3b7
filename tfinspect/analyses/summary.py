"""``tfinspect summary``: what a graph is made of, computed on the index."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from tfinspect.core.optypes import PLACEHOLDER_OPS
from tfinspect.index.columns import columns_of, positions
from tfinspect.record.model import Capture, GraphCapture, VariableInfo

LARGE_CONSTANT = 1 << 20
_DECORATED = re.compile("[:^]").search


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
    """Statistics of every graph, from the node columns (see ``load/columns.py``): a summary needs only which
    names are consumed, not an id for every input, and this is the path that must start fast."""
    return tuple(_stats(graph) for graph in capture.graphs)


def _stats(graph: GraphCapture) -> GraphStats:
    columns = columns_of(graph)
    if columns is not None:
        names, op_types, edges, devices = columns.names, columns.ops, columns.inputs, columns.devices
    else:  # a GraphDef whose columns do not line up: walk the protos
        nodes = graph.graph_def.node
        names, op_types = [n.name for n in nodes], [n.op for n in nodes]
        edges = [text for n in nodes for text in n.input]
        devices = [n.device for n in nodes if n.device]
    # Set algebra and filter() with C predicates: at a million nodes a Python-level test per name or
    # input is what a summary's time would be spent on.
    consumed = set(edges)
    unconsumed = set(names)
    unconsumed.difference_update(consumed)
    decorated = list(filter(_DECORATED, consumed))  # "x:1" and "^x": op names hold neither ':' nor '^'
    unconsumed.difference_update(text.lstrip("^").split(":")[0] for text in decorated)
    # Control inputs start with "^"; counted on one joined string.
    control = "\n".join(edges).count("\n^") + (edges[0][:1] == "^") if decorated and edges else 0
    large = []
    if graph.wire is None or len(graph.wire) > LARGE_CONSTANT:  # no constant is larger than its file
        for i in positions(op_types, ("Const",)):
            # A node's record bounds its constant: only records over the limit are parsed.
            if columns is not None:
                if columns.record_size(i) <= LARGE_CONSTANT:
                    continue
                node = columns.node_def(i)
            else:
                node = graph.graph_def.node[i]
                if node.ByteSize() <= LARGE_CONSTANT:
                    continue
            if "value" in node.attr:
                size = node.attr["value"].tensor.ByteSize()
                if size > LARGE_CONSTANT:
                    large.append((names[i], size))
    placed = Counter(devices)
    if len(devices) < len(names):
        placed["(unplaced)"] = len(names) - len(devices)
    variables = graph.variables
    return GraphStats(
        graph=graph.id, ops=len(names), op_types=tuple(Counter(op_types).most_common()),
        inputs=tuple(names[i] for i in positions(op_types, PLACEHOLDER_OPS)),
        outputs=tuple(filter(unconsumed.__contains__, names)),
        variables=variables, parameters=sum(v.size or 0 for v in variables),
        large_constants=tuple(sorted(large, key=lambda x: -x[1])), control_edges=control,
        devices=tuple(placed.most_common()),
    )
