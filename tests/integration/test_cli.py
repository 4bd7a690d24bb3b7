"""Command-line behaviour: exit codes, messages without tracebacks, help, pipes."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import FIXTURES, REPO, run_cli, run_cli_cached


def test_missing_script_is_one_clear_message():
    result = run_cli("graph", "no/such/model.py")
    assert result.code == 2
    assert result.err == "tfinspect: no/such/model.py: no such file\n"
    assert result.out == ""


def test_a_directory_is_not_a_script(tmp_path):
    result = run_cli("graph", str(tmp_path / "x.py"))
    assert result.code == 2 and "no such file" in result.err
    (tmp_path / "d.py").mkdir()
    result = run_cli("graph", str(tmp_path / "d.py"))
    assert result.code == 2 and "is a directory" in result.err


def test_unreadable_kind_of_source(tmp_path):
    path = tmp_path / "model.pb"
    path.write_bytes(b"\x00\x01")
    result = run_cli("graph", str(path))
    assert result.code == 2 and "not a binary GraphDef" in result.err


def test_bad_runs_value_names_it():
    result = run_cli("graph", str(FIXTURES / "lectures" / "add_pow.py"), "--runs", "some")
    assert result.code == 2
    assert "--runs takes 'auto', 'stop', 'all' or a whole number, not 'some'" in result.err


def test_no_command_prints_help():
    result = run_cli()
    assert result.code == 2 and "graph" in result.out and "lecture" in result.out


def test_help_documents_the_default_run_rule():
    completed = subprocess.run([sys.executable, "-m", "tfinspect", "graph", "--help"], capture_output=True,
                               text=True, cwd=REPO)
    assert completed.returncode == 0
    text = " ".join(completed.stdout.split())
    assert "the first 3 runs of each line execute" in text and "skimmed" in text and "'stop'" in text
    assert "'all'" in text
    assert "--timeout SECONDS" in text and "--tf1" in text


def test_console_script_runs_as_a_process_in_a_pipe():
    """The real entry point, with output to a pipe: no colour codes, the user's print on stderr."""
    completed = subprocess.run(
        [sys.executable, "-m", "tfinspect", "graph", str(FIXTURES / "lectures" / "add_pow.py")],
        capture_output=True, text=True, cwd=REPO,
    )
    assert completed.returncode == 0, completed.stderr
    assert "\x1b[" not in completed.stdout
    assert "1 graph · 6 ops · 0 variables · 0 placeholders · 2 Session.run calls" in completed.stdout
    assert "pow_op = 15625" in completed.stderr and "pow_op = 15625" not in completed.stdout
    assert "oneDNN" not in completed.stderr  # TensorFlow's start-up noise is filtered


def test_script_arguments_after_double_dash(tmp_path):
    script = tmp_path / "args.py"
    script.write_text("import sys\nimport tensorflow as tf\nx = tf.placeholder(tf.float32, name=sys.argv[1])\n"
                      "print('argv', sys.argv[1:])\n")
    result = run_cli("graph", str(script), "--format", "json", "--", "given_name", "--flag")
    assert result.code == 0, result.err
    assert result.json()["placeholders"][0]["name"] == "given_name"
    assert "argv ['given_name', '--flag']" in result.err


def test_script_runs_in_its_own_directory_with_its_modules_importable(tmp_path):
    (tmp_path / "helpers.py").write_text("import tensorflow as tf\ndef make():\n"
                                         "    return tf.placeholder(tf.int32, [None], name=open('name.txt').read())\n")
    (tmp_path / "name.txt").write_text("ids")
    (tmp_path / "main.py").write_text("import helpers\nids = helpers.make()\n")
    result = run_cli("graph", str(tmp_path / "main.py"), "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert data["tf1_mode"] is True  # detected through the local module it imports
    assert data["placeholders"][0]["name"] == "ids"
    assert data["placeholders"][0]["source"]["line"] == 3
    assert data["placeholders"][0]["source"]["file"].endswith("helpers.py")


def test_quiet_hides_the_script_output():
    result = run_cli("graph", str(FIXTURES / "lectures" / "add_pow.py"), "--quiet")
    assert result.code == 0 and "pow_op = " not in result.err


def test_tf1_off_runs_eagerly_and_builds_no_graph():
    result = run_cli_cached("graph", str(FIXTURES / "lectures" / "add_pow.py"), "--tf1", "off", "--format", "json")
    assert result.code == 2  # tf.Session does not exist in TF2
    data = result.json()
    assert "AttributeError" in data["outcome"]["message"] and "Session" in data["outcome"]["message"]


def test_missing_working_directory():
    result = run_cli("graph", str(FIXTURES / "lectures" / "add_pow.py"), "--cwd", "/no/such/dir")
    assert result.code == 2 and result.err == "tfinspect: error: --cwd /no/such/dir: no such directory\n"


def test_arguments_are_checked_before_the_script_runs(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "m.py"
    script.write_text(f"open({str(marker)!r}, 'w')\nimport tensorflow as tf\n")
    bad_regex = run_cli("collections", str(script), "--scope", "(")
    assert bad_regex.code == 2 and "not a regular expression" in bad_regex.err
    negative = run_cli("graph", str(script), "--depth", "-1")
    assert negative.code == 2 and "must be 0 (no limit) or more" in negative.err
    assert not marker.exists()


def test_a_bare_tf1_flag_means_on():
    result = run_cli("graph", "--tf1", str(FIXTURES / "lectures" / "add_pow.py"), "--quiet", "--format", "json")
    assert result.code == 0, result.err
    assert result.json()["tf1_mode"] is True
