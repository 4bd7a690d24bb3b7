"""TF2 programs through every command: traces as graphs, calls as runs, checked before they execute."""

from __future__ import annotations

import json

from tests.conftest import each_run, FIXTURES, run_cli, run_cli_cached

CHECKS = FIXTURES / "checks"


def _graph(path, *extra):
    return run_cli_cached("graph", str(path), "--format", "json", "--quiet", *extra)


def test_graph_lists_the_function_its_variable_and_its_calls():
    result = _graph(CHECKS / "TFI002_tf_function_lookup.py")
    data = result.json()
    (trace,) = [g for g in data["graphs"] if g["function"]]
    function = trace["function"]
    assert (function["name"], function["trace"], function["source"]["line"]) == ("score", 1, 11)
    assert function["signature"] == "word_ids: int32 (4,)" and function["reason"] is None
    (variable,) = data["variables"]
    assert (variable["name"], variable["shape"], variable["source"]["line"]) == ("embeddings", [50, 8], 7)
    assert all(r["kind"] == "call" and r["graph"] == trace["id"] for r in each_run(data))
    # call #40 passes 57 to the 50-row table: it is skimmed by default, so it is checked, not executed, and
    # the program stops there as TensorFlow would have stopped it: never a clean exit
    last = each_run(data)[-1]
    assert (last["index"], last["status"]) == (40, "stopped") and "57" in last["error"]
    assert function["calls"] == 41
    assert result.code == 2 and "call #40" in result.err and "would fail" in result.err


def test_graph_text_shows_functions_and_calls():
    result = run_cli_cached("graph", str(CHECKS / "TFI019_retrace_python_int.py"), "--quiet")
    assert result.code == 0, result.err
    assert "6 graphs (6 traces of 1 tf.function)" in result.out
    assert "Functions (each trace is a graph)" in result.out and "tf.function calls" in result.out
    assert "scaled_loss #6" in result.out and "1 variable ·" in result.out  # the reasons: in JSON, below


def test_a_retraced_function_says_which_argument_changed():
    data = _graph(CHECKS / "TFI019_retrace_python_int.py").json()
    reasons = [g["function"]["reason"] for g in data["graphs"] if g["function"]]
    assert reasons[0] is None
    assert reasons[1:] == [f"batch_number is a Python value: {k} (was {k - 1})" for k in range(1, 6)]


def test_keras_fit_is_one_graph_with_the_model_inlined_and_variables_by_owner_path():
    data = _graph(FIXTURES / "clean_tf2" / "keras_text_classifier.py").json()
    fit = next(g for g in data["graphs"] if g["function"] and g["function"]["name"].startswith("keras fit"))
    scopes = {s["name"] for s in fit["scopes"]}
    assert "one_step_on_data/sequential_1/embedding_1" in scopes
    names = {v["name"]: v for v in data["variables"] if v["graph"] == fit["id"]}
    assert names["sequential/embedding/embeddings"]["shape"] == [500, 32]
    assert names["sequential/embedding/embeddings"]["source"]["file"].endswith("keras_text_classifier.py")


def test_subgraph_of_a_call():
    result = run_cli_cached("subgraph", str(FIXTURES / "clean_tf2" / "word2vec_skipgram.py"), "--quiet")
    assert result.code == 0, result.err
    first = result.out.splitlines()[0]
    assert first.startswith("Call #0 at word2vec_skipgram.py:38") and "feeds center_words:0, target_words:0" in first
    assert "every stateful op of its trace" in result.out


def test_scopes_and_collections_say_what_tf2_lacks():
    scopes = run_cli_cached("scopes", str(CHECKS / "TFI002_tf_function_lookup.py"), "--quiet", "--runs", "2")
    collections = run_cli_cached("collections", str(CHECKS / "TFI002_tf_function_lookup.py"), "--quiet",
                                 "--runs", "2")
    assert scopes.out.startswith("TF2 has no variable scopes") and "embeddings" in scopes.out
    assert collections.out.startswith("TF2 has no collections")


def test_an_eager_program_without_functions_is_not_called_clean(tmp_path):
    script = tmp_path / "eager.py"
    script.write_text("import tensorflow as tf\nprint(int(tf.reduce_sum(tf.constant([1, 2, 3]))))\n")
    check = run_cli("check", str(script), "--quiet")
    assert check.code == 2 and "not checked" in check.out + check.err
    graph = run_cli("graph", str(script), "--quiet")
    assert graph.code == 0 and "called no tf.function" in graph.out


def test_a_skimmed_tf1_run_that_would_fail_is_flagged_by_graph():
    """The same rule for TF1: run #501 feeds an id beyond the table; graph skims it, so it checks it."""
    result = run_cli_cached("graph", str(FIXTURES / "skim" / "bad_id_at_step_500.py"), "--format", "json",
                            "--quiet")
    assert result.code == 2 and "would fail" in result.err
    stopped = [r for r in each_run(result.json()) if r["status"] == "stopped"]
    assert [r["index"] for r in stopped] == [501] and "out of range" in stopped[0]["error"]


def test_a_fit_of_many_steps_reaches_its_end_under_skim():
    result = _graph(FIXTURES / "tf2" / "keras_fit_steps.py", "--", "2000")
    data = result.json()
    assert result.code == 0 and data["outcome"]["status"] == "completed"
    calls = [r for r in each_run(data) if r["kind"] == "call"]
    assert len(calls) == 2000 and sum(r["executed"] for r in calls) == 3


def test_the_tf2_lectures_and_their_twins():
    result = run_cli_cached("lecture", "linreg_tf2", "--format", "json", "--quiet")
    assert result.code == 0, result.err
    data = result.json()
    (trace,) = [g for g in data["graphs"] if g["function"]]
    assert trace["function"]["name"] == "linreg_tf2.<locals>.train_step" or \
        trace["function"]["name"].endswith("train_step")
    assert {"weights", "bias"} <= {v["name"] for v in data["variables"]}
    listing = run_cli("lecture", "list")
    assert "linreg_tf2" in listing.out and "word2vec_tf2" in listing.out


def test_dump_writes_a_trace_in_every_format(tmp_path):
    for form in ("pbtxt", "json", "dot", "html"):
        out = tmp_path / f"trace.{form}"
        result = run_cli("dump", str(FIXTURES / "clean_tf2" / "tf_function_shapes_signature.py"), "--format", form,
                         "-o", str(out), "--quiet")
        assert result.code == 0, result.err
        assert "ResourceGather" in out.read_text() or form == "html"
        assert "table" in out.read_text()  # the captured variable, by its name
    document = json.loads((tmp_path / "trace.json").read_text())
    assert document


TF2_CHECKPOINT_MODEL = """
import sys
import numpy as np
import tensorflow as tf
import keras

width, mode, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(width), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(np.ones((8, 4)), np.ones((8, 1)), verbose=0)
if mode == "save":
    tf.train.Checkpoint(model=model).write(path)
elif mode == "restore":
    tf.train.Checkpoint(model=model).read(path).expect_partial()
"""


def test_ckpt_against_a_tf2_program_matches_saved_names_and_tensorflow_agrees(tmp_path):
    """A TF2 checkpoint keys variables by object path; ckpt names them as saved (Keras' owner paths) and says
    whether tf.train.Checkpoint.restore into the script's model succeeds: TensorFlow is the oracle."""
    import os
    import subprocess
    import sys

    script = tmp_path / "model.py"
    script.write_text(TF2_CHECKPOINT_MODEL)
    prefix = str(tmp_path / "ckpt" / "model")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")

    def plain(*argv):
        return subprocess.run([sys.executable, str(script), *argv], env=env, capture_output=True, text=True,
                              timeout=300)

    assert plain("2", "save", prefix).returncode == 0
    listing = run_cli("ckpt", prefix, "--format", "json").json()
    names = {v["name"]: v for v in listing["variables"]}
    assert names["sequential/dense/kernel"]["shape"] == [4, 2]
    assert names["sequential/dense/kernel"]["key"].endswith("/.ATTRIBUTES/VARIABLE_VALUE")
    for width, restores in (("2", True), ("3", False)):
        result = run_cli("ckpt", prefix, "--against", str(script), "--format", "json", "--quiet", "--",
                         width, "none", prefix)
        report = result.json()["restore"]
        assert report["object_based"] and report["ok"] is restores, report
        assert result.code == (0 if restores else 1)
        if not restores:
            assert {m["name"] for m in report["shape_mismatches"]} == {
                "sequential/dense/kernel", "sequential/dense/bias", "sequential/dense_1/kernel"}
        assert (plain(width, "restore", prefix).returncode == 0) is restores  # TensorFlow agrees


def test_a_variable_made_inside_a_function_is_explained(tmp_path):
    """TensorFlow's own error, one line (not its 'in user code:' header), and what to do about it."""
    script = tmp_path / "singleton.py"
    script.write_text("import tensorflow as tf\n\n\n@tf.function\ndef step(x):\n    v = tf.Variable(1.0)\n"
                      "    return v * x\n\n\nstep(tf.constant(2.0))\n")
    result = run_cli("graph", str(script), "--quiet")
    assert result.code == 2
    assert "raised an error: ValueError: tf.function only supports singleton tf.Variables" in result.err
    assert "hint: a tf.function creates a tf.Variable each time it is traced" in result.err


def test_a_keras_step_is_fed_by_its_iterator():
    """The iterator a Keras step function is given is an input of the call, not a placeholder nothing feeds."""
    result = run_cli_cached("subgraph", str(FIXTURES / "clean_tf2" / "keras_mlp_regression.py"), "--quiet")
    assert result.code == 0, result.err
    assert "feeds iterator:0" in result.out.splitlines()[0] and "nothing feeds" not in result.out


TWO_MODELS_ONE_DATASET = """
import numpy as np
import tensorflow as tf

rng = np.random.default_rng(3)
data = tf.data.Dataset.from_tensor_slices((rng.integers(0, 40, (64, 5)), rng.random(64))).batch(16)


def model(rows):
    m = tf.keras.Sequential([tf.keras.layers.Embedding(rows, 4), tf.keras.layers.GlobalAveragePooling1D(),
                             tf.keras.layers.Dense(1)])
    m.compile("adam", "mse")
    return m


first = model(40)
first.fit(data, epochs=2, verbose=0)
first.evaluate(data, verbose=0)
second = model(30)  # the bug: the same ids, a smaller table
second.fit(data, epochs=1, verbose=0)
"""


def test_a_dataset_read_by_several_traces_is_checked_for_each(tmp_path):
    """The dataset is read ahead once, and checked against every trace that reads it: evaluate after fit is
    checked (no TFI006 about it), and a second model with a smaller table fails before its first call (TensorFlow
    fails that call); before, only the first trace was checked."""
    import subprocess
    import sys

    script = tmp_path / "two_models.py"
    script.write_text(TWO_MODELS_ONE_DATASET)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert plain.returncode != 0 and "is not in [0, 30)" in plain.stderr
    result = run_cli("check", str(script), "--quiet", "--format", "json")
    assert result.code == 1, result.err
    findings = [(f["code"], f["source"]["line"]) for f in result.json()["findings"]]
    assert findings == [("TFI004", 20)]  # second.fit
