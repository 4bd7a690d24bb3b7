"""`tfinspect ckpt`: a checkpoint's variables, and what saver.restore would do against a graph."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COMPAT_IMPORT, FIXTURES, TF1_IMPORT, run_cli

WORD2VEC = FIXTURES / "lectures" / "word2vec.py"


@pytest.fixture(scope="module")
def word2vec_checkpoint(tmp_path_factory):
    """The word2vec fixture's graph, initialised and saved by a default Saver."""
    tf = pytest.importorskip("tensorflow").compat.v1
    folder = tmp_path_factory.mktemp("w2v")
    source = WORD2VEC.read_text().replace(TF1_IMPORT, COMPAT_IMPORT, 1).split("\nwith tf.Session() as sess:")[0]
    graph = tf.Graph()
    with graph.as_default():
        namespace = {"__name__": "fixture"}
        import sys

        argv, sys.argv = sys.argv, [str(WORD2VEC)]
        try:
            exec(compile(source, str(WORD2VEC), "exec"), namespace)
        finally:
            sys.argv = argv
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            namespace["saver"].save(sess, str(folder / "ckpt" / "skip-gram"), global_step=0)
    return folder


def test_listing(word2vec_checkpoint):
    result = run_cli("ckpt", str(word2vec_checkpoint / "ckpt"), "--format", "json")
    assert result.code == 0, result.err
    variables = {v["name"]: v for v in result.json()["variables"]}
    assert set(variables) == {"global_step", "embed_matrix", "nce_weight", "nce_bias"}
    assert variables["embed_matrix"]["shape"] == [2000, 128] and variables["embed_matrix"]["dtype"] == "float32"
    assert variables["embed_matrix"]["bytes"] == 2000 * 128 * 4
    text = run_cli("ckpt", str(word2vec_checkpoint / "ckpt" / "skip-gram-0.index"))
    assert "4 variables" in text.out and "oneDNN" not in text.err


def test_restore_into_the_same_graph_is_clean(word2vec_checkpoint, tmp_path):
    result = run_cli("ckpt", str(word2vec_checkpoint / "ckpt"), "--against", str(WORD2VEC), "--format", "json",
                     "--quiet", "--runs", "0", "--cwd", str(tmp_path))
    assert result.code == 0, result.err
    restore = result.json()["restore"]
    assert restore["ok"] and sorted(restore["matched"]) == ["embed_matrix", "global_step", "nce_bias", "nce_weight"]


def test_renamed_variable_is_reported_as_a_rename(word2vec_checkpoint, tmp_path):
    renamed = tmp_path / "word2vec_renamed.py"
    text = WORD2VEC.read_text().replace('"embed_matrix"', '"embedding_matrix"')
    text = text.replace('    nce_weight = tf.get_variable("nce_weight"', '    nce_weight = tf.get_variable("loss/nce_weight"')
    renamed.write_text(text)
    result = run_cli("ckpt", str(word2vec_checkpoint / "ckpt"), "--against", str(renamed), "--format", "json",
                     "--quiet", "--runs", "0")
    assert result.code == 1
    restore = result.json()["restore"]
    assert sorted(restore["missing"]) == ["embedding_matrix", "loss/nce_weight"]
    assert sorted(restore["unused"]) == ["embed_matrix", "nce_weight"]
    renames = {r["variable"]: (r["key"], r["why"]) for r in restore["renames"]}
    assert renames["embedding_matrix"][0] == "embed_matrix"
    assert renames["loss/nce_weight"] == ("nce_weight", "the same variable name under another scope ((none) in the "
                                                         "checkpoint, loss in the graph)")
    text = run_cli("ckpt", str(word2vec_checkpoint / "ckpt"), "--against", str(renamed), "--quiet", "--runs", "0")
    assert "saver.restore would fail" in text.out and "probably renamed from 'embed_matrix'" in text.out


def test_shape_mismatch(word2vec_checkpoint, tmp_path):
    smaller = tmp_path / "word2vec_small.py"
    smaller.write_text(WORD2VEC.read_text().replace("VOCAB_SIZE = 2000", "VOCAB_SIZE = 1000"))
    result = run_cli("ckpt", str(word2vec_checkpoint / "ckpt"), "--against", str(smaller), "--format", "json",
                     "--quiet", "--runs", "0")
    assert result.code == 1
    mismatches = {m["name"]: (m["graph"], m["checkpoint"]) for m in result.json()["restore"]["shape_mismatches"]}
    assert mismatches["embed_matrix"] == ([1000, 128], [2000, 128])


def test_not_a_checkpoint(tmp_path):
    result = run_cli("ckpt", str(tmp_path / "nothing"))
    assert result.code == 2 and "no checkpoint here" in result.err
    (tmp_path / "bad.index").write_bytes(b"garbage")
    result = run_cli("ckpt", str(tmp_path / "bad"))
    assert result.code == 2 and "not a readable checkpoint" in result.err and "Traceback" not in result.err
