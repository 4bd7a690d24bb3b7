"""The run-time guard and in-graph instrumentation, in this process."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow.compat.v1")


@pytest.fixture(params=["compiled", "numpy"])
def check_path(request, monkeypatch):
    """Every test of the guard on a model runs through both per-step checks: compiled and the numpy fallback."""
    from tfinspect.runtime import guard as runtime_guard

    if request.param == "numpy":
        monkeypatch.setattr(runtime_guard, "_first_suspect", None)
    elif runtime_guard._first_suspect is None:
        pytest.skip("the compiled check was not built (no C compiler at install); the numpy run covers it")
    return request.param


@pytest.fixture
def model(check_path):
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


def test_guard_checks_float_ids_as_tensorflow_converts_them(model):
    """np.loadtxt gives floats; TensorFlow truncates them into the int32 placeholder."""
    import tfinspect

    sess, ids, other, looked_up, *_ = model
    guarded = tfinspect.guard(sess)
    assert guarded.run(looked_up, {ids: np.array([0.0, 1.0, 2.9, 127.5])}).shape == (4, 8)
    with pytest.raises(tfinspect.TfinspectBoundsError) as caught:
        guarded.run(looked_up, {ids: np.array([1.0, 2.0, 128.0, 3.0])})
    assert caught.value.violation.values == (128,)


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


def test_guard_checks_every_step_and_large_feeds(model):
    import tfinspect

    sess, ids, other, looked_up, *_ = model
    guarded = tfinspect.guard(sess)
    for _ in range(3):  # later steps take the cached path
        guarded.run(looked_up, {ids: np.array([0, 1, 2, 127], np.int32)})
    with pytest.raises(tfinspect.TfinspectBoundsError, match="128"):
        guarded.run(looked_up, {ids: np.array([0, 1, 2, 128], np.int64)})
    with pytest.raises(tfinspect.TfinspectBoundsError):
        guarded.run(looked_up, {ids: np.array([0, -5, 2, 3], np.int16)})
    big = np.zeros(100_000, np.int32)  # beyond the compiled loop's size: numpy checks it
    big[-1] = 500
    with pytest.raises(tfinspect.TfinspectBoundsError) as caught:
        guarded.run(looked_up, {ids.name: big})  # by tensor name; TensorFlow would reject the shape later
    assert caught.value.violation.values == (500,)


def test_guard_sees_lookups_added_after_its_first_check(model):
    import tfinspect

    sess, ids, other, looked_up, doubled, unrelated = model
    fed = tf.placeholder(tf.int32, [2], name="late_ids")
    with sess.graph.as_default():
        echoed = tf.identity(fed)
    guarded = tfinspect.guard(sess)
    assert list(guarded.run(echoed, {fed: [500, 1]})) == [500, 1]  # no lookup yet
    with sess.graph.as_default():
        late = tf.gather(tf.zeros([10]), fed, name="late_lookup")
    with pytest.raises(tfinspect.TfinspectBoundsError, match="late_lookup"):
        guarded.run(late, {fed: [500, 1]})


def test_compiled_check_reads_only_what_it_can():
    """first_suspect answers None only for dict feeds whose limited arrays it read and found in range."""
    import collections

    from tfinspect.runtime import guard as runtime_guard

    first_suspect = runtime_guard._first_suspect
    if first_suspect is None:
        pytest.skip("the compiled check was not built (no C compiler at install)")
    key, free = object(), object()
    limits = {id(key): 10, id(free): None}
    cases = [
        (np.arange(10, dtype=np.int32), None), (np.arange(11, dtype=np.int32), key),
        (np.array([-1], np.int64), key), (np.array([-1], np.int8), key), (np.array([9], np.uint8), None),
        (np.array([10], np.int16), key), (np.array(3, np.int64), None), (np.int32(9), None),
        (np.zeros(0, np.int32), None),
        # what it leaves to numpy: floats, bools, lists, strided, big-endian and large arrays
        (np.arange(10.0), key), (np.array([True]), key), ([1, 2], key),
        (np.arange(20, dtype=np.int32)[::2], key), (np.arange(10, dtype=">i4"), key),
        (np.zeros(100_000, np.int32), key),
    ]
    for value, expected in cases:
        assert first_suspect({key: value, free: "anything"}, limits) is expected, value
    unseen = object()
    assert first_suspect({unseen: np.zeros(1, np.int32)}, limits) is unseen
    mapping = collections.UserDict({key: np.zeros(1, np.int32)})
    assert first_suspect(mapping, limits) is mapping


def test_the_install_built_the_compiled_check():
    import os
    import shutil
    import sysconfig

    from tfinspect.runtime import guard as runtime_guard

    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}) here: the guard uses its numpy path")
    assert runtime_guard.NATIVE_CHECK, "setup.py builds tfinspect/runtime/_guardcheck.c; reinstall with pip install -e ."


def test_guard_restores_session_run(model):
    import tfinspect
    from tensorflow.python.client import session as session_lib

    before = session_lib.BaseSession.run
    with tfinspect.guard():
        assert session_lib.BaseSession.run is not before
    assert session_lib.BaseSession.run is before


@pytest.mark.parametrize("partitions, guarded_op", [(None, "rows"), (2, "rows/DynamicPartition")])
def test_instrument_stops_dataset_ids_in_the_graph(partitions, guarded_op):
    """A plain table is guarded at its gather's ids; a partitioned one before the DynamicPartition."""
    import tfinspect

    tf.disable_v2_behavior()
    graph = tf.Graph()
    with graph.as_default():
        dataset = tf.data.Dataset.from_tensor_slices(np.array([1, 2, 300, 4], np.int64)).batch(2)
        iterator = tf.data.make_initializable_iterator(dataset)
        partitioner = tf.fixed_size_partitioner(partitions) if partitions else None
        table = tf.get_variable("table", [128, 4], partitioner=partitioner)
        rows = tf.nn.embedding_lookup(table, iterator.get_next(), name="rows")
        assert tfinspect.instrument(graph) == [guarded_op]
        init = tf.global_variables_initializer()
    with tf.Session(graph=graph) as sess:
        sess.run([iterator.initializer, init])
        assert sess.run(rows).shape == (2, 4)
        with pytest.raises(tf.errors.InvalidArgumentError, match=f"tfinspect: ids for {guarded_op} "):
            sess.run(rows)


def test_check_ids_positions_and_dtypes():
    from tfinspect.analyses.lookups import check_ids

    assert check_ids(np.arange(10, dtype=np.int64), 10) is None
    violation = check_ids(np.array([[0, 11], [-3, 2]], np.int32), 10)
    assert violation.count == 2 and violation.positions == ((0, 1), (1, 0)) and violation.values == (11, -3)
    # float ids are checked as TensorFlow converts them for an integer placeholder: truncated
    assert check_ids(np.array([3.5]), 2).values == (3,) and check_ids(np.array([1.9, 0.2]), 2) is None
    assert check_ids(np.array([np.nan]), 2).values == (-1,)
    assert check_ids(np.arange(300, dtype=np.uint8)[:10], 5).count == 5
