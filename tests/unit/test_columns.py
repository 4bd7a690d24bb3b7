"""Node columns (one protobuf decode for every node's name, op, inputs and device) agree with the protos."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.graph_pb2 import GraphDef

from tfinspect.index.graphindex import GraphIndex
from tfinspect.index.columns import _walk_input_counts, input_counts, node_columns, positions


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
    columns = node_columns(graph.SerializeToString())
    assert columns.names == [n.name for n in graph.node]
    assert columns.ops == [n.op for n in graph.node]
    assert columns.inputs == [text for n in graph.node for text in n.input]
    assert columns.devices == ["/device:CPU:0", "/device:CPU:0"]  # the empty device fields are not on the wire
    counts = input_counts(graph.SerializeToString(), columns)
    assert columns.node_def(3) == graph.node[3] and columns.record_size(3) == graph.node[3].ByteSize()
    assert counts.tolist() == [0, 0, 1, 2, 2, 1]


def test_columns_refuse_nodes_without_a_name():
    graph = _graph()
    graph.node.add(op="NoOp")  # invalid, but a file can hold it: names and ops would no longer line up
    assert node_columns(graph.SerializeToString()) is None


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


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return bytes([number << 3 | 2]) + _varint(len(payload)) + payload


def test_input_counts_of_large_attributes_and_long_control_lists():
    graph = GraphDef()
    graph.node.add(name="c", op="Const").attr["value"].tensor.tensor_content = b"x" * 300_000  # 3-byte varint
    for i in range(40):  # more nodes with many inputs than the vectorised walk keeps: the tail is walked in Python
        graph.node.add(name=f"n{i}", op="Identity", input=["c"] + [f"^n{j}" for j in range(i)]).attr["T"].type = 1
    data = graph.SerializeToString()
    expected = [len(n.input) for n in graph.node]
    assert _walk_input_counts(data, None, len(graph.node), np).tolist() == expected
    assert input_counts(data, node_columns(data)).tolist() == expected


def test_inputs_written_after_attributes_are_still_counted():
    # Protobuf parsers accept fields in any order; TensorFlow never writes them so, but a file may.
    attr = _field(1, b"T") + _field(2, b"\x30\x01")  # AttrValue type: DT_FLOAT
    node = _field(1, b"y") + _field(2, b"Identity") + _field(5, attr) + _field(3, b"x")
    data = _field(1, _field(1, b"x") + _field(2, b"Placeholder")) + _field(1, node)
    parsed = GraphDef.FromString(data)
    assert [list(n.input) for n in parsed.node] == [[], ["x"]]
    assert _walk_input_counts(data, None, 2, np).tolist() == [0, 0]  # the walk undercounts ...
    assert input_counts(data, node_columns(data)).tolist() == [0, 1]  # ... which the total catches
    index = GraphIndex.build(parsed, data)
    assert index.indices.tolist() == [0] and index.indptr.tolist() == [0, 0, 1]


def test_an_indexed_capture_is_freed_and_its_index_still_reads_the_graph(tmp_path):
    """The index cache is keyed weakly by the capture: the index must not keep the capture alive."""
    import gc
    import weakref

    from tfinspect.index.graphindex import index_of
    from tfinspect.readers import load_graph_file

    (tmp_path / "g.pb").write_bytes(_graph().SerializeToString())
    graph = load_graph_file(str(tmp_path / "g.pb")).graphs[0]
    index = index_of(graph)
    alive = weakref.ref(graph)
    del graph
    gc.collect()
    assert alive() is None
    assert [n.name for n in index.graph_def.node] == index.names  # parsed on first use, from the bytes
