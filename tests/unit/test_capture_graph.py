"""capture_graph: a live graph in this process, as a notebook user would."""

from __future__ import annotations

import pytest

tf = pytest.importorskip("tensorflow")


def test_capture_graph_of_a_live_graph():
    import tfinspect
    from tfinspect.analyses.overview import overview

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        with v1.variable_scope("dense"):
            w = v1.get_variable("kernel", [3, 2])
        y = tf.matmul(x, w, name="y")
        v1.add_to_collection("outputs", y)
    capture = tfinspect.capture_graph(graph)
    assert capture.origin == "live" and capture.graphs[0].op_count == len(graph.get_operations())
    variable = capture.graphs[0].variables[0]
    assert (variable.name, variable.shape, variable.created_by.value) == ("dense/kernel", (3, 2), "get_variable")
    assert variable.source.file == __file__
    assert capture.graphs[0].collections["outputs"][0].name == "y:0"
    view = overview(capture)
    assert [(p.name, p.shape) for p in view.placeholders] == [("x", (None, 3))]
    lines = open(__file__).read().splitlines()
    assert lines[view.placeholders[0].source.line - 1].strip().startswith("x = v1.placeholder")
