"""Reachability on hand-made GraphDefs: feeds cut at the tensor level, control edges followed."""

from __future__ import annotations

import pytest
from tensorboard.compat.proto import graph_pb2

from tfinspect.analyses.subgraph import plan, tensor_name, why
from tfinspect.core.errors import UsageError
from tfinspect.index.graphindex import GraphIndex, parse_tensor_name


def index(*nodes) -> GraphIndex:
    gd = graph_pb2.GraphDef()
    for name, op, inputs in nodes:
        gd.node.add(name=name, op=op).input.extend(inputs)
    return GraphIndex.build(gd)


# x -> split (2 outputs) ; a = split:0 + c ; b = split:1 * c ; out = a + b ; init (control of out)
GRAPH = index(("x", "Const", []), ("c", "Const", []), ("split", "Split", ["x"]), ("a", "Add", ["split", "c"]),
              ("b", "Mul", ["split:1", "c"]), ("init", "NoOp", []), ("out", "Add", ["a", "b", "^init"]),
              ("side", "Identity", ["x"]))


def test_everything_upstream_including_control_inputs():
    result = plan(GRAPH, ["out"])
    assert result.ran == ("x", "c", "split", "a", "b", "init", "out")
    assert result.not_run == ("side",)


def test_feeding_one_output_keeps_the_producer_when_another_output_is_needed():
    result = plan(GRAPH, ["out:0"], ["split:0"])
    assert "split" in result.ran and "x" in result.ran  # split:1 still feeds b
    assert result.cut_off == ()


def test_feeding_every_needed_output_cuts_the_producer_off():
    result = plan(GRAPH, ["a"], ["split"])
    assert result.ran == ("c", "a")
    assert result.cut_off == ("x", "split")
    assert set(result.not_run) == {"x", "split", "b", "init", "out", "side"}


def test_a_fetched_tensor_that_is_fed_runs_nothing():
    assert plan(GRAPH, ["a:0"], ["a:0"]).ran == ()


def test_names_and_errors():
    assert tensor_name("X") == "X:0" and tensor_name("y:2") == "y:2"
    assert parse_tensor_name("^init") == ("init", -1) and parse_tensor_name("a/b:1") == ("a/b", 1)
    with pytest.raises(UsageError, match="no op named 'nope'"):
        plan(GRAPH, ["nope"])
    with pytest.raises(UsageError, match=r"\(feed\)") as raised:  # the CLI names its flag: --feed
        plan(GRAPH, ["out"], ["zzz:0"])
    assert raised.value.argument == "feed" and "(--feed)" in raised.value.phrased("--feed")


def test_why_chain_through_a_control_edge():
    answer = why(GRAPH, plan(GRAPH, ["out"]), "init")
    assert answer.runs and [(s.op, s.edge) for s in answer.chain] == [("out", "fetched"), ("init", "control input")]
    assert why(GRAPH, plan(GRAPH, ["out"]), "b").chain[-1].edge == "input 1"
    side = why(GRAPH, plan(GRAPH, ["out"]), "side")
    assert not side.runs and "nothing in the graph consumes it" in side.reason
    cut = why(GRAPH, plan(GRAPH, ["a"], ["split"]), "x")
    assert not cut.runs and "split:0" in cut.reason


def test_dangling_inputs_are_ignored():
    broken = index(("a", "Identity", ["missing"]), ("b", "Identity", ["a"]))
    assert broken.indices.tolist() == [-1, 0]
    assert plan(broken, ["b"]).ran == ("a", "b")


def test_a_query_that_reaches_an_unfed_placeholder_says_tensorflow_would_raise(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from tests.conftest import run_cli

    graph = GraphDef()
    graph.node.add(name="x", op="Placeholder")
    graph.node.add(name="with_default", op="PlaceholderWithDefault", input=["two"])
    graph.node.add(name="two", op="Const")
    graph.node.add(name="y", op="Mul", input=["x", "with_default"])
    path = tmp_path / "g.pb"
    path.write_bytes(graph.SerializeToString())
    text = run_cli("subgraph", str(path), "--fetch", "y")
    assert "! nothing feeds x: TensorFlow would raise \"You must feed a value for placeholder tensor 'x'\"" in \
        " ".join(text.out.split())
    assert run_cli("subgraph", str(path), "--fetch", "y", "--format", "json").json()["unfed"] == ["x"]
    fed = run_cli("subgraph", str(path), "--fetch", "y", "--feed", "x", "--format", "json").json()
    assert fed["unfed"] == [] and "must feed" not in run_cli("subgraph", str(path), "--fetch", "y", "--feed", "x").out
