"""Matching two versions of a graph: names TensorFlow uniquified are no change, renames and edits are found."""

from __future__ import annotations

from tensorboard.compat.proto.graph_pb2 import GraphDef

from tfinspect.analyses.diff import diff
from tfinspect.record.model import Capture, GraphCapture


def _capture(nodes, source="g.pb") -> Capture:
    graph = GraphDef()
    for name, op, inputs, *device in nodes:
        graph.node.add(name=name, op=op, input=list(inputs), device=device[0] if device else "")
    return Capture(source=source, origin="graphdef", graphs=(GraphCapture(0, graph),))


BASE = [("x", "Placeholder", []), ("y", "Placeholder", []), ("Add", "AddV2", ["x", "y"]),
        ("Add_1", "AddV2", ["Add", "y"]), ("Mul", "Mul", ["x", "x"]), ("out", "Identity", ["Add_1"])]


def test_the_same_graph_with_uniquified_names_moved_is_no_change():
    """The two adds made in the other order: TensorFlow names them the other way round, yet nothing changed."""
    moved = [("x", "Placeholder", []), ("y", "Placeholder", []), ("Mul", "Mul", ["x", "x"]),
             ("Add_1", "AddV2", ["x", "y"]), ("Add", "AddV2", ["Add_1", "y"]), ("out", "Identity", ["Add"])]
    result = diff(_capture(BASE), _capture(moved))
    assert result.ops == () and result.uniquified == 2 and not any(result.changed().values())


def test_an_edit_is_found_and_what_follows_it_is_not_blamed():
    edited = [row if row[0] != "Add_1" else ("Add_1", "Sub", ["Add", "y"]) for row in BASE]
    edited.append(("extra", "Relu", ["Mul"]))
    result = diff(_capture(BASE), _capture(edited))
    assert [(c.kind, c.name, c.details) for c in result.ops] == [
        ("changed", "Add_1", ("type AddV2 -> Sub",)), ("added", "extra", ())]  # `out` reads the same op: unchanged


def test_a_rewired_input_and_a_device_are_changes():
    rewired = [row if row[0] != "out" else ("out", "Identity", ["Mul"]) for row in BASE]
    rewired = [row if row[0] != "Mul" else ("Mul", "Mul", ["x", "x"], "/device:CPU:0") for row in rewired]
    result = diff(_capture(BASE), _capture(rewired))
    assert [(c.kind, c.name) for c in result.ops] == [("changed", "Mul"), ("changed", "out")]
    assert result.ops[0].details == ("device (none) -> /device:CPU:0",)
    assert result.ops[1].details == ("inputs (Add_1) -> (Mul)",)


def test_a_renamed_scope_is_one_rename_and_its_ops_are_the_same():
    old = [("x", "Placeholder", [])] + [(f"dense1/op_{k}", "Relu", [f"dense1/op_{k - 1}" if k else "x"])
                                        for k in range(5)]
    new = [("x", "Placeholder", [])] + [(f"layer1/op_{k}", "Relu", [f"layer1/op_{k - 1}" if k else "x"])
                                        for k in range(5)]
    result = diff(_capture(old), _capture(new))
    assert result.ops == () and [(r.old, r.new, r.ops) for r in result.scope_renames] == [("dense1", "layer1", 5)]
    assert result.renamed["dense1/op_3"] == "layer1/op_3"


def test_a_changed_attribute_is_a_change_and_an_equal_one_is_not():
    """A structure hash does not cover attributes: a Conv2D whose strides changed, a cast to another dtype."""
    from tensorboard.compat.proto.types_pb2 import DT_FLOAT, DT_INT32

    def graph(strides, dtype, padding_order):
        capture = _capture([("x", "Placeholder", []), ("w", "Const", []), ("conv", "Conv2D", ["x", "w"]),
                            ("cast", "Cast", ["conv"]), ("pool", "MaxPool", ["cast"])])
        conv, cast, pool = capture.graphs[0].graph_def.node[2:5]
        conv.attr["strides"].list.i.extend(strides)
        cast.attr["DstT"].type = dtype
        for key in padding_order:  # attributes set in another order serialize otherwise: no change
            pool.attr[key].s = b"SAME" if key == "padding" else b"NHWC"
        return capture

    same = diff(graph([1, 1, 1, 1], DT_FLOAT, ["padding", "data_format"]),
                graph([1, 1, 1, 1], DT_FLOAT, ["data_format", "padding"]))
    assert same.ops == ()
    result = diff(graph([1, 1, 1, 1], DT_FLOAT, ["padding"]), graph([1, 2, 2, 1], DT_INT32, ["padding"]))
    assert [(c.kind, c.name, c.details) for c in result.ops] == [
        ("changed", "cast", ("attr DstT: float32 -> int32",)),
        ("changed", "conv", ("attr strides: [1, 1, 1, 1] -> [1, 2, 2, 1]",))]


def test_a_constant_with_other_values_is_a_change():
    from tensorboard.compat.proto.types_pb2 import DT_FLOAT

    def graph(values):
        capture = _capture([("c", "Const", []), ("out", "Identity", ["c"])])
        tensor = capture.graphs[0].graph_def.node[0].attr["value"].tensor
        tensor.dtype = DT_FLOAT
        tensor.tensor_shape.dim.add(size=len(values))
        tensor.float_val.extend(values)
        return capture

    result = diff(graph([1.0, 2.0]), graph([1.0, 3.0]))
    assert [(c.name, c.details) for c in result.ops] == [("c", ("attr value: other values",))]


def _chain_graph(size: int, edits: dict[int, float], insert_at: int | None = None) -> GraphDef:
    """A chain of ``size`` Mul ops, each with a constant attribute ``scale``; ``edits`` change some scales,
    ``insert_at`` inserts an op there (every later op then sits one position further on)."""
    graph = GraphDef()
    graph.node.add(name="x", op="Placeholder")
    previous = "x"
    for k in range(size):
        if k == insert_at:
            graph.node.add(name="inserted", op="Relu", input=[previous])
        node = graph.node.add(name=f"layer_{k}/mul", op="Mul", input=[previous, previous])
        node.attr["scale"].f = edits.get(k, 1.0)
        if k % 97 == 0:
            node.device = "/device:CPU:0"
        previous = node.name
    return graph


def _from_file(tmp_path, name: str, graph: GraphDef) -> Capture:
    from tfinspect.readers import load_graph_file

    path = tmp_path / name
    path.write_bytes(graph.SerializeToString())
    return load_graph_file(str(path))


def test_attribute_edits_anywhere_in_long_unchanged_runs_are_all_found(tmp_path, monkeypatch):
    """Records are compared as byte ranges of the two files, split where they differ: an edit at the first op,
    deep inside a run of thousands, beside an inserted op and at the last op is each found, and the answer is
    the one the record-by-record comparison gives."""
    from tfinspect.index.columns import NodeColumns

    edits = {0: 2.0, 1234: 0.5, 2999: 3.0, 3000: 3.0, 4999: 9.0}
    old = _from_file(tmp_path, "old.pb", _chain_graph(5000, {}))
    new = _from_file(tmp_path, "new.pb", _chain_graph(5000, edits, insert_at=3000))
    result = diff(old, new)
    found = {c.name: c.details for c in result.ops if c.kind == "changed"}
    assert found == {f"layer_{k}/mul": (f"attr scale: 1.0 -> {v}",) for k, v in edits.items()}
    assert [c.name for c in result.ops if c.kind == "added"] == ["inserted"]
    monkeypatch.setattr(NodeColumns, "record_spans", lambda self: None)  # one by one, as for a capture
    slow = diff(_from_file(tmp_path, "old2.pb", _chain_graph(5000, {})),
                _from_file(tmp_path, "new2.pb", _chain_graph(5000, edits, insert_at=3000)))
    assert [(c.kind, c.name, c.details) for c in slow.ops] == [(c.kind, c.name, c.details) for c in result.ops]
