"""Files are data: never executed, never a traceback, never the findings exit code."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tfinspect.render.formatting import printable

SUFFIXES = [".pb", ".pbtxt", ".meta", ".tfinspect", "events.out.tfevents.1.host", ""]


def _evil(tmp_path, name: str):
    marker = tmp_path / "executed"
    path = tmp_path / (name if not name.startswith(".") else "evil" + name)
    if name == "":
        path = tmp_path / "model"
    path.write_text(f"#!/usr/bin/env python\nopen({str(marker)!r}, 'w').write('ran')\n")
    return path, marker


@pytest.mark.fast
@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("command", ["summary", "graph", "check"])
def test_a_shebang_does_not_make_data_a_script(tmp_path, suffix, command):
    path, marker = _evil(tmp_path, suffix)
    result = run_cli(command, str(path), "--quiet")
    assert not marker.exists(), "a data file was executed"
    assert result.code == 2, (result.code, result.err)
    assert str(path) in result.err and "Traceback" not in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.fast
def test_ckpt_against_a_data_file_does_not_run_it(tmp_path):
    path, marker = _evil(tmp_path, ".meta")
    result = run_cli("ckpt", str(tmp_path), "--against", str(path))
    assert not marker.exists() and result.code == 2 and "Traceback" not in result.err


def test_script_flag_runs_a_script_without_py_name(tmp_path):
    script = tmp_path / "train"
    script.write_text("import tensorflow as tf\nx = tf.placeholder(tf.float32, [None], name='x')\n")
    result = run_cli("graph", str(script), "--script", "--format", "json", "--quiet")
    assert result.code == 0, result.err
    assert [p["name"] for p in result.json()["placeholders"]] == ["x"]


@pytest.mark.fast
def test_an_internal_error_is_exit_3_with_one_line(monkeypatch, tmp_path):
    from tfinspect.commands import summary

    def broken(args):
        raise KeyError("boom")

    monkeypatch.setattr(summary, "run", broken)
    result = run_cli("summary", str(tmp_path / "x.pb"))
    assert result.code == 3
    assert result.err.startswith("tfinspect: internal error: KeyError") and "Traceback" not in result.err
    monkeypatch.setenv("TFINSPECT_DEBUG", "1")
    assert "Traceback" in run_cli("summary", str(tmp_path / "x.pb")).err


@pytest.mark.parametrize("payload", [b"\x0a\x05\x0a\x03\xff\xfe\xfd", b"\x0a" * 3000, b"\xff" * 4096,
                                     b"node {" * 1200])
@pytest.mark.fast
def test_damaged_graph_files_are_one_line_and_exit_2(tmp_path, payload):
    for suffix in (".pb", ".pbtxt", ".meta"):
        path = tmp_path / f"bad{suffix}"
        path.write_bytes(payload)
        for command in ("summary", "graph", "check", "dump"):
            argv = [command, str(path)] + (["--format", "json"] if command == "dump" else [])
            result = run_cli(*argv)
            assert result.code == 2, (command, suffix, result.code, result.err)
            assert "Traceback" not in result.err and str(path) in result.err


@pytest.mark.fast
def test_names_are_shown_escaped():
    assert printable("a\x1b[31mb\n::error::x") == "a\\x1b[31mb\\n::error::x"
    assert printable("two_layers/h1_1/MatMul") == "two_layers/h1_1/MatMul"
