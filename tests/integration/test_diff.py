"""`tfinspect diff`: what changed between two versions of a model, with TensorFlow as the oracle of restores."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, fixture_path, run_cli, run_cli_cached

DIFF = FIXTURES / "diff"
OLD = str(DIFF / "model_v1.py")


def diff_json(new: str, *extra: str) -> dict:
    result = run_cli_cached("diff", OLD, str(DIFF / new), "--format", "json", "--quiet", *extra)
    assert result.code in (0, 1), result.err
    document = result.json()
    _matches_the_shipped_schema(document)
    return document


def _matches_the_shipped_schema(document) -> None:
    from importlib import resources

    jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")
    schema = json.loads((resources.files("tfinspect") / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_names_tensorflow_uniquified_the_other_way_round_are_no_change():
    result = run_cli_cached("diff", OLD, str(DIFF / "reordered.py"), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    document = result.json()
    assert not any(document["changed"].values()) and document["uniquified"] >= 2 and document["restore"]["ok"]


def test_a_renamed_scope():
    document = diff_json("renamed_scope.py")
    assert [(r["old"], r["new"]) for r in document["scope_renames"]] == [("dense1", "layer1"), ("dense2", "layer2")]
    assert sorted((v["change"], v["old"], v["new"]) for v in document["variables"]) == [
        ("renamed", f"dense{k}/{v}", f"layer{k}/{v}") for k in (1, 2) for v in ("bias", "weights")]
    assert not document["restore"]["ok"] and sorted(document["restore"]["missing"]) == [
        "layer1/bias", "layer1/weights", "layer2/bias", "layer2/weights"]
    assert document["collections"] == []  # the renamed variables are the same members


def test_a_reshaped_layer():
    document = diff_json("reshaped.py")
    assert sorted((v["change"], v["new"], v["old_shape"], v["new_shape"]) for v in document["variables"]) == [
        ("reshaped", "dense1/bias", [16], [32]), ("reshaped", "dense1/weights", [8, 16], [8, 32]),
        ("reshaped", "dense2/weights", [16, 1], [32, 1])]
    assert sorted(m["variable"] for m in document["restore"]["shape_mismatches"]) == [
        "dense1/bias", "dense1/weights", "dense2/weights"]


def test_ops_added_to_the_training_step():
    document = diff_json("l2_in_train_step.py")
    (run,) = document["runs"]
    assert run["fetches"] == ["GradientDescent"] and run["new_ops"] > run["old_ops"]
    assert "L2Loss" in run["added"] and run["added_count"] >= 10
    added = {op["new"] for op in document["ops"] if op["change"] == "added"}
    assert {"L2Loss", "gradients/L2Loss_grad/mul"} <= added
    assert document["variables"] == [] and document["restore"]["ok"]


def test_a_placeholder_of_another_shape():
    document = diff_json("placeholder_shape.py")
    assert document["placeholders"] == [{"change": "changed", "where": "placeholder", "name": "x",
                                         "old": "float32 (?, 8)", "new": "float32 (4, 8)"}]
    assert document["variables"] == [] and document["changed"]["placeholders"] == 1


def test_the_text_view_and_exit_codes_for_ci():
    text = run_cli_cached("diff", OLD, str(DIFF / "renamed_scope.py"), "--quiet")
    assert text.code == 1
    lines = [" ".join(line.split()) for line in text.out.splitlines()]
    assert "29 dense1 layer1" in lines and "29 dense2 layer2" in lines
    assert any(line.startswith("a checkpoint of OLD would not restore into NEW: 4 keys") for line in lines)
    only_findings = run_cli("diff", OLD, str(DIFF / "renamed_scope.py"), "--quiet", "--fail-on", "findings")
    assert only_findings.code == 0
    wrong = run_cli("diff", OLD, str(DIFF / "renamed_scope.py"), "--fail-on", "opz")
    assert wrong.code == 2 and "--fail-on opz: not a kind of change" in wrong.err
    one = run_cli("diff", OLD)
    assert one.code == 2 and "diff takes OLD and NEW" in one.err
    saved = run_cli("diff", OLD, OLD, "--save", "x.tfinspect")
    assert saved.code == 2 and "--save saves one capture and diff makes two" in saved.err


@pytest.mark.parametrize("new, restores", [("renamed_scope.py", False), ("reshaped.py", False),
                                           ("l2_in_train_step.py", True), ("reordered.py", True)])
def test_tensorflow_restores_exactly_when_diff_says_so(new, restores, tmp_path):
    """The oracle: OLD's training saves a checkpoint, NEW's restores it, in plain TensorFlow."""
    claim = diff_json(new)["restore"]["ok"]
    old_script = fixture_path("diff/model_v1.py", "compat", tmp_path / "old")
    new_script = fixture_path(f"diff/{new}", "compat", tmp_path / "new")
    checkpoint = str(tmp_path / "ckpt" / "model")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    saved = subprocess.run([sys.executable, old_script], cwd=tmp_path, capture_output=True, text=True,
                           env=dict(env, SAVE_TO=checkpoint), timeout=300)
    assert saved.returncode == 0, saved.stderr[-2000:]
    restored = subprocess.run([sys.executable, new_script], cwd=tmp_path, capture_output=True, text=True,
                              env=dict(env, RESTORE_FROM=checkpoint), timeout=300)
    assert claim is restores
    assert (restored.returncode == 0) is restores, restored.stderr[-2000:]
    if not restores:
        assert "NotFoundError" in restored.stderr or "InvalidArgumentError" in restored.stderr


def test_the_lecture_pair_shows_exactly_the_four_extra_variables():
    """two_layers_shared (get_variable with reuse) against two_layers_broken (tf.Variable called twice)."""
    result = run_cli_cached("diff", str(FIXTURES / "lectures" / "two_layers_shared.py"),
                            str(FIXTURES / "lectures" / "two_layers_broken.py"), "--format", "json", "--quiet")
    document = result.json()
    changes = sorted((v["change"], v["new"]) for v in document["variables"])
    assert [name for kind, name in changes if kind == "added"] == ["h1_biases_1", "h1_weights_1", "h2_biases_1",
                                                                    "h2_weights_1"]
    assert [name for kind, name in changes if kind == "renamed"] == ["h1_biases", "h1_weights", "h2_biases",
                                                                      "h2_weights"]
    assert len(changes) == 8 and result.code == 1


def test_git_compares_a_script_with_itself_at_a_revision(tmp_path):
    """--git REV takes the file as it was at REV with git archive; the work tree is not touched."""
    repo = tmp_path / "repo"
    repo.mkdir()
    script = repo / "model.py"
    script.write_text((DIFF / "model_v1.py").read_text())

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                              capture_output=True, text=True)

    git("init", "-q")
    git("add", "model.py")
    git("commit", "-qm", "v1")
    script.write_text((DIFF / "reshaped.py").read_text())
    before = git("status", "--porcelain").stdout
    result = run_cli("diff", "--git", "HEAD", str(script), "--format", "json", "--quiet")
    assert result.code == 1, result.err
    document = result.json()
    assert document["old"] == f"{script}@HEAD"
    assert {v["new"] for v in document["variables"] if v["change"] == "reshaped"} == {
        "dense1/bias", "dense1/weights", "dense2/weights"}
    assert git("status", "--porcelain").stdout == before and "32" in script.read_text()
    missing = run_cli("diff", "--git", "no-such-rev", str(script))
    assert missing.code == 2 and "--git no-such-rev" in missing.err


def test_findings_a_change_introduces_as_annotations(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    paths = []
    for name, ids in (("old.pb", [1, 9]), ("new.pb", [1, 10])):
        graph = tf.Graph()
        with graph.as_default():
            table = tf.get_variable("table", [10, 2])
            tf.gather(table, tf.constant(ids), name="picked")
        path = tmp_path / name
        path.write_bytes(graph.as_graph_def().SerializeToString())
        paths.append(str(path))
    result = run_cli("diff", *paths, "--format", "github")
    assert result.code == 1
    (line,) = result.out.splitlines()
    assert line.startswith("::error ") and "TFI001" in line
    same = run_cli("diff", paths[0], paths[0], "--format", "github")
    assert same.code == 0 and same.out == ""


def test_a_signature_whose_input_changed(tmp_path):
    """Two SavedModels: the serving signature's input x went from (?, 3) float32 to (?, 4) float64."""
    tf = pytest.importorskip("tensorflow").compat.v1
    paths = []
    for name, dtype, width in (("old", tf.float32, 3), ("new", tf.float64, 4)):
        graph = tf.Graph()
        with graph.as_default(), tf.Session(graph=graph) as sess:
            x = tf.placeholder(dtype, [None, width], name="x")
            y = tf.reduce_sum(x, axis=1, name="y")
            tf.saved_model.simple_save(sess, str(tmp_path / name), inputs={"x": x}, outputs={"y": y})
        paths.append(str(tmp_path / name))
    result = run_cli("diff", *paths, "--format", "json")
    assert result.code == 1, result.err
    document = result.json()
    _matches_the_shipped_schema(document)
    changes = {(c["where"], c["name"]): (c["old"], c["new"]) for c in document["signatures"]}
    assert changes[("signature serving_default input", "x")] == ("float32 (?, 3)", "float64 (?, 4)")
    assert changes[("signature serving_default output", "y")] == ("float32 (?,)", "float64 (?,)")
    assert document["placeholders"] == [{"change": "changed", "where": "placeholder", "name": "x",
                                         "old": "float32 (?, 3)", "new": "float64 (?, 4)"}]
    only = run_cli("diff", *paths, "--fail-on", "variables")
    assert only.code == 0  # no variable changed


@pytest.mark.skipif(__import__("shutil").which("dot") is None, reason="graphviz's dot is not installed")
def test_the_picture_of_new_colours_what_changed(tmp_path):
    """svg: NEW's collapsed picture, boxes holding added ops green, changed ones orange; the caption counts what
    was removed. (Also the regression for graphviz's 'trouble in init_rank' on variables drawn in their scope.)"""
    svg = tmp_path / "changes.svg"
    result = run_cli("diff", OLD, str(DIFF / "l2_in_train_step.py"), "--quiet", "--format", "svg", "-o", str(svg))
    assert result.code == 1, result.err
    text = svg.read_text()
    assert "#d7f5d7" in text and "#ffe3c2" in text  # added and changed boxes
    assert "model_v1.py → " in text and "removed (not in this picture)" in text
    page = tmp_path / "changes.html"
    assert run_cli("diff", OLD, str(DIFF / "l2_in_train_step.py"), "--quiet", "--format", "html", "-o",
                   str(page)).code == 1
    marks = json.loads(page.read_text().split('<script id="model" type="application/json">')[1]
                       .split("</script>")[0])["marks"]
    assert "added" in marks.values() and "changed" in marks.values()
    from tests.integration.test_html_view import BROWSER, _dom

    if BROWSER is not None:  # the page draws them: a closed box with changes inside is marked, and says how many
        dom = _dom(page, "", tmp_path)
        assert re.search(r'class="box closed scope mark-inside" [^>]*data-box="gradients/\*"', dom)
        assert re.search(r"\d+ changed</text>", dom)
