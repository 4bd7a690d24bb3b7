from __future__ import annotations

from tensorboard.compat.proto import graph_pb2, types_pb2

from tfinspect.analyses.overview import group_runs, overview, placeholders_of, scope_tree
from tfinspect.index.graphindex import GraphIndex, input_node_name, scope_of
from tfinspect.record.model import Capture, FeedInfo, GraphCapture, RunRecord, RunStatus, SourceLocation


def graph_def(*nodes):
    gd = graph_pb2.GraphDef()
    for name, op, inputs in nodes:
        node = gd.node.add(name=name, op=op)
        node.input.extend(inputs)
    return gd


def test_scope_tree_counts_ops_at_or_below_each_scope_in_creation_order():
    tree = scope_tree(["a/x", "a/b/y", "c", "a/b/z", "d/w"])
    assert tree.ops == 5
    assert [(c.path, c.ops) for c in tree.children] == [("a", 3), ("d", 1)]
    assert [(c.path, c.ops) for c in tree.children[0].children] == [("a/b", 2)]


def test_placeholders_with_known_and_unknown_shapes():
    gd = graph_def(("x", "Placeholder", []), ("y", "PlaceholderWithDefault", ["c"]))
    x = gd.node[0]
    x.attr["dtype"].type = types_pb2.DT_INT64
    x.attr["shape"].shape.dim.add(size=-1)
    x.attr["shape"].shape.dim.add(size=3)
    gd.node[1].attr["dtype"].type = types_pb2.DT_FLOAT
    gd.node[1].attr["shape"].shape.unknown_rank = True
    found = placeholders_of(GraphCapture(0, gd, sources={"x": SourceLocation("/m.py", 4)}))
    assert [(p.name, p.dtype, p.shape, p.has_default) for p in found] == [
        ("x", "int64", (None, 3), False), ("y", "float32", None, True)]
    assert found[0].shape_problem is None  # (None, 3): a batch dimension of None is the normal case
    assert found[1].shape_problem == "unknown rank (shape=None)"
    x.attr["shape"].shape.dim[1].size = -1
    (again, _) = placeholders_of(GraphCapture(0, gd))
    assert again.shape == (None, None) and again.shape_problem == "unknown dimension"
    assert found[0].source.line == 4


def run(index, line, status=RunStatus.OK, fetches=("loss:0",)):
    return RunRecord(index, 0, fetches, (FeedInfo("x:0", "float32", (2,)),), SourceLocation("/m.py", line), status, 5)


def test_group_runs_by_call_site_fetches_and_feeds():
    groups = group_runs([run(0, 3, fetches=("init",)), run(1, 7), run(2, 7), run(3, 7, RunStatus.ERROR),
                         run(4, 7, RunStatus.STOPPED)])
    assert [(g.first.index, g.count, g.executed, g.errors, g.stopped) for g in groups] == [
        (0, 1, 1, 0, False), (1, 4, 3, 1, True)]


def test_overview_totals():
    gd = graph_def(("a", "Const", []), ("s/b", "Identity", ["a"]))
    view = overview(Capture("m.py", "script", (GraphCapture(0, gd),), runs=(run(0, 3, RunStatus.STOPPED),)))
    assert view.op_count == 2 and view.stopped_run.index == 0 and view.variables == ()


def test_graph_index_inputs_and_control_edges():
    gd = graph_def(("a", "Const", []), ("b", "Const", []), ("c", "Add", ["a", "b:0", "^init"]),
                   ("init", "NoOp", []), ("d", "Identity", ["c:1", "^a"]))
    index = GraphIndex.build(gd)
    assert index.ids["c"] == 2 and index.op_types[2] == "Add"
    assert index.inputs(2).tolist() == [0, 1, 3]
    assert index.is_control[index.indptr[2]:index.indptr[3]].tolist() == [False, False, True]
    assert index.control_edge_count == 2 and len(index) == 5
    assert input_node_name("^x") == ("x", True) and input_node_name("y:2") == ("y", False)
    assert scope_of("a/b/c") == "a/b" and scope_of("c") == ""


def test_user_strings_are_never_rich_markup():
    """A scope regex or a path with brackets is shown as typed (rich would swallow '[wb]' as a style)."""
    from rich.console import Console

    from tfinspect.render.scopes import collections_view

    console = Console(width=120, record=True, color_system=None)
    console.print(collections_view((), "model/[wb]"))
    text = console.export_text()
    assert "Collections (scope 'model/[wb]')" in text and "0 collections, 0 members" in text
