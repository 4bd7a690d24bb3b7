"""`tfinspect graph` on the lecture fixtures, as TF1 code and as tf.compat.v1 code.

Every assertion is about what a user reads: names, counts, source lines, runs.
Line numbers are looked up in the fixture text, so they say which statement
is meant.
"""

from __future__ import annotations

from collections import Counter

from pathlib import Path

import pytest

from tests.conftest import each_run, FIXTURES, fixture_path, run_cli_cached

FLAVOURS = ("tf1", "compat")


def line_of(relative: str, text: str) -> int:
    lines = (FIXTURES / relative).read_text().splitlines()
    matches = [i + 1 for i, line in enumerate(lines) if text in line]
    assert len(matches) == 1, f"{text!r} is on lines {matches} of {relative}"
    return matches[0]


def graph_json(relative: str, flavour: str, tmp_path_factory, *extra: str) -> dict:
    workdir = tmp_path_factory.getbasetemp() / f"work-{flavour}"
    workdir.mkdir(exist_ok=True)
    script = fixture_path(relative, flavour, tmp_path_factory.getbasetemp() / f"compat")
    result = run_cli_cached("graph", script, "--format", "json", "--cwd", str(workdir), *extra)
    assert result.code == 0, result.err
    data = result.json()
    assert data["schema_version"] == 2
    assert data["tf1_mode"] is (flavour == "tf1")
    return data


def variables(data: dict) -> dict[str, dict]:
    return {v["name"]: v for v in data["variables"]}


def run_lines(data: dict) -> list[tuple[int, list[str], str]]:
    return [(r["source"]["line"], r["fetches"], r["status"]) for r in each_run(data)]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_add_pow(flavour, tmp_path_factory):
    data = graph_json("lectures/add_pow.py", flavour, tmp_path_factory)
    assert data["ops"] == 6
    assert data["variables"] == [] and data["placeholders"] == []
    first = line_of("lectures/add_pow.py", "z = sess.run(pow_op)")
    second = line_of("lectures/add_pow.py", "sess.run([pow_op, useless])")
    assert run_lines(data) == [(first, ["Pow:0"], "ok"), (second, ["Pow:0", "Mul_1:0"], "ok")]
    assert data["outcome"]["status"] == "completed"
    assert Path(each_run(data)[0]["source"]["file"]).name == "add_pow.py"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_linreg_feed(flavour, tmp_path_factory):
    rel = "lectures/linreg_feed.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    placeholders = {p["name"]: p for p in data["placeholders"]}
    assert set(placeholders) == {"X", "Y"}
    assert placeholders["X"]["dtype"] == "float32" and placeholders["X"]["shape"] is None
    assert placeholders["X"]["source"]["line"] == line_of(rel, 'X = tf.placeholder')
    found = variables(data)
    assert set(found) == {"weights", "bias"}
    assert found["weights"]["created_by"] == "get_variable" and found["weights"]["kind"] == "ref"
    assert found["weights"]["shape"] == [] and found["weights"]["trainable"] is True
    assert found["bias"]["source"]["line"] == line_of(rel, 'b = tf.get_variable("bias"')
    init = line_of(rel, "sess.run(tf.global_variables_initializer())")
    step = line_of(rel, "_, l = sess.run([optimizer, loss], feed_dict")
    fetches = ["GradientDescent", "loss:0"]
    # 100 epochs over 190 samples: the first 3 steps execute, the other 18,997 are skimmed, and the script goes
    # on to read the weights after the loop.
    after = line_of(rel, "w_out, b_out = sess.run([w, b])")
    assert run_lines(data) == ([(init, ["init"], "ok")] + [(step, fetches, "ok")] * 3
                               + [(step, fetches, "skimmed")] * 18997 + [(after, ["weights:0", "bias:0"], "ok")])
    assert each_run(data)[1]["feeds"] == ["X:0", "Y:0"]
    assert each_run(data)[1]["feed_details"][0] == {"name": "X:0", "dtype": "float32", "shape": []}
    assert data["outcome"]["status"] == "completed" and data["outcome"]["ok"] is True
    assert data["collections"]["trainable_variables"] == ["weights:0", "bias:0"]
    assert "train_op" in data["collections"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_linreg_dataset(flavour, tmp_path_factory):
    rel = "lectures/linreg_dataset.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    assert data["placeholders"] == []
    assert set(variables(data)) == {"weights", "bias"}
    init = line_of(rel, "sess.run(tf.global_variables_initializer())")
    iterator = line_of(rel, "sess.run(iterator.initializer)")
    step = line_of(rel, "_, l = sess.run([optimizer, loss])")
    lines = [(line, status) for line, _, status in run_lines(data)]
    assert lines[:6] == [(init, "ok"), (iterator, "ok"), (step, "ok"), (step, "ok"), (step, "ok"), (step, "skimmed")]
    assert each_run(data)[1]["fetches"] == ["MakeIterator"]
    # 100 epochs, each re-initialising the iterator (always executed) and ended by OutOfRangeError, which skimmed
    # runs still reach: their IteratorGetNext executes.
    assert Counter(lines) == {(init, "ok"): 1, (iterator, "ok"): 100, (step, "ok"): 3, (step, "skimmed"): 18997,
                              (step, "error"): 100}
    assert data["outcome"]["status"] == "completed"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_two_layers_broken_has_two_sets(flavour, tmp_path_factory):
    rel = "lectures/two_layers_broken.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    found = variables(data)
    base = ["h1_weights", "h1_biases", "h2_weights", "h2_biases"]
    assert list(found) == base + [name + "_1" for name in base]
    assert {v["created_by"] for v in found.values()} == {"tf.Variable"}
    w1 = line_of(rel, 'name="h1_weights"')
    assert found["h1_weights"]["source"]["line"] == w1 and found["h1_weights_1"]["source"]["line"] == w1
    assert found["h2_biases"]["shape"] == [10]
    runs = each_run(data)
    assert [r["source"]["line"] for r in runs] == [line_of(rel, "global_variables_initializer"),
                                                  line_of(rel, "reduce_mean"), line_of(rel, "out1, out2")]
    # the reduce_mean run added ops: the graph grew between runs
    assert runs[1]["ops_before"] > runs[0]["ops_before"]
    assert runs[2]["ops_before"] == data["ops"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_two_layers_shared(flavour, tmp_path_factory):
    rel = "lectures/two_layers_shared.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    found = variables(data)
    assert list(found) == ["two_layers/h1/weights", "two_layers/h1/biases",
                           "two_layers/h2/weights", "two_layers/h2/biases"]
    assert found["two_layers/h1/weights"]["shape"] == [100, 50]
    assert found["two_layers/h1/weights"]["source"]["line"] == line_of(rel, 'tf.get_variable("weights"')
    scopes = {s["name"] for s in data["graphs"][0]["scopes"]}
    assert {"two_layers/h1", "two_layers/h1_1", "two_layers/h2_1"} <= scopes
    assert data["outcome"]["status"] == "completed"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_two_layers_auto_reuse(flavour, tmp_path_factory):
    rel = "lectures/two_layers_auto_reuse.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    assert list(variables(data)) == ["two_layers/h1/weights", "two_layers/h1/biases",
                                     "two_layers/h2/weights", "two_layers/h2/biases"]
    scopes = {s["name"] for s in data["graphs"][0]["scopes"]}
    assert {"two_layers/h1", "two_layers_1/h1", "two_layers_1/h2"} <= scopes


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_word2vec(flavour, tmp_path_factory):
    rel = "lectures/word2vec.py"
    data = graph_json(rel, flavour, tmp_path_factory)
    found = variables(data)
    assert list(found) == ["global_step", "embed_matrix", "nce_weight", "nce_bias"]
    assert found["global_step"]["trainable"] is False and found["global_step"]["created_by"] == "tf.Variable"
    assert found["embed_matrix"]["shape"] == [2000, 128]
    for name, marker in [("global_step", "global_step = tf.Variable"), ("embed_matrix", '"embed_matrix"'),
                         ("nce_weight", '"nce_weight"'), ("nce_bias", '"nce_bias"')]:
        assert found[name]["source"]["line"] == line_of(rel, marker), name
    top = {s["name"] for s in data["graphs"][0]["scopes"] if "/" not in s["name"]}
    assert {"data", "embed", "loss", "optimizer", "summaries", "save"} <= top
    step = line_of(rel, "sess.run([loss, optimizer, summary_op])")
    assert run_lines(data)[:2] == [(line_of(rel, "sess.run(iterator.initializer)"), ["data/MakeIterator"], "ok"),
                                   (line_of(rel, "global_variables_initializer"), ["init"], "ok")]
    steps = [r for r in each_run(data) if r["source"]["line"] == step]
    assert [r["status"] for r in steps] == ["ok"] * 3 + ["skimmed"] * 697
    assert steps[0]["fetches"] == ["loss/loss:0", "optimizer/GradientDescent", "summaries/Merge/MergeSummary:0"]
    assert data["collections"]["summaries"] == ["summaries/loss:0", "summaries/histogram_loss:0"]


def test_runs_option_zero_builds_only(tmp_path_factory):
    data = graph_json("lectures/linreg_feed.py", "tf1", tmp_path_factory, "--runs", "0")
    assert [r["status"] for r in each_run(data)] == ["stopped"]
    assert data["ops"] > 0 and len(data["variables"]) == 2


def test_runs_option_number(tmp_path_factory):
    data = graph_json("lectures/linreg_feed.py", "tf1", tmp_path_factory, "--runs", "7")
    assert [r["status"] for r in each_run(data)] == ["ok"] * 7 + ["stopped"]


def test_runs_all_lets_the_script_finish(tmp_path_factory):
    data = graph_json("lectures/two_layers_broken.py", "tf1", tmp_path_factory, "--runs", "all")
    assert data["outcome"]["status"] == "completed"
    assert all(r["status"] == "ok" for r in each_run(data))
