"""Pipelines that call Python run that Python as often under check as in a plain run (docs/security.md).

Each script appends a line to a log file per element its pipeline's Python code handles; the plain run under
TensorFlow is the oracle for the count, and for whether the script fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import run_cli

TF1_MAP = """
import os
import tensorflow as tf

def note(x):
    with open(os.environ["PIPELINE_LOG"], "a") as f:
        f.write("%d\\n" % x)
    return x

dataset = tf.data.Dataset.range(6).map(lambda x: tf.py_func(note, [x], tf.int64))
next_id = dataset.make_one_shot_iterator().get_next()
table = tf.get_variable("table", [ROWS, 3])
rows = tf.nn.embedding_lookup(table, next_id)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    while True:
        try:
            sess.run(rows)
        except tf.errors.OutOfRangeError:
            break
"""

TF2_GENERATOR = """
import os
import numpy as np
import tensorflow as tf

def pairs():
    for i in range(8):
        with open(os.environ["PIPELINE_LOG"], "a") as f:
            f.write("%d\\n" % i)
        yield np.array([i % 5, (i + 1) % 5], np.int32), np.float32(i)

data = tf.data.Dataset.from_generator(pairs, output_signature=(tf.TensorSpec([2], tf.int32),
                                                               tf.TensorSpec([], tf.float32))).batch(2)
model = tf.keras.Sequential([tf.keras.layers.Embedding(5, 4), tf.keras.layers.GlobalAveragePooling1D(),
                             tf.keras.layers.Dense(1)])
model.compile("sgd", "mse")
model.fit(data, epochs=3, verbose=0)
"""


def _lines(log) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


def _plain(script, log) -> tuple[int, int]:
    """(exit code, log lines) of the script run by Python itself."""
    log.unlink(missing_ok=True)
    env = {**os.environ, "PIPELINE_LOG": str(log), "TF_CPP_MIN_LOG_LEVEL": "3"}
    code = subprocess.run([sys.executable, str(script)], env=env, capture_output=True).returncode
    return code, _lines(log)


def _under(log, monkeypatch, *argv) -> tuple:
    log.unlink(missing_ok=True)
    monkeypatch.setenv("PIPELINE_LOG", str(log))
    result = run_cli(*argv)
    return result, _lines(log)


def test_a_py_func_in_a_map_runs_as_often_as_in_a_plain_run(tmp_path, monkeypatch):
    script = tmp_path / "tf1_map.py"
    script.write_text("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n" +
                      TF1_MAP.replace("import tensorflow as tf\n", "").replace("ROWS", "10"))
    log = tmp_path / "calls.log"
    code, plain = _plain(script, log)
    assert code == 0 and plain == 6
    for argv in (["check", str(script), "--quiet"], ["check", str(script), "--runs", "all", "--quiet"],
                 ["graph", str(script), "--quiet"]):
        result, lines = _under(log, monkeypatch, *argv)
        assert result.code == 0, (argv, result.err)
        assert lines == plain, (argv, lines)


def test_ids_out_of_range_in_a_python_pipeline_are_found_as_the_script_reads_them(tmp_path, monkeypatch):
    """The table has 4 rows; the pipeline yields 0..5: TensorFlow fails at id 4. check reports TFI004 at the run
    that reads it, does not execute that run, and the pipeline's Python ran no more often than plainly."""
    script = tmp_path / "tf1_bad.py"
    script.write_text("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n" +
                      TF1_MAP.replace("import tensorflow as tf\n", "").replace("ROWS", "4"))
    log = tmp_path / "calls.log"
    code, plain = _plain(script, log)
    assert code != 0
    result, lines = _under(log, monkeypatch, "check", str(script), "--format", "json", "--quiet")
    assert result.code == 1, result.err
    findings = json.loads(result.out)["findings"]
    assert [f["code"] for f in findings] == ["TFI004"]
    assert "[4] = 4" in findings[0]["message"] and "as the script's runs read them" in findings[0]["message"]
    assert "run #5" in result.err or "run #5" in json.loads(result.out)["checked"]
    assert lines <= plain


def test_a_python_pipeline_the_script_never_reads_is_said_to_be_unchecked(tmp_path, monkeypatch):
    script = tmp_path / "tf1_unread.py"
    script.write_text("import tensorflow.compat.v1 as tf\ntf.disable_v2_behavior()\n" +
                      TF1_MAP.replace("import tensorflow as tf\n", "").replace("ROWS", "10")
                      .replace("    while True:", "    while False:"))
    log = tmp_path / "calls.log"
    result, lines = _under(log, monkeypatch, "check", str(script), "--format", "json", "--quiet")
    assert lines == 0
    (finding,) = json.loads(result.out)["findings"]
    assert finding["code"] == "TFI006" and "calls Python (MapDataset" in finding["message"]
    assert "no element the script's runs read could be checked" in finding["message"]


def test_a_generator_feeding_keras_fit_is_not_read_ahead(tmp_path, monkeypatch):
    pytest.importorskip("tensorflow")
    script = tmp_path / "tf2_generator.py"
    script.write_text(TF2_GENERATOR)
    log = tmp_path / "calls.log"
    code, plain = _plain(script, log)
    assert code == 0 and plain == 24  # 8 elements, 3 epochs
    for argv in (["check", str(script), "--format", "json", "--quiet"], ["graph", str(script), "--quiet"]):
        result, lines = _under(log, monkeypatch, *argv)
        assert lines == plain, (argv, lines)
    result, _ = _under(log, monkeypatch, "check", str(script), "--format", "json", "--quiet")
    (finding,) = json.loads(result.out)["findings"]
    assert finding["code"] == "TFI006" and "its pipeline calls Python (FlatMapDataset)" in finding["message"]
