"""Outputs: refused before any work when they exist (without --force), written atomically under unique
temporary names, never silently replacing another run's file, nothing written unasked."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, run_cli
from tfinspect.core.fileio import write_atomic

MARKER_SCRIPT = "open({marker!r}, 'w').write('ran')\nimport tensorflow as tf\nx = tf.placeholder(tf.float32)\n"


def _script(tmp_path):
    marker = tmp_path / "ran"
    script = tmp_path / "model.py"
    script.write_text(MARKER_SCRIPT.format(marker=str(marker)))
    return script, marker


@pytest.mark.fast
@pytest.mark.parametrize("argv", [["dump", "{script}", "-o", "{existing}"],
                                  ["graph", "{script}", "--save", "{existing}"],
                                  ["check", "{script}", "--save", "{existing}"],
                                  ["subgraph", "{script}", "--format", "dot", "-o", "{existing}"],
                                  ["dump", "{script}", "--tensorboard", "{existing}"]])
def test_an_existing_output_is_refused_before_the_script_runs(tmp_path, argv):
    script, marker = _script(tmp_path)
    existing = tmp_path / "mine.out"
    existing.write_text("the user's own file")
    result = run_cli(*[a.format(script=script, existing=existing) for a in argv])
    assert result.code == 2 and str(existing) in result.err and "Traceback" not in result.err
    assert not marker.exists(), "the script ran before the output was refused"
    assert existing.read_text() == "the user's own file"


@pytest.mark.fast
def test_svg_without_graphviz_is_refused_and_writes_nothing(tmp_path, monkeypatch):
    from tfinspect.render import dot

    monkeypatch.setattr(dot, "dot_available", lambda: False)
    monkeypatch.chdir(tmp_path)
    script, marker = _script(tmp_path)
    for argv in (["subgraph", str(script), "--format", "svg", "-o", "x.svg"], ["dump", str(script), "--format", "svg"]):
        result = run_cli(*argv)
        assert result.code == 2 and "needs graphviz's 'dot' program" in result.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


@pytest.mark.fast
def test_two_writers_never_silently_replace_each_other(tmp_path):
    path = tmp_path / "g.pbtxt"
    write_atomic(str(path), b"first", replace=False)
    with pytest.raises(FileExistsError):
        write_atomic(str(path), b"second", replace=False)
    assert path.read_bytes() == b"first"
    assert [p.name for p in tmp_path.iterdir()] == ["g.pbtxt"]  # no temporary file left behind


def test_save_uses_a_unique_temporary_name(tmp_path):
    target = tmp_path / "model.tfinspect"
    users_tmp = tmp_path / "model.tfinspect.tmp"
    users_tmp.write_text("not tfinspect's")
    result = run_cli("graph", str(FIXTURES / "lectures" / "add_pow.py"), "--quiet", "--save", str(target))
    assert result.code == 0, result.err
    assert users_tmp.read_text() == "not tfinspect's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tfinspect", "model.tfinspect.tmp"]
    assert run_cli("summary", str(target)).code == 0
