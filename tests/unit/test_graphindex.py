"""GraphIndex's reverse edges: who consumes a node, computed once for every check that asks."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.graph_pb2 import GraphDef

from tfinspect.index.graphindex import GraphIndex


def test_consumers_are_every_op_reading_a_node_once_in_id_order():
    rng = np.random.default_rng(1)
    graph = GraphDef()
    for k in range(300):
        inputs = [f"n{int(i)}" for i in rng.integers(0, k, size=3)] if k else []
        if k > 5:
            inputs.append(f"^n{int(rng.integers(0, k))}")
        if k == 7:
            inputs.append("missing:0")  # an input the graph does not define
        graph.node.add(name=f"n{k}", op="AddN", input=inputs)
    index = GraphIndex.build(graph)
    for node in range(len(index)):
        expected = sorted({k for k, n in enumerate(graph.node)
                           if any(i.lstrip("^").split(":")[0] == f"n{node}" for i in n.input)})
        assert index.consumers(node).tolist() == expected
