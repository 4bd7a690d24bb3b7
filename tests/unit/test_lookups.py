"""What counts as a lookup, its valid ids, and where its ids come from, on graphs built here."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow.compat.v1")


def _lookups(graph):
    from tfinspect.analyses.lookups import find_lookups
    from tfinspect.index.graphindex import GraphIndex

    index = GraphIndex.build(graph.as_graph_def(add_shapes=True))
    return index, {index.names[lookup.node]: lookup for lookup in find_lookups(index)}


def test_gather_along_another_axis_is_sized_by_that_axis():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        cols = tf.placeholder(tf.int32, [None], name="cols")
        scores = tf.get_variable("scores", [3, 7])
        tf.gather(scores, cols, axis=1, name="by_column")
        tf.gather(scores, cols, axis=-1, name="by_last")
        tf.gather(scores, cols, name="by_row")
        tf.gather(scores, cols, axis=tf.size(cols) - 1, name="by_computed_axis")
    _, lookups = _lookups(graph)
    assert lookups["by_column"].size == 7 and lookups["by_column"].what == "axis 1 of scores (size 7)"
    assert lookups["by_last"].size == 7
    assert lookups["by_row"].size == 3 and lookups["by_row"].what == "table scores (3 rows)"
    assert lookups["by_computed_axis"].size is None
    assert lookups["by_computed_axis"].unsized.startswith("it gathers along an axis computed at run time")


def test_gathers_over_shapes_are_not_lookups():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 4])
        w = tf.get_variable("w", [4, 2])
        loss = tf.reduce_mean(tf.matmul(x, w))
        tf.gradients(loss, [w])  # the gradient of reduce_mean gathers from the input's shape
    index, lookups = _lookups(graph)
    assert any(index.op_types[n] == "GatherV2" for n in range(len(index)))
    assert lookups == {}


def test_partitioned_table_is_one_lookup_over_all_rows():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int64, [None], name="ids")
        for strategy in ("mod", "div"):
            table = tf.get_variable(f"table_{strategy}", [10, 4], partitioner=tf.fixed_size_partitioner(3))
            tf.nn.embedding_lookup(table, ids, partition_strategy=strategy, name=f"lookup_{strategy}")
        parts = [tf.get_variable(f"part{i}", [5, 4]) for i in range(2)]
        tf.nn.embedding_lookup(parts, ids, name="lookup_list")
    index, lookups = _lookups(graph)
    assert sorted(lookups) == ["lookup_div/DynamicPartition", "lookup_list/DynamicPartition",
                               "lookup_mod/DynamicPartition"]
    for name, lookup in lookups.items():
        assert lookup.size == 10, name
        assert [(o.kind, index.names[o.node]) for o in lookup.origins] == [("placeholder", "ids")]
    assert lookups["lookup_mod/DynamicPartition"].what == "partitioned table table_mod (10 rows in 3 parts)"


def test_negative_ids_that_wrap_around_are_valid_down_to_minus_rows():
    from tfinspect.analyses.lookups import check_ids

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int32, [None], name="ids")
        table = tf.get_variable("table", [10, 4])
        wrapped = tf.where(ids < 0, ids + 10, ids)  # what Keras 3's Embedding does
        tf.gather(table, wrapped, name="wrapping")
        tf.gather(table, tf.where(ids < 0, tf.zeros_like(ids), ids), name="clamping")  # not the pattern
    _, lookups = _lookups(graph)
    (origin,) = lookups["wrapping"].origins
    assert origin.kind == "placeholder" and origin.wraps_negative and lookups["wrapping"].low(origin) == -10
    assert lookups["clamping"].origins[0].kind == "unknown"
    assert check_ids(np.array([-10, -1, 0, 9]), 10, low=-10) is None
    violation = check_ids(np.array([-11, 3, 10]), 10, low=-10)
    assert violation.count == 2 and violation.values == (-11, 10)


def test_guard_knows_partitioned_tables_and_wrapped_ids():
    import tfinspect

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int32, [None], name="ids")
        table = tf.get_variable("table", [10, 4], partitioner=tf.fixed_size_partitioner(2))
        rows = tf.nn.embedding_lookup(table, ids)
        plain = tf.get_variable("plain", [10, 4])
        wrapped = tf.gather(plain, tf.where(ids < 0, ids + 10, ids))
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        guarded = tfinspect.guard(sess)
        assert guarded.run(rows, {ids: [0, 9]}).shape == (2, 4)
        with pytest.raises(tfinspect.TfinspectBoundsError, match=r"partitioned table table \(10 rows in 2 parts\)"):
            guarded.run(rows, {ids: [0, 10]})
        assert guarded.run(wrapped, {ids: [-10, 9]}).shape == (2, 4)
        with pytest.raises(tfinspect.TfinspectBoundsError, match=r"outside \[-10, 10\)"):
            guarded.run(wrapped, {ids: [-11, 9]})


def test_one_hot_findings_say_that_tensorflow_never_fails():
    from tfinspect.checks.bounds import HINT_ONE_HOT, _hint

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        labels = tf.placeholder(tf.int32, [None], name="labels")
        tf.one_hot(labels, depth=5, name="targets")
    _, lookups = _lookups(graph)
    assert lookups["targets"].size == 5 and _hint(lookups["targets"]) == HINT_ONE_HOT
    with tf.Session(graph=graph) as sess:  # the reason for the hint: no error, a row of zeros
        assert sess.run("targets:0", {labels: [7]}).tolist() == [[0.0] * 5]


def test_sparse_lookups_and_unique_ids_reach_their_placeholders():
    import tfinspect

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        sparse_ids = tf.sparse_placeholder(tf.int64, name="sparse_ids")
        table = tf.get_variable("table", [50, 4])
        pooled = tf.nn.embedding_lookup_sparse(table, sparse_ids, None, combiner="mean")
        dense_ids = tf.placeholder(tf.int32, [None], name="dense_ids")
        unique, _ = tf.unique(dense_ids)
        tf.gather(table, unique, name="unique_rows")
        init = tf.global_variables_initializer()
    index, lookups = _lookups(graph)
    by_origin = {index.names[lookup.node]: [index.names[o.node] for o in lookup.origins]
                 for lookup in lookups.values()}
    assert by_origin == {"embedding_lookup_sparse": ["sparse_ids/values"], "unique_rows": ["dense_ids"]}
    assert lookups["embedding_lookup_sparse"].size == 50
    value = tf.SparseTensorValue(indices=[[0, 0], [0, 1], [1, 0]], values=[3, 7, 55], dense_shape=[2, 2])
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        guarded = tfinspect.guard(sess)
        with pytest.raises(tfinspect.TfinspectBoundsError, match="sparse_ids/values:0"):
            guarded.run(pooled, {sparse_ids: value})
        fine = tf.SparseTensorValue(indices=[[0, 0]], values=[49], dense_shape=[2, 2])
        assert guarded.run(pooled, {sparse_ids: fine}).shape == (1, 4)  # one row per segment used
        with pytest.raises(tf.errors.InvalidArgumentError, match="55 out of range"):  # TensorFlow agrees
            sess.run(pooled, {sparse_ids: value})


def test_a_users_own_dynamic_partition_keeps_its_gathers():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int32, [None], name="ids")
        which = tf.placeholder(tf.int32, [None], name="which")
        low, high, _ = tf.dynamic_partition(ids, which, 3)
        table = tf.get_variable("table", [10, 4])
        tf.gather(table, low, name="low_rows")  # partition 2 is read by nothing
        tf.gather(table, high, name="high_rows")
    index, lookups = _lookups(graph)
    assert sorted(lookups) == ["high_rows", "low_rows"]
    assert all(lookup.size == 10 and [index.names[o.node] for o in lookup.origins] == ["ids"]
               for lookup in lookups.values())


def test_gather_nd_with_one_component_is_a_row_lookup():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int32, [None], name="ids")
        table = tf.get_variable("table", [5, 4])
        rows = tf.gather_nd(table, tf.expand_dims(ids, -1), name="rows")
        tf.gather_nd(table, tf.stack([ids, ids], axis=-1), name="cells")  # dims 5 and 4: not one bound
        square = tf.get_variable("square", [6, 6])
        tf.gather_nd(square, tf.stack([ids, ids], axis=-1), name="diagonal")
        init = tf.global_variables_initializer()
    index, lookups = _lookups(graph)
    assert sorted(lookups) == ["cells", "diagonal", "rows"]
    assert lookups["cells"].size is None  # reported as not checked (TFI006), with the reason
    assert lookups["cells"].unsized == "its 2-component indices address dimensions of different sizes (5, 4)"
    assert lookups["rows"].size == 5 and [index.names[o.node] for o in lookups["rows"].origins] == ["ids"]
    assert lookups["diagonal"].size == 6 and lookups["diagonal"].what == "the first 2 dimensions of square (size 6)"
    with tf.Session(graph=graph) as sess:  # TensorFlow agrees on the bound
        sess.run(init)
        assert sess.run(rows, {ids: [0, 4]}).shape == (2, 4)
        with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into param shape"):
            sess.run(rows, {ids: [0, 5]})


def test_a_ref_variable_read_is_sized_by_the_variable_where_the_graphdef_has_no_output_shapes():
    """A TF1 .pb (tf.train.write_graph adds no _output_shapes): the table's rows come from VariableV2's shape."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from tfinspect.analyses.lookups import find_lookups
    from tfinspect.index.graphindex import GraphIndex

    graph = GraphDef()
    table = graph.node.add(name="table", op="VariableV2")
    for size in (10, 2):
        table.attr["shape"].shape.dim.add(size=size)
    graph.node.add(name="table/read", op="Identity", input=["table"])
    graph.node.add(name="ids", op="Const")
    axis = graph.node.add(name="axis", op="Const").attr["value"].tensor
    axis.dtype, axis.int_val[:] = 3, [0]  # DT_INT32 0
    graph.node.add(name="picked", op="GatherV2", input=["table/read", "ids", "axis"])
    (lookup,) = find_lookups(GraphIndex.build(graph))
    assert lookup.size == 10 and "(10 rows)" in lookup.what


def test_positions_made_from_the_same_tensor_are_not_lookups():
    """embedding_lookup_sparse on a resource table segments rows it gathered by a Unique's values with that
    Unique's positions, and tf.sparse.from_dense gathers a tensor where a condition on it holds: both are in
    range by construction (no TFI006 about them), while the table lookups and a user's own gather_nd stay."""
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        dense = tf.placeholder(tf.int64, [None, 2], name="dense")
        ids = tf.sparse.from_dense(dense)
        table = tf.get_variable("table", [50, 4], use_resource=True)
        tf.nn.embedding_lookup_sparse(table, ids, None, name="pooled")
        positions = tf.placeholder(tf.int64, [None, 2], name="positions")
        tf.gather_nd(dense, tf.where(tf.not_equal(positions, 0)), name="users_own")
    index, lookups = _lookups(graph)
    types = {name: index.op_types[index.ids[name]] for name in lookups}
    assert not any(t.startswith("SparseSegment") for t in types.values()), types
    assert "dense_to_sparse/GatherNd" not in lookups
    assert types["pooled/embedding_lookup"] == "ResourceGather" and lookups["pooled/embedding_lookup"].size == 50
    assert "users_own" in lookups  # a condition on another tensor: its positions are not known to fit


def test_boolean_mask_of_a_known_length_is_not_a_lookup():
    """tf.boolean_mask gathers the positions where a mask holds: with a mask no longer than the tensor (as in
    TensorFlow's own report_uninitialized_variables, run by every MonitoredSession) nothing can be out of
    range; a mask of unknown length stays a lookup whose ids were not checked."""
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        tf.get_variable("a", [2])
        tf.get_variable("b", [3])
        tf.report_uninitialized_variables()
        names = tf.placeholder(tf.string, [None], name="names")
        keep = tf.placeholder(tf.bool, [None], name="keep")
        tf.boolean_mask(names, keep, name="users_mask")
    index, lookups = _lookups(graph)
    assert not [name for name in lookups if name.startswith("report_uninitialized_variables")]
    assert [name for name in lookups if name.startswith("users_mask")] == ["users_mask/GatherV2"]
