"""The run-time guard and in-graph instrumentation, in this process."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow.compat.v1")


@pytest.fixture
def model():
    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        ids = tf.placeholder(tf.int32, [4], name="center_words")
        other = tf.placeholder(tf.float32, name="other")
        table = tf.get_variable("embed_matrix", [128, 8])
        looked_up = tf.nn.embedding_lookup(table, ids, name="embedding")
        doubled = other * 2.0
        unrelated = tf.identity(other, name="unrelated")
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        yield sess, ids, other, looked_up, doubled, unrelated


def test_guard_raises_before_the_run(model):
    import tfinspect

    sess, ids, other, looked_up, *_ = model
    with tfinspect.guard():
        assert sess.run(looked_up, {ids: [0, 1, 2, 127]}).shape == (4, 8)
        with pytest.raises(tfinspect.TfinspectBoundsError) as caught:
            sess.run(looked_up, {ids: np.array([1, 2, 3081, -1], np.int32)})
    error = caught.value
    assert (error.tensor, error.op, error.size) == ("center_words:0", "embedding", 128)
    assert error.violation.count == 2 and error.violation.values == (3081, -1)
    assert "embed_matrix (128 rows)" in str(error) and "test_guard.py" in str(error)
    assert "the run was not started" in str(error)


def test_guard_ignores_feeds_the_run_does_not_use_for_lookups(model):
    import tfinspect

    sess, ids, other, looked_up, doubled, unrelated = model
    guarded = tfinspect.guard(sess)
    assert guarded.run(doubled, {other: 3.0}) == 6.0
    # center_words is fed but this run does not execute the lookup
    assert guarded.run(unrelated, {other: 1.0, ids: [999, 0, 0, 0]}) == 1.0
    with pytest.raises(tfinspect.TfinspectBoundsError):
        guarded.run([looked_up, unrelated], {other: 1.0, ids: [999, 0, 0, 0]})
    assert guarded.graph is sess.graph  # the wrapper passes everything else through


def test_guard_restores_session_run(model):
    import tfinspect
    from tensorflow.python.client import session as session_lib

    before = session_lib.BaseSession.run
    with tfinspect.guard():
        assert session_lib.BaseSession.run is not before
    assert session_lib.BaseSession.run is before


def test_instrument_stops_dataset_ids_in_the_graph():
    import tfinspect

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        dataset = tf.data.Dataset.from_tensor_slices(np.array([1, 2, 300, 4], np.int32)).batch(2)
        iterator = tf.data.make_initializable_iterator(dataset)
        table = tf.get_variable("table", [128, 4])
        rows = tf.nn.embedding_lookup(table, iterator.get_next(), name="rows")
        assert tfinspect.instrument(graph) == ["rows"]
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run([iterator.initializer, init])
        assert sess.run(rows).shape == (2, 4)
        with pytest.raises(tf.errors.InvalidArgumentError, match="tfinspect: ids for rows"):
            sess.run(rows)


def test_check_ids_positions_and_dtypes():
    from tfinspect.analyses.lookups import check_ids

    assert check_ids(np.arange(10, dtype=np.int64), 10) is None
    violation = check_ids(np.array([[0, 11], [-3, 2]], np.int32), 10)
    assert violation.count == 2 and violation.positions == ((0, 1), (1, 0)) and violation.values == (11, -3)
    assert check_ids(np.array([3.5]), 2) is None  # not ids
    assert check_ids(np.arange(300, dtype=np.uint8)[:10], 5).count == 5
