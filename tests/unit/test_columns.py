"""Node columns (one protobuf decode for every node's name, op, inputs and device) agree with the protos."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.graph_pb2 import GraphDef

from tfinspect.graphindex import GraphIndex
from tfinspect.load.columns import input_counts, node_columns, positions


def _graph() -> GraphDef:
    graph = GraphDef()
    for name, op, inputs, device in [
        ("x", "Placeholder", [], ""),
        ("w", "VariableV2", [], "/device:CPU:0"),
        ("split", "Split", ["x"], ""),
        ("mul", "Mul", ["split:1", "w"], "/device:CPU:0"),
        ("init", "NoOp", ["^w", "^mul"], ""),
        ("dangling", "Identity", ["missing:0"], ""),
    ]:
        node = graph.node.add(name=name, op=op, device=device)
        node.input.extend(inputs)
        node.attr["T"].type = 1  # attributes are skipped by the column decode
    graph.library.function.add().signature.name = "f"  # fields outside `node` are skipped too
    graph.versions.producer = 1
    return graph


def test_columns_match_the_protos():
    graph = _graph()
    columns = node_columns(graph.SerializeToString(), len(graph.node))
    assert columns.names == [n.name for n in graph.node]
    assert columns.ops == [n.op for n in graph.node]
    assert columns.inputs == [text for n in graph.node for text in n.input]
    assert columns.devices == ["/device:CPU:0", "/device:CPU:0"]  # the empty device fields are not on the wire
    counts = input_counts(graph.SerializeToString(), len(graph.node))
    assert counts.tolist() == [0, 0, 1, 2, 2, 1]


def test_columns_refuse_nodes_without_a_name():
    graph = _graph()
    graph.node.add(op="NoOp")  # invalid, but a file can hold it: names and ops would no longer line up
    assert node_columns(graph.SerializeToString(), len(graph.node)) is None


def test_index_from_columns_equals_the_index_from_protos():
    graph = _graph()
    fast, slow = GraphIndex.build(graph), GraphIndex._build(graph)
    assert fast.names == slow.names
    for field in ("indptr", "indices", "src_output"):
        assert np.array_equal(getattr(fast, field), getattr(slow, field))
    assert fast.op_types == [n.op for n in graph.node]
    assert fast.indices.tolist() == [0, 2, 1, 1, 3, -1]
    assert fast.src_output.tolist() == [0, 1, 0, -1, -1, 0]


def test_positions_finds_every_occurrence_in_order():
    ops = ["Const", "Placeholder", "Add", "PlaceholderWithDefault", "Placeholder"]
    assert positions(ops, {"Placeholder", "PlaceholderWithDefault"}) == [1, 3, 4]
    assert positions(ops, ("VariableV2",)) == []
