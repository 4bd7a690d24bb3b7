"""Graph files in and out: round trips give the same reports, bad files one clear message, no TensorFlow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import COMPAT_IMPORT, FIXTURES, TF1_IMPORT, run_cli

LECTURES = ["add_pow.py", "linreg_feed.py", "linreg_dataset.py", "two_layers_broken.py", "two_layers_shared.py",
            "two_layers_auto_reuse.py", "word2vec.py"]


def _json(*argv: str) -> dict:
    result = run_cli(*argv, "--format", "json")
    assert result.code == 0, result.err
    return result.json()


def _strip(document: dict) -> dict:
    document = dict(document)
    document.pop("source", None)
    return document


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """Each lecture captured once, saved as .tfinspect and dumped as .pb and .pbtxt."""
    folder = tmp_path_factory.mktemp("saved")
    out = {}
    for name in LECTURES:
        stem = name.removesuffix(".py")
        capture_file = folder / f"{stem}.tfinspect"
        result = run_cli("dump", str(FIXTURES / "lectures" / name), "--format", "pb", "-o", str(folder / f"{stem}.pb"),
                         "--save", str(capture_file), "--quiet", "--cwd", str(folder))
        assert result.code == 0, result.err
        assert run_cli("dump", str(capture_file), "-o", str(folder / f"{stem}.pbtxt")).code == 0
        out[name] = folder
    return out


@pytest.mark.parametrize("name", LECTURES)
def test_saved_capture_gives_the_same_reports_without_tensorflow(name, saved, tmp_path):
    folder = saved[name]
    stem = name.removesuffix(".py")
    capture_file = str(folder / f"{stem}.tfinspect")
    script = str(FIXTURES / "lectures" / name)
    live = _json("graph", script, "--quiet", "--cwd", str(tmp_path))
    assert _strip(_json("graph", capture_file)) == _strip(live)
    assert _strip(_json("scopes", capture_file)) == _strip(_json("scopes", script, "--quiet", "--cwd", str(tmp_path)))
    assert json.loads(run_cli("check", capture_file, "--format", "json").out)["findings"] == \
        json.loads(run_cli("check", script, "--format", "json", "--quiet", "--cwd", str(tmp_path),
                           "--max-elements", "0").out)["findings"]


@pytest.mark.parametrize("name", LECTURES)
def test_pb_and_pbtxt_give_the_same_graph_reports(name, saved):
    folder = saved[name]
    stem = name.removesuffix(".py")
    reports = [_strip(_json("summary", str(folder / f"{stem}{suffix}"))) for suffix in (".tfinspect", ".pb", ".pbtxt")]
    for report in reports[1:]:
        # a GraphDef alone has no collections: trainable flags and membership come from the capture
        for graph in report["graphs"] + reports[0]["graphs"]:
            for variable in graph["variables"]:
                variable.pop("trainable", None)
        assert report == reports[0]
    captured = _json("subgraph", str(folder / f"{stem}.tfinspect"))
    for plan in captured["plans"]:
        fetches = ",".join(plan["fetches"])
        feeds = [arg for feed in plan["fed"] for arg in ("--feed", feed)]
        from_pb = _json("subgraph", str(folder / f"{stem}.pb"), "--fetch", fetches, *feeds)
        assert (from_pb["ran"], from_pb["not_run"]) == (plan["ran"], plan["not_run"])


def test_meta_graph_and_events_hold_collections_and_graph(tmp_path, monkeypatch):
    tf = pytest.importorskip("tensorflow").compat.v1
    source = (FIXTURES / "scopes" / "resource_variables.py").read_text().replace(TF1_IMPORT, COMPAT_IMPORT, 1)
    monkeypatch.chdir(tmp_path)
    graph = tf.Graph()
    with graph.as_default():
        exec(compile(source, "resource_variables.py", "exec"), {"__name__": "fixture"})
        tf.train.export_meta_graph(str(tmp_path / "model.meta"))
        tf.summary.FileWriter(str(tmp_path / "logs"), graph).close()
    meta = _json("collections", str(tmp_path / "model.meta"))
    keys = {c["key"]: [m["name"] for m in c["members"]] for c in meta["collections"]}
    assert keys["trainable_variables"] == ["model/dense/kernel:0", "model/dense/bias:0"]
    assert keys["outputs"] == ["add:0", "model_1/dense/add:0"] and keys["my_inits"] == ["init"]
    graph_report = _json("graph", str(tmp_path / "model.meta"))
    assert [(v["name"], v["trainable"]) for v in graph_report["variables"]] == [("model/dense/kernel", True),
                                                                              ("model/dense/bias", True)]
    events = _json("graph", str(tmp_path / "logs"))
    assert events["ops"] == graph_report["ops"] == len(graph.get_operations())


def test_saved_model_tag_sets_and_signatures(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = tf.placeholder(tf.float32, [None, 3], name="x")
        w = tf.get_variable("w", [3, 2])
        y = tf.matmul(x, w, name="y")
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            builder = tf.saved_model.Builder(str(tmp_path / "model"))
            signature = tf.saved_model.predict_signature_def({"x": x}, {"y": y})
            builder.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"predict": signature})
            builder.save()
    data = _json("subgraph", str(tmp_path / "model"))
    (plan,) = data["plans"]
    assert plan["fetches"] == ["y:0"] and plan["fed"] == ["x:0"] and plan["signature"] == "predict"
    assert "y" in plan["ran"] and "x" in plan["cut_off"]
    # signatures are shown as signatures, with the dtypes and shapes they declare, not as runs that never ran
    report = _json("graph", str(tmp_path / "model"))
    assert report["runs"] == []
    assert report["signatures"] == [{
        "name": "predict", "graph": 0, "method": "tensorflow/serving/predict",
        "inputs": [{"key": "x", "tensor": "x:0", "dtype": "float32", "shape": [None, 3]}],
        "outputs": [{"key": "y", "tensor": "y:0", "dtype": "float32", "shape": [None, 2]}]}]
    text = " ".join(run_cli("graph", str(tmp_path / "model")).out.split())
    assert "Signatures" in text and "predict in x x:0 float32 (?, 3) out y y:0 float32 (?, 2)" in text
    assert "stopped" not in text and "Session.run" not in text
    assert run_cli("subgraph", str(tmp_path / "model")).out.startswith("Signature predict")


@pytest.mark.parametrize("content, message", [
    (b"", "parsed as a GraphDef but holds no nodes"),
    (b"\x0a\x05\x0a\x03abc\x12", "not a binary GraphDef, or a truncated one"),
    (b"just some text", "not a binary GraphDef"),
])
def test_malformed_pb(tmp_path, content, message):
    path = tmp_path / "bad.pb"
    path.write_bytes(content or b"\x08\x01")  # a valid but empty-ish message for the first case
    result = run_cli("summary", str(path))
    assert result.code == 2 and message in result.err and str(path) in result.err
    assert "Traceback" not in result.err


def test_malformed_other_files(tmp_path):
    (tmp_path / "m.meta").write_bytes(b"\x0a\xff")
    assert "not a MetaGraphDef" in run_cli("graph", str(tmp_path / "m.meta")).err
    (tmp_path / "c.tfinspect").write_bytes(b"PK\x03\x04 broken")
    assert "not a saved tfinspect capture" in run_cli("graph", str(tmp_path / "c.tfinspect")).err
    (tmp_path / "empty").mkdir()
    result = run_cli("graph", str(tmp_path / "empty"))
    assert result.code == 2 and "no event files" in result.err
    (tmp_path / "events.out.tfevents.1.x").write_bytes(b"\x10\x00\x00")
    assert "truncated event file" in run_cli("graph", str(tmp_path / "events.out.tfevents.1.x")).err
    assert "no such file" in run_cli("summary", str(tmp_path / "missing.pb")).err


def test_reading_files_never_imports_tensorflow(saved):
    folder = saved["linreg_feed.py"]
    code = ("import sys\nfrom tfinspect.cli import main\n"
            "for argv in sys.argv[1:]:\n"
            "    main(argv.split('|'))\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow was imported'\n")
    calls = [f"summary|{folder}/linreg_feed.pb", f"graph|{folder}/linreg_feed.tfinspect", f"check|{folder}/linreg_feed.pb",
             f"scopes|{folder}/linreg_feed.pbtxt", f"dump|{folder}/linreg_feed.pb|--tensorboard|{folder}/tb",
             f"subgraph|{folder}/linreg_feed.pb|--fetch|loss"]
    completed = subprocess.run([sys.executable, "-c", code, *calls], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "1 graph · 58 ops" in completed.stdout
    assert list(Path(folder, "tb").glob("events.out.tfevents.*"))


def test_dump_strips_large_constants(tmp_path):
    tf = pytest.importorskip("tensorflow").compat.v1
    import numpy as np

    graph = tf.Graph()
    with graph.as_default():
        big = tf.constant(np.ones((600, 600), np.float32), name="big")
        tf.constant([1.0, 2.0], name="small")
        tf.identity(big, name="out")
    (tmp_path / "g.pb").write_bytes(graph.as_graph_def().SerializeToString())
    summary = _json("summary", str(tmp_path / "g.pb"))
    assert summary["graphs"][0]["large_constants"][0]["name"] == "big"
    result = run_cli("dump", str(tmp_path / "g.pb"), "--format", "pb", "-o", str(tmp_path / "s.pb"),
                     "--strip-large-constants", "1024")
    assert result.code == 0 and "emptied 1 constant(s)" in result.err
    assert (tmp_path / "s.pb").stat().st_size < 10_000
    assert _json("summary", str(tmp_path / "s.pb"))["graphs"][0]["large_constants"] == []
    again = run_cli("dump", str(tmp_path / "g.pb"), "--format", "pb", "-o", str(tmp_path / "s.pb"))
    assert again.code == 2 and "exists; add --force" in again.err


@pytest.mark.parametrize("name", LECTURES)
def test_meta_graph_of_each_lecture_gives_the_captures_variables_and_collections(name, tmp_path, monkeypatch):
    tf = pytest.importorskip("tensorflow").compat.v1
    script = FIXTURES / "lectures" / name
    source = script.read_text().replace(TF1_IMPORT, COMPAT_IMPORT, 1).split("\nwith tf.Session() as sess:")[0]
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(script)])
    graph = tf.Graph()
    with graph.as_default():
        exec(compile(source, str(script), "exec"), {"__name__": "fixture"})
        tf.train.export_meta_graph(str(tmp_path / "model.meta"))
    meta = _json("graph", str(tmp_path / "model.meta"))
    live = _json("graph", str(script), "--quiet", "--runs", "0", "--cwd", str(tmp_path))
    assert [(v["name"], v["shape"], v["dtype"], v["trainable"]) for v in meta["variables"]] == \
        [(v["name"], v["shape"], v["dtype"], v["trainable"]) for v in live["variables"]]
    for key in ("variables", "trainable_variables"):
        assert meta["collections"].get(key, []) == live["collections"].get(key, []), key


def test_dump_tensorboard_of_a_script_holds_its_session_runs(tmp_path):
    """TensorBoard's own reader finds the graph and, per kept run, the RunMetadata with what executed."""
    event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")
    logdir = tmp_path / "tb"
    result = run_cli("dump", str(FIXTURES / "lectures" / "linreg_feed.py"), "--tensorboard", str(logdir), "--quiet",
                     "--cwd", str(tmp_path))
    assert result.code == 0, result.err
    # --runs auto executes 3 runs of the training line (and skims the others), the initializer and the read of
    # the weights after the loop once each: their metadata is kept (skimmed runs have none).
    assert "wrote the graph and 5 session run(s)" in result.err
    accumulator = event_accumulator.EventAccumulator(str(logdir))
    accumulator.Reload()
    tags = accumulator.Tags()["run_metadata"]
    assert tags == ["run 0 (linreg_feed.py:39)", "run 1 (linreg_feed.py:44)", "run 2 (linreg_feed.py:44)",
                    "run 3 (linreg_feed.py:44)", "run 19001 (linreg_feed.py:48)"]
    assert {"X", "Y", "loss", "GradientDescent"} <= {node.name for node in accumulator.Graph().node}
    executed = {stat.node_name for device in accumulator.RunMetadata(tags[1]).step_stats.dev_stats
                for stat in device.node_stats}
    assert {"_arg_X_0_0", "_arg_Y_0_1"} <= executed  # the fed placeholders arrive as arguments
    assert {"loss", "GradientDescent", "GradientDescent/update_weights/ApplyGradientDescent"} <= executed
    init = {stat.node_name for device in accumulator.RunMetadata(tags[0]).step_stats.dev_stats
            for stat in device.node_stats}
    assert "init" in init and not any(name.startswith("GradientDescent") for name in init)


def test_dump_tensorboard_of_a_graph_file_says_it_has_no_runs(saved, tmp_path):
    folder = saved["linreg_feed.py"]
    result = run_cli("dump", f"{folder}/linreg_feed.pb", "--tensorboard", str(tmp_path / "tb"))
    assert result.code == 0 and "wrote the graph (a graph file holds no run metadata)" in result.err


def test_a_pb_damaged_inside_a_node_fails_every_command_alike(tmp_path):
    """Names and op types intact, an attribute damaged: protobuf rejects the file, so every command does, with
    one line and exit 2 (summary, which needs only names and edges, once accepted it)."""
    def field(number: int, payload: bytes) -> bytes:
        return bytes([number << 3 | 2, len(payload)]) + payload

    node = field(1, b"x") + field(2, b"Placeholder") + field(5, b"\xff\xff\xff")  # the attr map entry is garbage
    path = tmp_path / "damaged.pb"
    path.write_bytes(field(1, node))
    for command in ("summary", "graph"):
        result = run_cli(command, str(path))
        assert result.code == 2 and f"{path}: not a GraphDef, or a truncated one" in result.err
        assert "Traceback" not in result.err and result.out == ""


def test_an_event_file_cut_mid_record_gives_the_records_before_the_cut(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from tfinspect.readers.events import write_graph_event

    graph = GraphDef()
    graph.node.add(name="x", op="Placeholder")
    graph.node.add(name="y", op="Identity", input=["x"])
    path = Path(write_graph_event(str(tmp_path / "logs"), graph))
    path.write_bytes(path.read_bytes() + b"\x20\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00partial")  # killed writer
    result = run_cli("graph", str(tmp_path / "logs"))
    assert result.code == 0 and "1 graph · 2 ops" in result.out


def test_the_api_reads_graph_files_as_the_cli_does(tmp_path):
    """tfinspect.capture takes what the CLI takes: a graph file is read (never run), with the CLI's options."""
    import tfinspect
    from tfinspect.core.errors import ArgumentError

    result = run_cli("dump", str(FIXTURES / "lectures" / "add_pow.py"), "--format", "pb", "-o",
                     str(tmp_path / "g.pb"), "--quiet")
    assert result.code == 0, result.err
    capture = tfinspect.capture(str(tmp_path / "g.pb"))
    assert capture.origin == "graphdef" and len(capture.graphs) == 1
    assert {"AddV2", "Pow"} <= {n.op for n in capture.graphs[0].graph_def.node}
    with pytest.raises(ArgumentError, match="^runs takes"):
        tfinspect.capture(str(tmp_path / "g.pb"), runs="often")


def test_a_graphdef_does_not_say_whether_variables_are_trainable(saved):
    """A bare GraphDef has no collections: trainable is unknown (null, '?'), not 'no'; a .meta knows."""
    folder = saved["linreg_feed.py"]
    data = run_cli("graph", f"{folder}/linreg_feed.pb", "--format", "json").json()
    assert {v["name"]: v["trainable"] for v in data["variables"]} == {"weights": None, "bias": None}
    text = run_cli("graph", f"{folder}/linreg_feed.pb").out
    assert "trainable ?: a GraphDef does not record it" in " ".join(text.split())
