"""Scripts that raise, exit, hang or crash: exit 2, one clear message, and the partial graph."""

from __future__ import annotations

import sys

import pytest

from tests.conftest import each_run, FIXTURES, run_cli, run_cli_cached

SCRIPTS = FIXTURES / "scripts"


def graph(name: str, *extra: str):
    return run_cli_cached("graph", str(SCRIPTS / name), "--format", "json", *extra)


def op_names(data: dict) -> set[str]:
    names = {v["name"] for v in data["variables"]} | {p["name"] for p in data["placeholders"]}
    return names


def test_script_that_raises_keeps_its_partial_graph():
    result = graph("raises_after_building.py")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "error"
    assert data["outcome"]["message"].startswith("ValueError: Variable h1_weights already exists, disallowed")
    assert [v["name"] for v in data["variables"]] == ["h1_weights", "h1_biases"]
    assert [v["source"]["line"] for v in data["variables"]] == [12, 13]
    # the user's traceback, user frames only, then one summary line
    assert "raises_after_building.py\", line 17, in <module>" in result.err
    assert "tfinspect/run" not in result.err and "runpy" not in result.err
    assert "tfinspect: " in result.err and "showing the partial graph it built" in result.err
    assert "Traceback (most recent call last)" in result.err


def test_sys_exit_nonzero():
    result = graph("sys_exit.py")
    assert result.code == 2
    data = result.json()
    assert data["outcome"] == {"status": "exit", "ok": False, "message": "the script called sys.exit(3)",
                               "exit_code": 3, "traceback": ""}
    assert data["ops"] == 3 and [r["source"]["line"] for r in each_run(data)] == [11]
    assert "2.0" not in result.out  # the script's print goes to stderr, never into the JSON
    assert "5.0" in result.err


def test_syntax_error():
    result = graph("syntax_error.py")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "error" and data["outcome"]["message"].startswith("SyntaxError")
    assert data["ops"] == 0
    assert 'syntax_error.py", line 5' in result.err
    assert "no graph was built" in result.err


def test_import_error():
    result = graph("import_error.py")
    assert result.code == 2
    assert "ModuleNotFoundError: No module named 'no_such_module_for_tfinspect'" in result.err
    assert result.json()["outcome"]["status"] == "error"


def test_os_exit():
    result = graph("os_exit.py")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "exit" and data["outcome"]["exit_code"] == 4
    assert data["ops"] == 2 and len(each_run(data)) == 1


def test_hang_in_python_times_out_with_partial_graph():
    result = graph("hangs_in_python.py", "--timeout", "3")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "timeout"
    assert "hangs_in_python.py:8" in data["outcome"]["message"]  # where it was when stopped
    assert op_names(data) == {"x", "b"}
    assert "timed out" in result.err


def test_hang_in_a_kernel_times_out_with_the_run():
    result = graph("hangs_in_kernel.py", "--timeout", "3")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "timeout"
    assert [(r["source"]["line"], r["fetches"], r["status"]) for r in each_run(data)] == [(10, ["doubled:0"], "running")]


@pytest.mark.skipif(sys.platform != "linux", reason="segfault handling is tested on Linux")
def test_segfault_keeps_the_graph():
    result = graph("segfault.py")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "crashed" and "SIGSEGV" in data["outcome"]["message"]
    assert data["ops"] == 2 and len(each_run(data)) == 1


def test_runaway_memory_is_killed(tmp_path):
    from tfinspect.record.model import OutcomeStatus
    from tfinspect.record.options import CaptureOptions
    from tfinspect.run.runner import run_script

    script = tmp_path / "hog.py"
    script.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32)\nimport numpy as np\n"
                      "blocks = []\nwhile True:\n    blocks.append(np.ones(50_000_000))\n")
    capture = run_script(str(script), CaptureOptions(memory_limit=2 << 30, quiet=True, timeout=60))
    assert capture.outcome.status is OutcomeStatus.MEMORY
    assert [n.name for n in capture.graphs[0].graph_def.node] == ["Placeholder"]


def test_the_memory_of_the_scripts_own_children_counts(tmp_path):
    """A child process the script starts (a data loader) is part of what the memory limit bounds."""
    from tfinspect.record.model import OutcomeStatus
    from tfinspect.record.options import CaptureOptions
    from tfinspect.run.runner import run_script

    script = tmp_path / "forking_hog.py"
    script.write_text("import subprocess, sys, time\nimport tensorflow as tf\nx = tf.placeholder(tf.float32)\n"
                      "subprocess.Popen([sys.executable, '-c', 'import numpy as np, time\\nblocks = []\\n"
                      "while True:\\n    blocks.append(np.ones(50_000_000))\\n    time.sleep(0.05)'])\n"
                      "time.sleep(120)\n")
    capture = run_script(str(script), CaptureOptions(memory_limit=1 << 30, quiet=True, timeout=90))
    assert capture.outcome.status is OutcomeStatus.MEMORY, capture.outcome


def test_long_training_loop_is_stopped_before_the_fourth_step(tmp_path):
    log = tmp_path / "steps.log"
    result = run_cli("graph", str(SCRIPTS / "long_training.py"), "--format", "json", "--", str(log))
    assert result.code == 0, result.err
    data = result.json()
    assert [r["status"] for r in each_run(data)] == ["ok", "ok", "ok", "ok", "stopped"]
    # TensorFlow itself wrote one line per executed step: the stopped run never ran
    assert log.read_text().splitlines() == ["step 1", "step 2", "step 3"]
    assert data["outcome"]["status"] == "stopped"


def test_text_view_of_a_stopped_script_says_what_happened(tmp_path):
    result = run_cli("graph", str(SCRIPTS / "long_training.py"), "--", str(tmp_path / "log"))
    assert result.code == 0
    assert "stopped: run #4 at" in result.out and "did not execute" in result.out
    assert "--runs all" in result.out


def test_two_graphs_of_compat_v1_code():
    result = graph("compat_v1_graph.py")
    assert result.code == 0, result.err
    data = result.json()
    assert data["tf1_mode"] is False
    assert [g["ops"] for g in data["graphs"]] == [2, 3]
    assert data["placeholders"][0]["shape"] == [None, 4]
    assert [r["graph"] for r in each_run(data)] == [g["id"] for g in data["graphs"]]
    assert each_run(data)[1]["feed_details"] == [{"name": "p:0", "dtype": "float32", "shape": [2, 4]}]


def test_keras_3_layers_get_a_hint(tmp_path):
    script = tmp_path / "layers.py"
    script.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 4])\n"
                      "h = tf.layers.dense(x, 8)\n")
    result = run_cli("graph", str(script), "--quiet")
    import importlib.util

    if importlib.util.find_spec("tf_keras") is not None:  # the legacy Keras is there: tfinspect selects it
        assert result.code == 0, result.err
        return
    assert result.code == 2
    if "is not available with Keras 3" in result.err:  # TensorFlow 2.16+ without tf_keras
        assert "hint: TensorFlow 2.16 and later ship Keras 3" in result.err and "TF_USE_LEGACY_KERAS=1" in result.err


def test_queue_runner_threads_are_not_stopped():
    data = graph("queue_runners.py").json()
    assert data["outcome"]["status"] == "completed"
    mine = [r["status"] for r in each_run(data) if r["source"] and r["source"]["line"] == 15]
    assert mine == ["ok"] * 3 + ["skimmed"] * 7  # skimmed runs still dequeue
    # the queue runner's own runs (recorded when its thread got there before the end) are never stopped
    assert all(r["status"] != "stopped" for r in each_run(data) if r["source"] is None)


@pytest.mark.parametrize("source, expected", [
    ("from tensorflow.contrib import layers\n",
     ["No module named 'tensorflow.contrib'; no graph was built", "hint: tf.contrib was removed in TensorFlow 2"]),
    ("from tensorflow.examples.tutorials.mnist import input_data\n",
     ["hint: tensorflow.examples (the MNIST input_data tutorials) was removed", "tf.keras.datasets.mnist.load_data()"]),
])
def test_imports_that_tensorflow_2_removed_get_a_hint(tmp_path, source, expected):
    script = tmp_path / "old_model.py"
    script.write_text("import tensorflow as tf\n" + source)
    result = run_cli("graph", str(script), "--quiet")
    assert result.code == 2
    for text in expected:
        assert text in result.err


def test_a_flag_that_absl_already_defines_gets_a_hint(tmp_path):
    """TF1's tf.app.flags.DEFINE_string("log_dir") clashes with absl's own flag in TensorFlow 2."""
    script = tmp_path / "flags_model.py"
    script.write_text('import tensorflow as tf\nflags = tf.app.flags\nflags.DEFINE_string("log_dir", "/tmp/x", "where")\n'
                      'x = tf.placeholder(tf.float32)\n')
    result = run_cli("graph", str(script), "--quiet")
    assert result.code == 2 and "DuplicateFlagError" in result.err
    assert "hint: tf.app.flags is absl's flags in TensorFlow 2" in result.err and "rename the script's flag" in result.err


def test_the_child_selects_an_installed_legacy_keras(tmp_path, monkeypatch):
    """With tf_keras importable, a script using tf.layers runs with TF_USE_LEGACY_KERAS=1, and is told so."""
    fake = tmp_path / "site" / "tf_keras"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")  # found by find_spec; never imported by this script
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "site"))
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    script = tmp_path / "model.py"
    script.write_text("import os\nimport tensorflow as tf\n\n\ndef build(x):\n    return tf.layers.dense(x, 3)\n\n\n"
                      "open('legacy.txt', 'w').write(str(os.environ.get('TF_USE_LEGACY_KERAS')))\n")
    result = run_cli("graph", str(script))
    assert result.code == 0, result.err
    assert (tmp_path / "legacy.txt").read_text() == "1"
    assert "using the legacy Keras (tf_keras) for tf.layers.dense (model.py:6)" in result.err
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "0")  # the user's own choice wins
    assert run_cli("graph", str(script)).code == 0
    assert (tmp_path / "legacy.txt").read_text() == "0"


def test_a_syntax_error_is_reported_before_tensorflow_starts(tmp_path, monkeypatch):
    """Python compiles the script in tfinspect's own process first: a SyntaxError is one line at once, as the
    child would have said after TensorFlow's start-up, and no child process is started."""
    import tfinspect.run.runner as runner

    script = tmp_path / "broken.py"
    script.write_text("import tensorflow as tf\nx = tf.constant(1\n")

    def no_child(*args, **kwargs):
        raise AssertionError("a child process was started for a script that does not compile")

    monkeypatch.setattr(runner.subprocess, "Popen", no_child)
    result = run_cli("graph", str(script))
    assert result.code == 2
    assert "broken.py raised an error: SyntaxError: '(' was never closed (broken.py, line 2)" in result.err
    assert 'File "' in result.err and "x = tf.constant(1" in result.err  # the line, as Python shows it


def test_subgraph_of_a_script_that_failed_before_any_run_says_why(tmp_path):
    script = tmp_path / "early.py"
    script.write_text('import tensorflow as tf\nx = tf.placeholder(tf.float32, [None, 3])\nraise ValueError("bad config")\n')
    result = run_cli("subgraph", str(script), "--quiet")
    assert result.code == 2
    assert "early.py raised an error: ValueError: bad config; no Session.run in the graph it built" in result.err
    assert "--fetch" not in result.err
