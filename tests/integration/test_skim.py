"""Skimming, the default ``--runs auto``: a script reaches its end in seconds, and what stays true.

Each danger of skimming has a fixture in fixtures/skim/ that would mislead if skimmed naively.
"""

from __future__ import annotations

from collections import Counter

from tests.conftest import each_run, FIXTURES, run_cli, run_cli_cached

SKIM = FIXTURES / "skim"


def _graph(name: str, *extra: str):
    result = run_cli_cached("graph", str(SKIM / name), "--format", "json", *extra)
    assert result.code == 0, result.err
    return result, result.json()


def _statuses(runs, line: int) -> list[str]:
    return [r["status"] for r in runs if r["source"] and r["source"]["line"] == line]


def test_lazy_loading_shows_both_loops_and_the_graph_growing():
    _, data = _graph("lazy_loading.py")
    assert data["outcome"]["status"] == "completed"
    assert {"x", "y", "x_1", "y_1"} <= {v["name"] for v in data["variables"]}
    # The first loop fetches the same z: 3 real runs, then skimmed.
    assert _statuses(each_run(data), 14) == ["ok"] * 3 + ["skimmed"] * 7
    # The second loop fetches a new Add op at every step: each executes, and the graph grows while it runs.
    second = [r for r in each_run(data) if r["source"] and r["source"]["line"] == 22]
    assert [r["status"] for r in second] == ["ok"] * 10
    assert [r["fetches"][0] for r in second] == [f"Add_{i}:0" for i in range(1, 11)]
    assert [r["ops_before"] for r in second] == list(range(20, 30))


def test_the_runs_table_says_which_runs_were_real_and_which_skimmed():
    result = run_cli_cached("graph", str(SKIM / "lazy_loading.py"))
    assert "3 + 7 skimmed" in result.out
    assert "22 Session.run calls (15 executed, 7 skimmed)" in result.out
    assert "tfinspect: skimming from run #4 (lazy_loading.py:14)" in result.err


def test_check_finds_a_bad_id_at_step_500_and_tensorflow_never_executes_it():
    result = run_cli("check", str(SKIM / "bad_id_at_step_500.py"), "--format", "json")
    assert result.code == 1, result.err
    (finding,) = result.json()["findings"]
    assert finding["code"] == "TFI002" and finding["evidence"]["run"] == 501
    assert "TensorFlow did not execute run #501" in result.err
    assert "final loss" not in result.err  # stopped there: the script's end was not reached


def test_a_dataset_still_ends_where_it_would():
    result, data = _graph("dataset_epochs.py")
    assert data["outcome"]["status"] == "completed"
    assert [f"epoch {e} steps 100" in result.err for e in range(3)] == [True] * 3 and "done" in result.err
    counts = Counter(_statuses(each_run(data), 19))
    assert counts == {"ok": 3, "skimmed": 297, "error": 3}  # each epoch's end: OutOfRangeError, as in TensorFlow
    assert _statuses(each_run(data), 15) == ["ok"] * 3  # the iterator's initializer always executes


def test_a_queue_still_ends_where_it_would():
    result, data = _graph("queue_epochs.py")
    assert data["outcome"]["status"] == "completed"
    assert "epochs done after 40 steps" in result.err


def test_a_loop_that_ends_on_a_fetched_value_is_stopped_and_says_why():
    from tfinspect.record.options import WHILE_SKIMS

    _, data = _graph("while_loss.py")
    assert data["outcome"]["status"] == "stopped"
    stop = each_run(data)[-1]
    assert stop["status"] == "stopped" and "while loss > eps" in stop["stop_reason"]
    assert Counter(_statuses(each_run(data), 16)) == {"ok": 3, "skimmed": WHILE_SKIMS, "stopped": 1}


def test_a_run_that_calls_py_func_is_not_skimmed():
    result, data = _graph("py_func_step.py")
    assert data["outcome"]["status"] == "stopped"
    assert _statuses(each_run(data), 24) == ["ok"] * 3 + ["stopped"]
    assert "tf.py_func" in each_run(data)[-1]["stop_reason"]
    assert "batches logged" not in result.err


def test_runs_stop_is_the_old_default():
    _, data = _graph("lazy_loading.py", "--runs", "stop")
    assert data["outcome"]["status"] == "stopped"
    assert _statuses(each_run(data), 14) == ["ok"] * 3 + ["stopped"]
    assert each_run(data)[-1]["stop_reason"] == "the run limit was reached"


def test_lecture_fixtures_run_to_their_last_line():
    for script in sorted((FIXTURES / "lectures").glob("*.py")):
        result = run_cli_cached("graph", str(script), "--format", "json", "--quiet")
        outcome = result.json()["outcome"]
        assert outcome["status"] == "completed", (script.name, outcome)


TWO_LINES = """
import numpy as np
import tensorflow as tf

x = tf.placeholder(tf.float32, [None], name="x")
w = tf.Variable(1.0)
loss = tf.reduce_sum(tf.square(x * w))
train = tf.train.GradientDescentOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(400):
        sess.run(train, feed_dict={x: np.ones(4, np.float32)})
        sess.run(loss, feed_dict={x: np.ones(4 if step < 399 else 2, np.float32)})
"""


def test_graph_json_groups_skimmed_runs_of_a_line(tmp_path):
    """Skimmed runs of one line that fetch and feed the same are one entry (schema 2): the counts add up to every
    run, the indexes name each run once, and a run fed another shape stays an entry of its own."""
    import json

    script = tmp_path / "two_lines.py"
    script.write_text(TWO_LINES)
    result = run_cli("graph", str(script), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert document["schema_version"] == 2
    runs = document["runs"]
    assert sum(r["count"] for r in runs) == 801  # the initializer and 2 x 400 steps
    indexes = sorted(i for r in runs for first, last, step in r["indexes"] for i in range(first, last + 1, step))
    assert indexes == list(range(801))
    grouped = [r for r in runs if r["count"] > 1]
    assert [(r["source"]["line"], r["status"]) for r in grouped] == [(12, "skimmed"), (13, "skimmed")]
    assert all(len(r["indexes"]) == 1 and r["indexes"][0][2] == 2 for r in grouped)  # every second run
    assert len(runs) < 20
    last = next(r for r in runs if r["index"] == 800)
    assert last["count"] == 1 and last["feed_details"][0]["shape"] == [2] and last["status"] == "skimmed"


SPARSE_ELEMENTS = """
import numpy as np
import tensorflow as tf

data = tf.data.Dataset.range(8).map(lambda x: tf.sparse.from_dense(tf.reshape(tf.stack([x % 3, x % 5]), [1, 2])))
ids = tf.data.make_one_shot_iterator(data).get_next()
table = tf.get_variable("table", [5, 3], use_resource=True)
pooled = tf.nn.embedding_lookup_sparse(table, ids, None)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(8):
        sess.run(pooled)
print("done")
"""


def test_a_skimmed_run_of_sparse_dataset_elements_still_advances(tmp_path):
    """A sparse (or ragged) element travels as a variant, which Session.run cannot return: a skimmed run runs
    the get-next op itself (was: InternalError 'type 21 not convertible to numpy dtype' at the first skim)."""
    script = tmp_path / "sparse_elements.py"
    script.write_text(SPARSE_ELEMENTS)
    for command in ("graph", "check"):
        result = run_cli(command, str(script), "--quiet")
        assert result.code == 0, (command, result.err)  # the script ran to its end
    statuses = Counter(r["status"] for r in each_run(run_cli("graph", str(script), "--quiet", "--format",
                                                                  "json").json()))
    assert statuses == {"ok": 4, "skimmed": 5}


MONITORED = """
import numpy as np
import tensorflow as tf

ids = tf.data.Dataset.range(100).map(lambda x: x % 7).batch(4).repeat().make_one_shot_iterator().get_next()
table = tf.get_variable("table", [7, 3])
loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids))
step = tf.train.get_or_create_global_step()
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step)
with tf.train.MonitoredTrainingSession(hooks=[tf.train.StopAtStepHook(last_step=30)]) as sess:
    while not sess.should_stop():
        sess.run(train)
"""


def test_a_monitored_session_is_stopped_not_skimmed(tmp_path):
    """MonitoredSession keys its hooks' fetches by the hook objects, and its loop ends when StopAtStepHook sees
    the global step: a skimmed run failed to copy the result (TypeError: cannot pickle 'SymbolicTensor'), and
    skimming could never end the loop. The first runs execute, then the script stops there, saying why."""
    script = tmp_path / "monitored.py"
    script.write_text(MONITORED)
    result = run_cli("graph", str(script), "--quiet", "--format", "json")
    assert result.code == 0, result.err
    runs = each_run(result.json())
    assert runs[-1]["status"] == "stopped" and "MonitoredSession" in runs[-1]["stop_reason"]
    assert "TypeError" not in result.err
    whole = run_cli("graph", str(script), "--quiet", "--runs", "all", "--format", "json")
    assert whole.code == 0 and whole.json()["outcome"]["status"] == "completed"


def test_a_skimmed_result_is_copied_without_copying_dict_keys():
    from collections import OrderedDict, namedtuple

    import numpy as np

    from tfinspect.run.child.recorder import copied_result

    class Hook:
        def __deepcopy__(self, memo):
            raise TypeError("cannot pickle 'SymbolicTensor' object")

    hook, Pair = Hook(), namedtuple("Pair", "a b")
    value = {"caller": [np.arange(3), Pair(np.ones(2), 1.5)], hook: np.int64(4), "od": OrderedDict(x=np.zeros(1))}
    copy = copied_result(value)
    assert list(copy) == ["caller", hook, "od"] and next(k for k in copy if k is hook) is hook
    assert isinstance(copy["caller"][1], Pair) and isinstance(copy["od"], OrderedDict)
    assert copy["caller"][0] is not value["caller"][0] and (copy["caller"][0] == value["caller"][0]).all()
