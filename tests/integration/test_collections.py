"""`tfinspect collections`: members, counts, and tf.get_collection's own scope filter."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import COMPAT_IMPORT, FIXTURES, TF1_IMPORT, run_cli, run_cli_cached

RESOURCE = str(FIXTURES / "scopes" / "resource_variables.py")


def test_every_key_with_members():
    result = run_cli_cached("collections", RESOURCE, "--format", "json", "--quiet")
    assert result.code == 0
    views = {v["key"]: v for v in result.json()["collections"]}
    assert set(views) == {"variables", "trainable_variables", "outputs", "my_inits"}
    assert [(m["kind"], m["name"], m["dtype"], m["shape"], m["scope"]) for m in views["outputs"]["members"]] == [
        ("tensor", "add:0", "float32", [None, 4], ""), ("tensor", "model_1/dense/add:0", "float32", [None, 4],
                                                        "model_1/dense")]
    assert views["my_inits"]["members"] == [{"kind": "operation", "name": "init", "type": None, "dtype": None,
                                             "shape": None, "scope": ""}]
    assert views["variables"]["count"] == 2


def test_key_and_scope():
    result = run_cli("collections", RESOURCE, "trainable_variables", "--scope", "model/dense/b", "--format", "json",
                     "--quiet")
    assert [m["name"] for v in result.json()["collections"] for m in v["members"]] == ["model/dense/bias:0"]


def test_unknown_key_and_bad_regex():
    result = run_cli("collections", RESOURCE, "nope", "--quiet")
    assert result.code == 2 and "no collection 'nope'" in result.err and "my_inits" in result.err
    result = run_cli("collections", RESOURCE, "--scope", "model/(", "--quiet")
    assert result.code == 2 and "is not a regular expression" in result.err


def test_text_view():
    result = run_cli("collections", RESOURCE, "--quiet")
    assert "4 collections, 7 members" in result.out and "model_1/dense/add:0" in result.out


SCOPES = [None, "", "model", "model/dense/k", "two_layers/h1", "two_layers/h[12]/w", ".*bias", "h", "^two",
          "loss", "embed", "summaries", "x"]


@pytest.mark.parametrize("fixture", ["scopes/resource_variables.py", "lectures/two_layers_shared.py",
                                     "lectures/word2vec.py", "lectures/two_layers_broken.py"])
def test_scope_filter_equals_tensorflows_get_collection(fixture, tmp_path, monkeypatch):
    tf = pytest.importorskip("tensorflow").compat.v1
    import tfinspect
    from tfinspect.analyses.collections import collections

    source = Path(FIXTURES / fixture).read_text().replace(TF1_IMPORT, COMPAT_IMPORT, 1)
    source = source.split("\nwith tf.Session() as sess:")[0]  # build the graph only
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [fixture])  # the fixture's own defaults, not pytest's arguments
    graph = tf.Graph()
    with graph.as_default():
        exec(compile(source, str(FIXTURES / fixture), "exec"), {"__name__": "fixture"})
    capture = tfinspect.capture_graph(graph)
    keys = graph.get_all_collection_keys()
    assert keys
    for key in keys:
        if not isinstance(key, str):
            continue
        for scope in SCOPES:
            expected = [item.name for item in graph.get_collection(key, scope)]
            (view,) = collections(capture, key, scope)
            assert [m.name for m in view.members] == expected, (key, scope)
