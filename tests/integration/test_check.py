"""`tfinspect check`: exact findings per fixture, exit codes, formats, and TensorFlow as the oracle."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tfinspect.checks.registry import all_checks
from tests.conftest import each_run, FIXTURES, REPO, expected_findings, run_cli, run_cli_cached

CHECKS = FIXTURES / "checks"

# fixture -> (exit code, [(code, op, line)]), as each fixture's "# Should emit" header says
EXPECTED = {path.name: expected_findings(path) for path in sorted(CHECKS.glob("*.py"))}


def check_json(name: str, *extra: str):
    return run_cli_cached("check", str(CHECKS / name), "--format", "json", "--quiet", *extra)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_gives_exactly_the_expected_findings(name):
    code, expected = EXPECTED[name]
    result = check_json(name)
    assert result.code == code, result.err
    findings = json.loads(result.out)["findings"]
    assert [(f["code"], f["op"], f["source"]["line"]) for f in findings] == expected
    for f in findings:
        assert f["source"]["file"].endswith(name)
        assert f["severity"] in ("error", "warning", "info")
    _matches_the_shipped_schema(result.json())


def _matches_the_shipped_schema(document) -> None:
    """check's JSON is valid against tfinspect/schemas/check.schema.json, and each finding's evidence holds only
    the fields docs/json.md lists for its code."""
    from importlib import resources

    evidence = {check.code: check.evidence for check in all_checks()}
    jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
    schema = json.loads((resources.files("tfinspect") / "schemas" / "check.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    for finding in document["findings"]:
        assert set(finding["evidence"]) <= set(evidence[finding["code"]]), finding["code"]


def test_fed_finding_names_everything_a_user_needs():
    (finding,) = json.loads(check_json("TFI002_fed_center_word.py").out)["findings"]
    message = finding["message"]
    assert "center_words:0" in message and "embed/embedding" in message and "embed_matrix (128 rows)" in message
    assert "1 of 4 ids" in message and "[2] = 3081" in message and "[0, 128)" in message
    assert [(r["label"], r["source"]["line"]) for r in finding["related"]] == [("placeholder", 10), ("lookup", 13),
                                                                              ("table", 11)]


def test_findings_carry_their_evidence_as_fields():
    (finding,) = json.loads(check_json("TFI002_fed_center_word.py").out)["findings"]
    assert finding["evidence"] == {"ids": [3081], "positions": [[2]], "count": 1, "total": 4, "low": 0, "high": 128,
                                   "lookup": "embed/embedding", "table": "embed_matrix", "tensor": "center_words:0",
                                   "run": 1, "runs": [1]}
    (dataset,) = json.loads(check_json("TFI004_dataset_id.py").out)["findings"]
    assert dataset["evidence"]["ids"] == [3081] and dataset["evidence"]["positions"] == [[5]]
    assert dataset["evidence"]["complete"] is True and dataset["evidence"]["table"] == "embed_matrix"
    (sampled,) = json.loads(check_json("TFI008_num_sampled.py").out)["findings"]
    assert sampled["evidence"] == {"sampler": "nce_loss/LogUniformCandidateSampler", "num_sampled": 64,
                                   "num_classes": 50}


def test_partitioned_and_wrapped_lookups_are_named_by_the_table_the_user_made():
    (finding,) = json.loads(check_json("TFI002_partitioned_table.py").out)["findings"]
    assert "partitioned table embeddings (300 rows in 3 parts)" in finding["message"]
    assert "[3] = 310" in finding["message"] and "[0, 300)" in finding["message"]
    assert [r["label"] for r in finding["related"]] == ["placeholder", "lookup", "table"]
    (finding,) = json.loads(check_json("TFI002_keras_embedding.py").out)["findings"]
    # Keras 3 wraps negative ids: -3 (the first run) is valid, so only the second run is reported
    assert "[-1000, 1000)" in finding["message"] and "1 of 12 ids" in finding["message"]
    assert "in 1 of 2 runs" in finding["message"]


ORACLE = {  # fixture -> what TensorFlow itself says when the same run executes on CPU
    "TFI001_constant_id.py": "indices[1] = 12 is not in [0, 10)",
    "TFI002_fed_center_word.py": "indices[2] = 3081 is not in [0, 128)",
    "TFI002_gather_columns.py": "indices[1] = 7 is not in [0, 7)",
    "TFI002_keras_embedding.py": "indices[2,3] = 1000 is not in [0, 1000)",
    "TFI002_partitioned_table.py": "partitions[3] = 3 is not in [0, 3)",
    "TFI003_nce_num_classes.py": "is not in [0, 128)",
    "TFI004_dataset_id.py": "= 3081 is not in [0, 128)",
    "TFI002_float_ids.py": "indices[5] = 100 is not in [0, 100)",
    "TFI004_fed_initializer.py": "indices[3] = 500 is not in [0, 500)",
    "TFI004_vocab_file.py": "indices[3] = 5 is not in [0, 5)",
    "TFI004_one_shot_dataset.py": "indices[1] = 130 is not in [0, 128)",
    "TFI005_fed_label_nce.py": "3081",
    "TFI008_num_sampled.py": "Sampler's range is too small",
    # TF2: the call TensorFlow fails is the one check did not let execute
    "TFI002_tf_function_lookup.py": "indices[3] = 57 is not in [0, 50)",
    "TFI004_keras_fit_arrays.py": "is not in [0, 100)",
    "TFI004_keras_fit_dataset.py": "= 64 is not in [0, 64)",
    "TFI004_keras_steps_per_execution.py": "is not in [0, 20)",
    "TFI004_keras_mirrored.py": "is not in [0, 50)",
}


@pytest.mark.parametrize("name", sorted(ORACLE))
def test_tensorflow_itself_fails_the_same_run(name, tmp_path):
    import tfinspect

    capture = tfinspect.capture(str(CHECKS / name), runs="all", quiet=True, cwd=str(tmp_path))
    assert capture.outcome.status.value == "error"
    assert "InvalidArgumentError" in capture.outcome.message
    assert ORACLE[name] in capture.outcome.message, capture.outcome.message


def test_clean_model_runs_to_the_end_without_errors(tmp_path):
    import tfinspect

    capture = tfinspect.capture(str(CHECKS / "clean_model.py"), runs="all", quiet=True, cwd=str(tmp_path))
    assert capture.outcome.status.value == "completed"


def test_sarif_validates_against_the_2_1_0_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "tests" / "data" / "sarif-2.1.0-rtm.5.json").read_text())
    result = run_cli("check", str(CHECKS / "TFI005_fed_label_nce.py"), "--format", "sarif", "--quiet")
    assert result.code == 1
    log = json.loads(result.out)
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == [c.code for c in all_checks()]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][:8] == [f"TFI00{i}" for i in range(1, 9)]
    assert [r["ruleId"] for r in run["results"]] == ["TFI002", "TFI002", "TFI005"]
    location = run["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"].endswith("fixtures/checks/TFI005_fed_label_nce.py")
    assert location["region"]["startLine"] == 25


def test_github_annotations():
    result = run_cli("check", str(CHECKS / "TFI001_constant_id.py"), "--format", "github", "--quiet")
    assert result.code == 1
    (line,) = result.out.splitlines()
    assert line.startswith("::error file=") and "TFI001_constant_id.py,line=9,title=TFI001 (picked)::" in line


def test_select_and_ignore():
    result = check_json("TFI005_fed_label_nce.py", "--select", "TFI005")
    assert [f["code"] for f in json.loads(result.out)["findings"]] == ["TFI005"]
    result = check_json("TFI005_fed_label_nce.py", "--ignore", "TFI002,TFI005")
    # nothing left explains why the script failed: that is a load error, exit 2
    assert json.loads(result.out)["findings"] == [] and result.code == 2
    result = run_cli("check", str(CHECKS / "clean_model.py"), "--select", "TFI999")
    assert result.code == 2 and "no check code starts with 'TFI999'" in result.err


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_text_output_golden(name, golden, monkeypatch):
    monkeypatch.chdir(REPO)
    result = run_cli("check", f"fixtures/checks/{name}", "--quiet")
    assert result.code == EXPECTED[name][0], result.err
    golden(f"checks/{name.removesuffix('.py')}.txt", result.out)


def test_a_graph_file_is_checked_statically(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    graph = tf.Graph()
    with graph.as_default():
        table = tf.get_variable("table", [10, 2])
        tf.gather(table, tf.constant([1, 10]), name="picked")
    path = tmp_path / "g.pb"
    path.write_bytes(graph.as_graph_def(add_shapes=True).SerializeToString())
    result = run_cli("check", str(path), "--format", "json")
    assert result.code == 1
    assert [(f["code"], f["op"]) for f in json.loads(result.out)["findings"]] == [("TFI001", "picked")]


def test_check_stops_the_script_before_an_out_of_range_run_executes():
    result = run_cli("check", str(CHECKS / "TFI002_fed_center_word.py"), "--format", "json")
    assert result.code == 1
    assert [f["code"] for f in json.loads(result.out)["findings"]] == ["TFI002"]
    assert "InvalidArgumentError" not in result.err  # TensorFlow never ran the step
    graph = run_cli("graph", str(CHECKS / "TFI002_fed_center_word.py"), "--format", "json", "--quiet")
    assert graph.json()["outcome"]["status"] == "error"  # without the guard, TensorFlow fails that run


@pytest.mark.parametrize("name, why", [
    ("TFI001_constant_id.py", "fails whatever is fed"), ("TFI003_nce_num_classes.py", "fails whatever is fed"),
    ("TFI008_num_sampled.py", "fails whatever is fed"),
    ("TFI004_dataset_id.py", "the dataset it reads yields ids out of range"),
    ("TFI004_fed_initializer.py", "the dataset it reads yields ids out of range"),
    ("TFI004_vocab_file.py", "the dataset it reads yields ids out of range"),
    ("TFI004_one_shot_dataset.py", "the dataset it reads yields ids out of range"),
])
def test_a_condemned_run_never_executes(name, why):
    """The finding explains the failure; TensorFlow never runs the step (on a GPU it would return zeros).
    A dataset's ids are read before the first run that reads them, in a session of tfinspect's own."""
    result = run_cli("check", str(CHECKS / name), "--quiet")
    assert result.code == 1
    assert "InvalidArgumentError" not in result.err and "Traceback" not in result.err
    assert "TensorFlow did not execute run #" in result.err and why in result.err


LOOP_THEN_LOOKUP = '''import tensorflow as tf
counter = tf.Variable(0, name="counter")
step = tf.assign_add(counter, 1)
ids = tf.placeholder(tf.int32, [None], name="ids")
table = tf.Variable(tf.zeros([10, 4]), name="table")
vectors = tf.nn.embedding_lookup(table, ids)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(5):
        sess.run(step)
    sess.run(vectors, {ids: [1, 12]})
'''


def test_the_default_reaches_a_lookup_after_the_loop_and_runs_stop_names_its_stop(tmp_path):
    """Skimming reaches the code after a training loop; --runs stop (the old default) stops in the loop and
    says what was not checked."""
    script = tmp_path / "loop_then_lookup.py"
    script.write_text(LOOP_THEN_LOOKUP)
    skimmed = run_cli("check", str(script), "--quiet")
    assert skimmed.code == 1 and "TFI002" in skimmed.out
    limited = run_cli("check", str(script), "--quiet", "--runs", "stop")
    assert limited.code == 0
    assert "TFI006" in limited.out and "not fed in any captured run" in " ".join(limited.out.split())
    assert ("the script was stopped at run #4 at loop_then_lookup.py:10 (the run limit was reached); code after it "
            "did not run and was not checked (--runs all checks the whole script)") in limited.err
    complete = run_cli("check", str(script), "--quiet", "--runs", "all")
    assert complete.code == 1 and "TFI002" in complete.out and "run limit" not in complete.err


def test_one_hot_of_float_labels_silently_gives_a_zero_row(tmp_path):
    """The oracle for one_hot: TensorFlow does not fail; the label 10.0, converted to 10, gives zeros."""
    tf = pytest.importorskip("tensorflow").compat.v1
    import numpy as np

    with tf.Graph().as_default():
        labels = tf.placeholder(tf.int64, [None])
        with tf.Session() as sess:
            rows = sess.run(tf.one_hot(labels, 10), {labels: np.array([1.0, 4.0, 9.0, 10.0])})
    assert rows[3].sum() == 0 and rows[2][9] == 1


LATE_BAD_ID = '''import numpy as np
import tensorflow as tf
ids = tf.placeholder(tf.int64, [None], name="ids")
table = tf.get_variable("table", [100, 4])
loss = tf.reduce_sum(tf.nn.embedding_lookup(table, ids))
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(40):
        batch = np.arange(step, step + 6) % 100
        if step == 25:
            batch[5] = 100
        sess.run(train, {ids: batch})
'''


def test_a_bad_id_at_step_25_is_a_finding(tmp_path):
    """Fed arrays are kept for a call site's first runs only; the run the guard stops is kept at any step."""
    script = tmp_path / "late_bad_id.py"
    script.write_text(LATE_BAD_ID)
    result = run_cli("check", str(script), "--runs", "all", "--format", "json", "--quiet")
    assert result.code == 1, result.err
    (finding,) = json.loads(result.out)["findings"]
    assert finding["code"] == "TFI002" and "[5] = 100" in finding["message"] and "run #26" in finding["message"]
    assert "InvalidArgumentError" not in result.err  # the guard stopped it: TensorFlow never ran step 25
    import tfinspect

    plain = tfinspect.capture(str(script), runs="all", quiet=True, cwd=str(tmp_path))
    assert "indices[5] = 100 is not in [0, 100)" in plain.outcome.message


def test_a_script_that_could_not_run_is_not_called_clean():
    result = run_cli("check", str(FIXTURES / "scripts" / "import_error.py"), "--quiet")
    assert result.code == 2
    out = " ".join(result.out.split())  # the line wraps at the console's width where the path is long
    assert "not checked: the script failed before it built a graph" in out and "no findings" not in out


RESTORE_MISSING_KEY = '''import os, tempfile
import tensorflow as tf
folder = tempfile.mkdtemp()
with tf.Graph().as_default():
    a = tf.get_variable("a", [2])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        saver.save(sess, os.path.join(folder, "model.ckpt"))
with tf.Graph().as_default():
    a = tf.get_variable("a", [2])
    b = tf.get_variable("b", [2])
    saver = tf.train.Saver()
    with tf.Session() as sess:
        saver.restore(sess, os.path.join(folder, "model.ckpt"))
'''


def test_a_wrapped_error_keeps_its_root_cause(tmp_path):
    """TensorFlow's restore error wraps the cause ("Key b not found in checkpoint") after "Original error:"."""
    script = tmp_path / "restore.py"
    script.write_text(RESTORE_MISSING_KEY)
    result = run_cli("graph", str(script), "--quiet", "--format", "json")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["message"].startswith("NotFoundError: Key b not found in checkpoint")
    assert [r["error"] for r in each_run(data) if r["error"]] == [
        "NotFoundError: Key b not found in checkpoint (at op save/RestoreV2)"]
    assert "tfinspect ckpt CHECKPOINT --against SCRIPT" in result.err


MAP_READS_A_VARIABLE = '''import numpy as np
import tensorflow as tf
offset = tf.Variable(2, dtype=tf.int64, name="offset")
dataset = tf.data.Dataset.from_tensor_slices(np.arange(8, dtype=np.int64)).map(lambda x: x + offset.read_value())
iterator = dataset.batch(4).make_initializable_iterator()
rows = tf.nn.embedding_lookup(tf.get_variable("table", [20, 2]), iterator.get_next())
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(iterator.initializer)
    print(sess.run(rows).shape)
'''


def test_a_dataset_that_reads_variables_is_not_a_failing_pipeline(tmp_path):
    """Its variables are initialised in the script's session only: say it was not checked, not that it fails."""
    script = tmp_path / "map_variable.py"
    script.write_text(MAP_READS_A_VARIABLE)
    result = run_cli("check", str(script), "--quiet", "--format", "json")
    assert result.code == 0, result.err
    (finding,) = json.loads(result.out)["findings"]
    assert finding["code"] == "TFI006" and "it reads variables" in finding["message"]


def test_pyproject_configuration_and_line_comments(tmp_path):
    """[tool.tfinspect] above the script sets severities and selections; a line comment silences a code there;
    --no-config ignores the file; --ignore on the command line replaces the file's."""
    source = (CHECKS / "TFI009_lazy_loading.py").read_text()
    script = tmp_path / "lazy.py"
    script.write_text(source)
    (tmp_path / "pyproject.toml").write_text('[tool.tfinspect]\nseverity = { TFI009 = "error" }\n')
    strict = run_cli("check", str(script), "--format", "json", "--quiet")
    assert strict.code == 1 and [(f["code"], f["severity"]) for f in strict.json()["findings"]] == [("TFI009", "error")]
    relaxed = run_cli("check", str(script), "--format", "json", "--quiet", "--no-config")
    assert relaxed.code == 0 and [f["severity"] for f in relaxed.json()["findings"]] == ["warning"]
    script.write_text(source.replace("sess.run(tf.add(x, y))", "sess.run(tf.add(x, y))  # tfinspect: ignore[TFI009]"))
    silenced = run_cli("check", str(script), "--format", "json", "--quiet")
    assert silenced.code == 0 and silenced.json()["findings"] == []
    (tmp_path / "pyproject.toml").write_text('[tool.tfinspect]\nselect = "TFI00"\n')
    broken = run_cli("check", str(script), "--quiet")
    assert broken.code == 0  # a string is taken as one code
    (tmp_path / "pyproject.toml").write_text('[tool.tfinspect]\nselect = ["TFI999"]\n')
    unknown = run_cli("check", str(script), "--quiet")
    assert unknown.code == 2 and "no check code starts with 'TFI999'" in unknown.err


def test_several_sources_give_one_report_and_one_exit_code():
    """The pre-commit hook passes every changed file: one report, one exit code, one SARIF run."""
    clean, bad = str(CHECKS / "clean_model.py"), str(CHECKS / "TFI001_constant_id.py")
    both = run_cli("check", clean, bad, "--format", "json", "--quiet")
    assert both.code == 1
    data = both.json()
    assert data["schema_version"] == 2 and data["command"] == "check"
    assert [(s["source"], s["findings"]) for s in data["sources"]] == [(clean, 0), (bad, 1)]
    assert [f["code"] for f in data["findings"]] == ["TFI001"]
    sarif = run_cli("check", clean, bad, "--format", "sarif", "--quiet")
    (run,) = json.loads(sarif.out)["runs"]
    assert [r["ruleId"] for r in run["results"]] == ["TFI001"]
    text = run_cli("check", clean, bad, "--quiet")
    # paths given absolute are shown as the findings show their files: relative to the working directory
    shown_clean, shown_bad = (os.path.relpath(p) if not os.path.relpath(p).startswith("..") else p for p in (clean, bad))
    assert f"{shown_clean}: no findings" in text.out and f"{shown_bad}: 1 error" in text.out
    assert f"{shown_bad}:9: TFI001" in text.out
    # the grand total, last (the bad script was stopped at the run its constant id would fail: partly checked)
    assert text.out.rstrip().splitlines()[-1] == "2 sources: 1 error (1 not wholly checked)"
    missing = run_cli("check", clean, str(CHECKS / "missing.py"), "--quiet")
    assert missing.code == 2 and "missing.py: no such file" in missing.err


def _plain_tensorflow(script, cwd) -> subprocess.CompletedProcess:
    """The oracle: the fixture run as a TF1 program under plain TensorFlow, without tfinspect."""
    code = ("import runpy, sys, tensorflow.compat.v1 as tf; tf.disable_v2_behavior(); "
            f"sys.modules['tensorflow'] = tf; runpy.run_path({str(script)!r}, run_name='__main__')")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_subset_initializer_lists_every_uninitialised_variable():
    """TensorFlow names one uninitialised variable (which one varies); the finding names all eight, the same
    way every time, with what made them."""
    (finding,) = check_json("TFI015_subset_initializer.py").json()["findings"]
    assert finding["evidence"]["uninitialized"] == [
        "beta1_power", "beta2_power", "w1/Adam", "w1/Adam_1", "b1/Adam", "b1/Adam_1", "w2/Adam", "w2/Adam_1"]
    assert "(and 7 more: beta2_power, w1/Adam, w1/Adam_1, ...)" in finding["message"]
    assert "(made by AdamOptimizer)" in finding["message"]


def test_subset_initializer_fails_under_plain_tensorflow(tmp_path):
    done = _plain_tensorflow(CHECKS / "TFI015_subset_initializer.py", tmp_path)
    assert done.returncode != 0 and "Attempting to use uninitialized value" in done.stderr


def test_a_variable_without_gradient_keeps_its_initial_value(tmp_path):
    """The oracle for TFI016: after 20 Adam steps under plain TensorFlow, b2 is still all zeros."""
    done = _plain_tensorflow(CHECKS / "TFI016_forgotten_bias.py", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "b2 after training: [0. 0. 0.]" in done.stdout
    (finding,) = check_json("TFI016_forgotten_bias.py").json()["findings"]
    assert finding["evidence"] == {"variable": "b2", "optimizer": "AdamOptimizer"}
    assert finding["related"][0]["source"]["line"] == 15  # the minimize call


def test_a_frozen_variable_is_not_blamed(tmp_path):
    """var_list leaving a variable out, a target network written by a copy, trainable=False: no TFI016."""
    script = tmp_path / "frozen.py"
    script.write_text(FROZEN)
    result = run_cli("check", str(script), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    assert result.json()["findings"] == []


FROZEN = '''import numpy as np
import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 4])
y = tf.placeholder(tf.float32, [None, 1])
def net(scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("w", [4, 1])
        return tf.matmul(x, w), w
online, w_online = net("online")
target, w_target = net("target")  # trainable, but written by the copy below, never by an optimizer
frozen = tf.Variable(tf.ones([4, 1]), name="frozen")
loss = tf.reduce_mean(tf.square(online + tf.stop_gradient(target) + tf.matmul(x, frozen) - y))
train = tf.train.AdamOptimizer(0.01).minimize(loss, var_list=[w_online])
copy = tf.assign(w_target, w_online)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        sess.run(train, {x: np.ones((2, 4)), y: np.ones((2, 1))})
        sess.run(copy)
'''


def test_a_gpu_pin_fails_under_plain_tensorflow_without_a_gpu(tmp_path):
    """The oracle for TFI017 (on a machine without a GPU, as CI is)."""
    findings = check_json("TFI017_gpu_pin.py").json()["findings"]
    if not findings or findings[0]["evidence"]["gpus"] != 0:
        pytest.skip("this machine has a GPU")
    done = _plain_tensorflow(CHECKS / "TFI017_gpu_pin.py", tmp_path)
    assert done.returncode != 0 and "Cannot assign a device for operation" in done.stderr
    soft = tmp_path / "soft.py"
    soft.write_text((CHECKS / "TFI017_gpu_pin.py").read_text().replace(
        "tf.Session()", "tf.Session(config=tf.ConfigProto(allow_soft_placement=True))"))
    assert _plain_tensorflow(soft, tmp_path).returncode == 0
    assert run_cli("check", str(soft), "--format", "json", "--quiet").json()["findings"] == []


def test_ops_created_before_the_graph_seed_differ_from_run_to_run(tmp_path):
    """The oracle for TFI018: two runs of the script print different weights; with the seed set first, the same."""
    first = _plain_tensorflow(CHECKS / "TFI018_seed_after_model.py", tmp_path)
    second = _plain_tensorflow(CHECKS / "TFI018_seed_after_model.py", tmp_path)
    weights = [next(line for line in done.stdout.splitlines() if line.startswith("w:")) for done in (first, second)]
    assert weights[0] != weights[1]
    fixed = tmp_path / "seed_first.py"
    source = (CHECKS / "TFI018_seed_after_model.py").read_text().replace("tf.set_random_seed(1)\n", "")
    fixed.write_text(source.replace("import tensorflow as tf\n", "import tensorflow as tf\ntf.set_random_seed(1)\n"))
    runs = [_plain_tensorflow(fixed, tmp_path) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].returncode == 0
    assert run_cli("check", str(fixed), "--format", "json", "--quiet").json()["findings"] == []


def test_a_script_that_builds_no_graph_is_not_checked(tmp_path):
    """Pure eager TensorFlow 2 code: nothing was checked, in every format, and exit 2, never "no findings"."""
    script = tmp_path / "eager.py"
    script.write_text("import tensorflow as tf\nprint(tf.reduce_sum(tf.constant([1, 2, 3])).numpy())\n")
    text = run_cli("check", str(script), "--quiet")
    out = " ".join(text.out.split())  # the line wraps at the console's width where the path is long
    assert text.code == 2 and "not checked: the script built no graph" in out and "no findings" not in out
    document = run_cli_cached("check", str(script), "--quiet", "--format", "json").json()
    assert document["sources"][0]["checked"].startswith("not checked") and document["sources"][0]["error"] is None
    log = json.loads(run_cli("check", str(script), "--quiet", "--format", "sarif").out)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "not checked" in invocation["toolExecutionNotifications"][0]["message"]["text"]


def test_sarif_and_json_say_a_script_could_not_run(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("import tensorflow as tf\nx = (\n")
    log = json.loads(run_cli("check", str(script), "--quiet", "--format", "sarif").out)
    run = log["runs"][0]
    assert run["results"] == [] and run["invocations"][0]["executionSuccessful"] is False
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "error" and "SyntaxError" in note["message"]["text"]
    source = run_cli("check", str(script), "--quiet", "--format", "json").json()["sources"][0]
    assert source["outcome"] == "error" and "SyntaxError" in source["error"]
    _matches_the_shipped_schema(run_cli("check", str(script), "--quiet", "--format", "json").json())


def test_what_was_checked_never_contradicts_the_findings():
    """A script that dies of what a finding reports: its findings, and "partly checked", not "no findings"."""
    document = check_json("TFI007_generator_runs_out.py").json()
    (source,) = document["sources"]
    assert source["findings"] == 2 and source["checked"].startswith("partly checked: what the script built before")
    assert "no findings" not in source["checked"]


def test_strict_and_fail_on(tmp_path):
    """--fail-on picks the severity that exits 1; --strict (or strict = true) exits 2 for a partly checked source."""
    warning_only = str(CHECKS / "TFI009_lazy_loading.py")
    assert run_cli_cached("check", warning_only, "--quiet").code == 0
    assert run_cli("check", warning_only, "--quiet", "--fail-on", "warning").code == 1
    assert run_cli("check", warning_only, "--quiet", "--fail-on", "error").code == 0
    stopped = ["check", str(CHECKS / "clean_model.py"), "--quiet", "--runs", "1", "--cwd", str(tmp_path)]
    assert run_cli(*stopped).code == 0
    strict = run_cli(*stopped, "--strict")
    assert strict.code == 2 and "partly checked: the script was stopped at run #1" in " ".join(strict.out.split())
    project = tmp_path / "project"
    project.mkdir()
    (project / "model.py").write_text((CHECKS / "clean_model.py").read_text())
    (project / "pyproject.toml").write_text("[tool.tfinspect]\nstrict = true\nfail-on = \"warning\"\n")
    assert run_cli("check", str(project / "model.py"), "--quiet", "--runs", "1").code == 2
    (project / "pyproject.toml").write_text("[tool.tfinspect]\nstrict = \"yes\"\n")
    bad = run_cli("check", str(project / "model.py"), "--quiet")
    assert bad.code == 2 and "strict is true or false" in bad.err


def test_two_dropouts_with_one_seed_draw_the_same_mask():
    """The oracle for TFI013 on a computed shape: the two dropouts' uniform draws, run by TensorFlow, are equal."""
    import numpy as np

    tf = pytest.importorskip("tensorflow").compat.v1
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(tf.float32, [None, 256])
        h1 = tf.nn.relu(tf.matmul(x, tf.ones([256, 256])))
        d1 = tf.nn.dropout(h1, rate=0.5, seed=1)
        tf.nn.dropout(tf.nn.relu(tf.matmul(d1, tf.ones([256, 256]))), rate=0.5, seed=1)
        draws = [op.outputs[0] for op in graph.get_operations() if op.type == "RandomUniform"]
        with tf.Session() as sess:
            first, second = sess.run(draws, feed_dict={x: np.ones((4, 256), dtype=np.float32)})
    assert len(draws) == 2 and (first == second).all()
