"""The collapse model: what is one box, for dot, the HTML page and the text tree alike."""

from __future__ import annotations

import numpy as np
from tensorboard.compat.proto.graph_pb2 import GraphDef

from tfinspect.analyses.collapse import (BOX_BUDGET, EDGE_BUDGET, SERIES, TOP_BOXES, TYPES, choose_cut, hierarchy,
                                         picture)
from tfinspect.analyses.overview import scope_tree
from tfinspect.index.graphindex import GraphIndex
from tfinspect.render.html import view_model


def _index(nodes) -> GraphIndex:
    """``nodes``: (name, op, inputs)."""
    graph = GraphDef()
    for name, op, inputs in nodes:
        graph.node.add(name=name, op=op, input=list(inputs))
    return GraphIndex.build(graph)


def _chain(names, op="Identity"):
    nodes, previous = [], []
    for name in names:
        nodes.append((name, op, previous))
        previous = [name]
    return nodes


def _ids(drawn) -> list[str]:
    return [box.id for box in drawn.boxes]


def test_a_scope_of_forty_ops_is_forty_boxes_while_the_picture_fits():
    """Ops are grouped by type only when the picture is over its budget, in every view."""
    index = _index(_chain(["x"] + [f"s/op_{k}" for k in range(40)]))
    drawn = picture(index)
    assert len(drawn.boxes) == 41 and all(box.kind == "op" for box in drawn.boxes)
    h = hierarchy(index.names, index.op_types)
    assert (h.kind == TYPES).sum() == 1  # the crowded scope has its group, open while the picture fits
    assert view_model(index, title="t")["views"]["picture"] == np.flatnonzero(choose_cut(h).opened).tolist()


def test_ops_below_the_deepest_automatic_level_are_one_box():
    """Six ops five scopes deep: scopes open down to level 3, the scope at level 4 is one box."""
    index = _index(_chain([f"a/b/c/d/e/op_{k}" for k in range(6)]))
    drawn = picture(index)
    assert _ids(drawn) == ["a/b/c/d/*"] and drawn.boxes[0].scope == "a/b/c" and drawn.boxes[0].ops == 6
    assert drawn.clusters == ("a/b/c", "a/b", "a")
    assert len(picture(index, depth=0).boxes) == 6


def _layers(count, ops_per_layer=3, odd=None):
    nodes = [("x", "Placeholder", [])]
    previous = "x"
    for layer in range(1, count + 1):
        for k in range(ops_per_layer + (1 if layer == odd else 0)):
            name = f"h{layer}/op_{k}"
            nodes.append((name, ("MatMul", "AddV2", "Relu", "Relu")[k % 4], [previous]))
            previous = name
    return nodes


def test_numbered_scopes_of_the_same_make_up_are_one_series():
    index = _index(_layers(20, odd=7))  # h7 has one op more: not one of the series
    h = hierarchy(index.names, index.op_types)
    assert h.series() == [("h*", 19, 3)]
    drawn = picture(index)
    assert _ids(drawn) == ["x", "h*/*"] + [f"h7/op_{k}" for k in range(4)]  # h7 is open: its ops
    assert drawn.boxes[1].label == "h* ×19" and drawn.boxes[1].ops == 57
    assert _ids(picture(index, depth=TOP_BOXES, budget=5)) == ["x", "h*/*", "h7/*"]
    edges = [(e.source, e.target, e.kind, e.count) for e in picture(index, depth=TOP_BOXES, budget=5).edges]
    assert edges == [(0, 1, "data", 1), (1, 2, "data", 1), (2, 1, "data", 1)]
    tree = scope_tree(index.names, h.series_of())
    assert [c.series for c in tree.children][:3] == [("h*", 19)] * 3 and tree.children[6].series is None


def test_fewer_than_three_are_no_series():
    index = _index(_layers(2))
    assert (hierarchy(index.names, index.op_types).kind == SERIES).sum() == 0


def test_expanding_a_member_opens_its_series_and_shows_its_siblings_as_boxes():
    index = _index(_layers(20))
    h = hierarchy(index.names, index.op_types)
    drawn = picture(index, expand=("h3",))
    assert "h3/op_0" in _ids(drawn) and "h1/*" in _ids(drawn) and "h*/*" not in _ids(drawn)
    assert choose_cut(h, expand=("h3",)).opened[h.path.index("h*")]


def test_a_flat_graph_over_budget_is_grouped_by_type_and_at_top_level_scopes():
    index = _index([(f"op_{k}", ("Const", "MatMul", "Relu")[k % 3], []) for k in range(2000)])
    drawn = picture(index)
    assert _ids(drawn) == ["[Const]", "[MatMul]", "[Relu]"] and [b.ops for b in drawn.boxes] == [667, 667, 666]
    many = _index([(f"s{k}x/inner/op", "Relu", []) for k in range(400)])  # 400 scopes: too many at any level
    assert choose_cut(hierarchy(many.names, many.op_types)).depth == TOP_BOXES


def test_an_explicit_depth_draws_series_only_past_the_budget():
    index = _index(_layers(20))
    assert "h*/*" not in _ids(picture(index, depth=1))
    assert _ids(picture(index, depth=1, budget=10)) == ["x", "h*/*"]


def test_edges_are_bounded_the_heaviest_kept_and_the_rest_counted():
    """A dense graph (ops reading from far back) keeps at most EDGE_BUDGET edges between its boxes."""
    rng = np.random.default_rng(0)
    nodes, made = [], []
    for layer in range(250):
        for k in range(4 + layer % 3):  # layers of different sizes: no series, one box each
            name = f"layer_{layer}/op_{k}"
            inputs = [made[i] for i in rng.integers(0, len(made), size=3)] if made else []
            nodes.append((name, "AddV2", inputs))
            made.append(name)
    index = _index(nodes)
    drawn = picture(index)
    total = picture(index, edge_budget=10 ** 9)
    assert len(total.edges) > EDGE_BUDGET and total.edges_left_out == 0
    assert len(drawn.edges) == EDGE_BUDGET and drawn.edges_left_out == len(total.edges) - EDGE_BUDGET
    assert drawn.tensors_left_out == sum(e.count for e in total.edges) - sum(e.count for e in drawn.edges)
    assert min(e.count for e in drawn.edges) >= max(
        e.count for e in set(total.edges) - set(drawn.edges))  # the heaviest were kept
    assert len(drawn.boxes) <= BOX_BUDGET


def test_writes_to_a_variable_are_drawn_from_the_op_to_the_variable():
    index = _index([("v", "VariableV2", []), ("one", "Const", []), ("assign", "Assign", ["v", "one"]),
                    ("read", "Identity", ["v"]), ("init", "NoOp", ["^assign"])])
    drawn = picture(index)
    edges = {(drawn.boxes[e.source].id, drawn.boxes[e.target].id, e.kind) for e in drawn.edges}
    assert edges == {("assign", "v", "ref"), ("one", "assign", "data"), ("v", "read", "data"),
                     ("assign", "init", "control")}


def test_the_page_script_parses():
    """The HTML view's script is JavaScript a browser accepts (node --check), before any browser test runs."""
    import shutil
    import subprocess
    from importlib import resources

    import pytest

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (the browser tests still load the page)")
    script = resources.files("tfinspect.render") / "page" / "view.js"
    done = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
