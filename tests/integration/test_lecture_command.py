"""`tfinspect lecture`: list, build, train."""

from __future__ import annotations

from tests.conftest import run_cli, shared_data


def test_list_names_every_lecture():
    result = run_cli("lecture", "list")
    assert result.code == 0
    for name in ("add_pow", "linreg", "linreg_data", "two_layers_broken", "two_layers_shared",
                 "two_layers_auto_reuse", "word2vec"):
        assert name in result.out


def test_unknown_lecture():
    result = run_cli("lecture", "nope")
    assert result.code == 2
    assert "no lecture named 'nope'" in result.err and "word2vec" in result.err


def test_two_layers_broken_shows_eight_variables():
    result = run_cli("lecture", "two_layers_broken", "--format", "json")
    assert result.code == 0, result.err
    data = result.json()
    assert len(data["variables"]) == 8
    assert data["variables"][0]["source"]["file"].endswith("tfinspect/lectures/two_layers.py")
    assert "variables=8" in result.err


def test_linreg_trains_with_a_progress_bar_to_the_lecture_result():
    path = shared_data("birth_life_2010.txt")
    result = run_cli("lecture", "linreg", "--train", "--data", str(path), "--quiet")
    assert result.code == 0, result.err
    assert "X" in result.out and "weights" in result.out
    assert "19002 Session.run calls" in result.out  # init, 100 epochs x 190 samples, final fetch


def test_word2vec_shows_its_scopes():
    result = run_cli("lecture", "word2vec", "--depth", "1")
    assert result.code == 0, result.err
    for scope in ("data/", "embed/", "loss/", "optimizer/", "summaries/"):
        assert scope in result.out
    assert "nce_weight" in result.out and "global_step" in result.out


def test_lecture_data_file_missing(tmp_path):
    result = run_cli("lecture", "linreg", "--data", str(tmp_path / "missing.txt"), "--format", "json")
    assert result.code == 2
    assert "missing.txt: cannot read" in result.err


def test_bad_lecture_data_is_one_clear_line_before_anything_runs(tmp_path):
    """A missing data file, or a corpus too small for word2vec's sampler, is said about the file: no traceback
    from the child, no TensorFlow error (\"Sampler's range is too small\") after seconds."""
    missing = run_cli("lecture", "linreg", "--data", str(tmp_path / "missing.txt"))
    assert missing.code == 2 and missing.err.strip().endswith("cannot read (No such file or directory)")
    assert "Traceback" not in missing.err and missing.err.count("\n") == 1
    words = tmp_path / "words.txt"
    words.write_text(" ".join(["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota"] * 20))
    tiny = run_cli("lecture", "word2vec", "--train", "--data", str(words))
    assert tiny.code == 2 and "only 9 distinct words" in tiny.err and "Traceback" not in tiny.err
