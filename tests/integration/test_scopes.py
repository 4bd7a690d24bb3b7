"""`tfinspect scopes` on the lecture fixtures: exact names, scopes, reuse flags, notes and lines."""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES, fixture_path, run_cli, run_cli_cached


def scopes(relative: str, flavour: str = "tf1", tmp_path_factory=None) -> dict:
    workdir = tmp_path_factory.getbasetemp() if tmp_path_factory else None
    script = fixture_path(relative, flavour, workdir / "compat-scopes" if workdir else None)
    args = ["scopes", script, "--format", "json", "--quiet"] + (["--cwd", str(workdir)] if workdir else [])
    result = run_cli_cached(*args)
    assert result.code in (0, 2), result.err
    return result.json()


def by_name(data: dict) -> dict[str, dict]:
    return {v["name"]: v for v in data["variables"]}


def notes(data: dict, kind: str) -> list[dict]:
    """Notes (likely mistakes) and explanations (correct code's surprising names) of one kind."""
    return [n for n in data["notes"] + data["explanations"] if n["kind"] == kind]


@pytest.mark.parametrize("flavour", ["tf1", "compat"])
def test_two_layers_broken_two_sets_of_variables(flavour, tmp_path_factory):
    data = scopes("lectures/two_layers_broken.py", flavour, tmp_path_factory)
    variables = by_name(data)
    assert len(variables) == 8
    assert variables["h1_weights_1"]["created_by"] == "tf.Variable" and variables["h1_weights_1"]["reused"] is False
    assert variables["h1_weights"]["name_scope"] == "" and variables["h1_weights"]["variable_scope"] == ""
    (note,) = notes(data, "duplicate_variables")
    assert "two_hidden_layers() ran 2 times" in note["message"] and "tf.get_variable" in note["message"]
    assert set(note["names"]) == set(variables)
    assert [line["line"] for line in note["lines"]] == [11, 12, 14, 15]
    assert len(data["notes"]) == 1 and data["explanations"] == []


@pytest.mark.parametrize("flavour", ["tf1", "compat"])
def test_two_layers_shared_one_set_reused(flavour, tmp_path_factory):
    data = scopes("lectures/two_layers_shared.py", flavour, tmp_path_factory)
    variables = by_name(data)
    assert list(variables) == ["two_layers/h1/weights", "two_layers/h1/biases", "two_layers/h2/weights",
                               "two_layers/h2/biases"]
    weights = variables["two_layers/h1/weights"]
    assert (weights["name_scope"], weights["variable_scope"], weights["created_by"], weights["reused"]) == (
        "two_layers/h1", "two_layers/h1", "get_variable", True)
    assert weights["source"]["line"] == 12 and [s["line"] for s in weights["reuse_sites"]] == [12]
    reuse = notes(data, "reuse_in_new_name_scope")
    assert [n["names"] for n in reuse] == [
        ["two_layers/h1/weights", "two_layers/h1/biases", "two_layers/h1_1/MatMul"],
        ["two_layers/h2/weights", "two_layers/h2/biases", "two_layers/h2_1/MatMul"]]
    assert "'two_layers_1" not in reuse[0]["message"] and "two_layers/h1_1/" in reuse[0]["message"]
    ops = {o["name"]: o for o in data["ops"]}
    assert ops["two_layers/h1_1/MatMul"]["name_scope"] == "two_layers/h1_1"
    assert ops["two_layers/h1_1/MatMul"]["source"]["line"] == 14


def test_two_layers_auto_reuse(tmp_path_factory):
    data = scopes("lectures/two_layers_auto_reuse.py", "tf1", tmp_path_factory)
    assert all(v["reused"] for v in data["variables"])
    assert [n["names"][-1] for n in notes(data, "reuse_in_new_name_scope")] == ["two_layers_1/h1/MatMul",
                                                                              "two_layers_1/h2/MatMul"]


def test_word2vec_get_variable_ignores_name_scope(tmp_path_factory):
    data = scopes("lectures/word2vec.py", "tf1", tmp_path_factory)
    variables = by_name(data)
    assert variables["embed_matrix"]["name_scope"] == "embed" and variables["embed_matrix"]["variable_scope"] == ""
    assert variables["nce_weight"]["name_scope"] == "loss"
    assert variables["global_step"]["name_scope"] == "" and variables["global_step"]["created_by"] == "tf.Variable"
    ignored = notes(data, "get_variable_ignores_name_scope")
    assert [n["names"] for n in ignored] == [["embed_matrix", "embed/embedding"],
                                            ["nce_weight", "loss/nce_loss/embedding_lookup"],
                                            ["nce_bias", "loss/nce_loss/embedding_lookup_1"]]
    assert [[line["line"] for line in n["lines"]] for n in ignored] == [[66, 68], [71, 74], [73, 74]]
    assert "the variable is 'embed_matrix', not 'embed/embed_matrix'" in ignored[0]["message"]


def test_already_exists_names_both_sites():
    result = run_cli_cached("scopes", str(FIXTURES / "scripts" / "raises_after_building.py"), "--format", "json",
                            "--quiet")
    assert result.code == 2  # the script failed; its partial graph is still explained
    (note,) = result.json()["notes"]
    assert note["kind"] == "variable_already_exists" and note["names"] == ["h1_weights"]
    assert [line["line"] for line in note["lines"]] == [12, 16, 17]
    assert "first created at" in note["message"] and "(called from line 16)" in note["message"]
    assert "(called from line 17)" in note["message"]


def test_resource_variables_and_case_uniquified_names():
    result = run_cli_cached("scopes", str(FIXTURES / "scopes" / "resource_variables.py"), "--format", "json",
                            "--quiet")
    data = result.json()
    assert [(v["name"], v["reused"]) for v in data["variables"]] == [("model/dense/kernel", True),
                                                                   ("model/dense/bias", True)]
    (case,) = notes(data, "uniquified_name_case")
    assert case["names"] == ["Add_1", "add"] and [line["line"] for line in case["lines"]] == [21, 20]
    assert "ignores case" in case["message"]
    (reuse,) = notes(data, "reuse_in_new_name_scope")
    assert reuse["names"][-1] == "model_1/dense/MatMul"
    graph = run_cli_cached("graph", str(FIXTURES / "scopes" / "resource_variables.py"), "--format", "json",
                           "--quiet").json()
    assert {v["kind"] for v in graph["variables"]} == {"resource"}


def test_text_view_and_diff():
    result = run_cli("scopes", str(FIXTURES / "lectures" / "two_layers_shared.py"), "--diff", "--quiet")
    assert result.code == 0
    assert "Name scopes (ops)" in result.out and "Variable scopes (variables)" in result.out
    assert "i reuse_in_new_name_scope" in result.out and "No scope problems found." in result.out
    assert "(graph) 4 variables" in result.out


def test_clean_script_has_no_notes():
    result = run_cli("scopes", str(FIXTURES / "lectures" / "add_pow.py"), "--quiet")
    assert result.code == 0 and "No scope surprises found." in result.out
