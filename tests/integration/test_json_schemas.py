"""Every command's --format json output, on real captures, is valid against the JSON Schema the package ships
(objects are closed: an undocumented field fails), and each finding's evidence holds only documented fields."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from tests.conftest import FIXTURES, run_cli, run_cli_cached

jsonschema = pytest.importorskip("jsonschema", reason="the test extra installs jsonschema")

LECTURES = FIXTURES / "lectures"
CHECKS = FIXTURES / "checks"


def _validator(command: str):
    text = (resources.files("tfinspect") / "schemas" / f"{command}.schema.json").read_text(encoding="utf-8")
    schema = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _valid(command: str, result) -> dict:
    assert result.code in (0, 1, 2) and result.out, result.err  # 2: the script failed, its partial graph shown
    document = json.loads(result.out)
    errors = sorted(_validator(command).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    return document


# The same argument lists as other test modules use, so that their captures are shared (run_cli_cached).
@pytest.mark.parametrize("argv", [
    ("graph", str(FIXTURES / "subgraph" / "assign_never_runs.py"), "--unused", "--format", "json", "--quiet"),
    ("graph", str(FIXTURES / "scripts" / "raises_after_building.py"), "--format", "json"),
], ids=["unused", "raises"])
def test_graph(argv):
    document = _valid("graph", run_cli_cached(*argv))
    assert document["command"] == "graph" and document["schema_version"] == 2


def test_graph_of_a_graph_file(tmp_path):
    out = tmp_path / "g.pb"
    assert run_cli("dump", str(LECTURES / "add_pow.py"), "--format", "pb", "-o", str(out), "--quiet").code == 0
    document = _valid("graph", run_cli("graph", str(out), "--format", "json"))
    assert document["origin"] == "graphdef" and document["variables"] == []


def test_graph_of_a_saved_model(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    with tf.Graph().as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        y = tf.matmul(x, tf.get_variable("w", [3, 2]), name="y")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            builder = tf.saved_model.Builder(str(tmp_path / "model"))
            builder.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={"serving_default": tf.saved_model.predict_signature_def(
                    {"x": x}, {"y": y})})
            builder.save()
    document = _valid("graph", run_cli("graph", str(tmp_path / "model"), "--format", "json"))
    assert [s["name"] for s in document["signatures"]] == ["serving_default"]
    plans = _valid("subgraph", run_cli("subgraph", str(tmp_path / "model"), "--format", "json"))["plans"]
    assert plans[0]["signature"] == "serving_default" and plans[0]["run"] is None


def test_lecture():
    document = _valid("lecture", run_cli_cached("lecture", "two_layers_shared", "--format", "json", "--quiet"))
    assert document["source"] == "lecture two_layers_shared"


@pytest.mark.parametrize("argv", [
    ("scopes", str(LECTURES / "two_layers_broken.py")),
    ("collections", str(FIXTURES / "scopes" / "resource_variables.py"), "trainable_variables", "--scope", "model/"),
    ("summary", str(LECTURES / "add_pow.py")),
    ("subgraph", str(LECTURES / "add_pow.py")),
    ("subgraph", str(LECTURES / "add_pow.py"), "--run", "0", "--why", "Pow"),
], ids=["scopes", "collections", "summary", "subgraph-all", "subgraph-why"])
def test_reports(argv):
    document = _valid(argv[0], run_cli_cached(*argv, "--format", "json", "--quiet"))
    assert document["command"] == argv[0]


CKPT_SCRIPT = '''import tensorflow as tf
with tf.variable_scope("model"):
    w = tf.get_variable("w", [3, 2])
    b = tf.get_variable("bias", [2])
'''


def test_ckpt_and_restore(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    with tf.Graph().as_default():
        with tf.variable_scope("model"):
            tf.get_variable("w", [3, 2])
            tf.get_variable("b", [2])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            tf.train.Saver().save(sess, str(tmp_path / "ckpt" / "model"))
    script = tmp_path / "model.py"
    script.write_text(CKPT_SCRIPT)
    listing = _valid("ckpt", run_cli("ckpt", str(tmp_path / "ckpt"), "--format", "json"))
    assert [v["name"] for v in listing["variables"]] == ["model/b", "model/w"]
    restore = _valid("ckpt", run_cli("ckpt", str(tmp_path / "ckpt"), "--against", str(script), "--format", "json",
                                     "--quiet"))
    assert restore["restore"]["missing"] == ["model/bias"] and not restore["restore"]["ok"]


def test_every_check_documents_its_evidence():
    """Each check fixture's JSON is validated against the schema in test_check.py, where it is captured; every
    check but TFI006 (which only says what was not checked) declares its evidence fields with a meaning."""
    from tfinspect.checks.registry import all_checks

    for check in all_checks():
        assert check.evidence or check.code == "TFI006", f"declare {check.code}'s evidence in @check(evidence=...)"
        assert all(meaning.strip() for meaning in check.evidence.values()), check.code


def test_schema_command_prints_the_shipped_file():
    shipped = (resources.files("tfinspect") / "schemas" / "check.schema.json").read_text(encoding="utf-8")
    result = run_cli("schema", "check")
    assert result.code == 0 and result.out == shipped
    assert json.loads(result.out)["properties"]["command"]["const"] == "check"
    assert run_cli("schema", "check", "--path").out.strip().endswith("check.schema.json")
    wrong = run_cli("schema", "dump")
    assert wrong.code == 2 and "invalid choice: 'dump'" in wrong.err


@pytest.mark.fast
@pytest.mark.parametrize("suffix", [".pb", ".pbtxt"])
def test_every_file_command_on_graph_files(tmp_path, suffix):
    """Graph files know no variable scope, collection or run: every command's JSON is still valid."""
    from google.protobuf import text_format
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph_def = GraphDef()
    table = graph_def.node.add(name="scope/table", op="VariableV2")
    table.attr["shape"].shape.dim.add().size = 10
    table.attr["dtype"].type = 1
    graph_def.node.add(name="ids", op="Placeholder").attr["dtype"].type = 3
    graph_def.node.add(name="rows", op="Gather", input=["scope/table", "ids"])
    path = tmp_path / f"g{suffix}"
    if suffix == ".pb":
        path.write_bytes(graph_def.SerializeToString())
    else:
        path.write_text(text_format.MessageToString(graph_def))
    for command, *extra in (("graph",), ("scopes",), ("collections",), ("summary",), ("subgraph", "--fetch", "rows"),
                            ("check",)):
        document = _valid(command, run_cli(command, str(path), "--format", "json", *extra))
        assert document["command"] == command


@pytest.mark.parametrize("command", ["graph", "scopes", "collections", "summary", "subgraph", "check"])
def test_every_command_on_a_tf2_program(command):
    document = _valid(command, run_cli_cached(command, str(FIXTURES / "clean_tf2" / "word2vec_skipgram.py"),
                                              "--format", "json", "--quiet"))
    assert document["command"] == command
