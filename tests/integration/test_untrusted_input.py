"""Files are data: never executed, never a traceback, never the findings exit code."""

from __future__ import annotations

import json

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


# A node framed correctly (its name, op type and length are sound) whose attribute protobuf rejects: the
# node columns alone would accept it, so every command must ask protobuf (one verdict for all).
_BAD_UTF8_ATTR = b"\x0a\x01a\x12\x05Const" + b"\x2a\x09" + b"\x0a\x01x\x12\x04\x4a\x02\xff\xfe"
_CORRUPT_ATTR = b"\x0a\x01a\x12\x05Const" + b"\x2a\x03\x0a\x05x"


@pytest.mark.parametrize("node, reason", [(_BAD_UTF8_ATTR, "bad UTF-8"), (_CORRUPT_ATTR, "Wire format was corrupt")])
@pytest.mark.fast
def test_a_graph_def_protobuf_rejects_is_rejected_by_every_command(tmp_path, node, reason):
    bad = tmp_path / "bad.pb"
    bad.write_bytes(b"\x0a" + bytes([len(node)]) + node)
    good = tmp_path / "good.pb"
    good.write_bytes(b"\x0a\x0a\x0a\x01b\x12\x05Const")
    assert run_cli("summary", str(good)).code == 0
    for argv in (["summary", str(bad)], ["summary", str(bad), "--format", "json"], ["graph", str(bad)],
                 ["check", str(bad)], ["scopes", str(bad)], ["dump", str(bad), "--format", "json"],
                 ["subgraph", str(bad), "--fetch", "a"], ["diff", str(good), str(bad)],
                 ["diff", str(bad), str(good), "--no-check"]):
        result = run_cli(*argv)
        assert result.code == 2, (argv, result.code, result.err)
        assert f"{bad}: not a GraphDef" in result.err and reason in result.err, (argv, result.err)
        assert result.out == "", argv


@pytest.mark.fast
def test_names_are_shown_escaped():
    assert printable("a\x1b[31mb\n::error::x") == "a\\x1b[31mb\\n::error::x"
    assert printable("two_layers/h1_1/MatMul") == "two_layers/h1_1/MatMul"


def _capture_archive(path, document: dict, members: dict[str, bytes] | None = None) -> None:
    import json
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("capture.json", json.dumps(dict({"format": "tfinspect-capture", "version": 1}, **document)))
        for name, data in (members or {}).items():
            archive.writestr(name, data)


@pytest.mark.fast
@pytest.mark.parametrize("graph_def", ["/dev/zero", "../../etc/passwd", "feeds", 7, None])
def test_capture_paths_stay_inside_the_archive(tmp_path, graph_def):
    path = tmp_path / "crafted.tfinspect"
    _capture_archive(path, {"graphs": [{"id": 0, "graph_def": graph_def}]}, {"feeds/x": b""})
    result = run_cli("summary", str(path))
    assert result.code == 2 and "Traceback" not in result.err
    assert str(path) in result.err and "tfinspect-saved-" not in result.err


@pytest.mark.fast
def test_a_zip_bomb_is_refused_before_unpacking(tmp_path):
    import zipfile

    path = tmp_path / "bomb.tfinspect"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("capture.json", '{"format": "tfinspect-capture"}')
        with archive.open("big.bin", "w", force_zip64=True) as member:
            for _ in range(20):
                member.write(b"\0" * (1 << 24))  # 320 MiB of zeros, a few hundred KiB packed
    result = run_cli("summary", str(path))
    assert result.code == 2 and "compressed at most 100 to 1" in result.err


def test_a_pickled_array_in_a_capture_is_refused(tmp_path):
    import io

    import numpy as np

    tf = pytest.importorskip("tensorflow").compat.v1
    with tf.Graph().as_default() as graph:
        ids = tf.placeholder(tf.int32, [None], name="x")
        tf.gather(tf.get_variable("table", [10, 2]), ids, name="rows")
        graph_def = graph.as_graph_def(add_shapes=True)
    buffer = io.BytesIO()
    np.savez(buffer, **{"x%3A0": np.array([{"a": 1}], dtype=object)})
    path = tmp_path / "pickled.tfinspect"
    _capture_archive(path, {"source": "model.py", "outcome": {"status": "completed"},
                            "graphs": [{"id": 0, "graph_def": "graph_0.pb"}],
                            "runs": [{"index": 0, "graph": 0, "fetches": ["rows:0"], "status": "ok",
                                      "values_kept": True, "feeds": [{"name": "x:0", "dtype": "object", "shape": [1]}]}]},
                     {"graph_0.pb": graph_def.SerializeToString(), "feeds/run_0.npz": buffer.getvalue()})
    result = run_cli("check", str(path))
    assert result.code == 2 and "damaged array file" in result.err and "Traceback" not in result.err


@pytest.mark.fast
def test_a_port_beyond_int32_is_a_dangling_input(tmp_path):
    path = tmp_path / "overflow.pbtxt"
    path.write_text('node { name: "X" op: "Placeholder" }\nnode { name: "Y" op: "Identity" '
                    'input: "X:99999999999999999999" }\n')
    for command in ("check", "summary", "dump"):
        result = run_cli(command, str(path), "--format", "json")
        assert result.code == 0, (command, result.err)


@pytest.mark.fast
def test_a_saved_model_of_ff_bytes_is_refused_at_once(tmp_path):
    (tmp_path / "saved_model.pb").write_bytes(b"\xff" * (1 << 20))  # used to take 93 s (a quadratic varint)
    result = run_cli("summary", str(tmp_path))
    assert result.code == 2 and "malformed varint" in result.err


def _const(graph_def, name: str, dtype: int, shape: list[int], **values):
    """A Const node written by hand (a crafted file needs what TensorFlow would refuse to build)."""
    node = graph_def.node.add()
    node.name, node.op = name, "Const"
    tensor = node.attr["value"].tensor
    tensor.dtype = dtype
    for size in shape:
        tensor.tensor_shape.dim.add().size = size
    for field, items in values.items():
        getattr(tensor, field).extend(items)
    return node


def _gather(graph_def, table: str, ids: str) -> None:
    node = graph_def.node.add()
    node.name, node.op = "rows", "Gather"
    node.input.extend([table, ids])


@pytest.mark.fast
def test_a_constant_claiming_2_31_elements_is_not_expanded(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    from tfinspect.index.tensors import tensor_value

    graph_def = GraphDef()
    _const(graph_def, "table", 1, [10], float_val=[0.0])
    ids = _const(graph_def, "ids", 3, [2 ** 31], int_val=[3])
    _gather(graph_def, "table", "ids")
    assert tensor_value(ids.attr["value"].tensor) is None
    path = tmp_path / "crafted.pb"
    path.write_bytes(graph_def.SerializeToString())
    assert len(path.read_bytes()) < 300
    result = run_cli("check", str(path), "--format", "json")
    assert result.code == 0, result.err


def test_a_checkpoint_state_file_that_is_not_utf8(tmp_path):
    (tmp_path / "checkpoint").write_bytes(b'model_checkpoint_path: "\xff\xfe"\n')
    result = run_cli("ckpt", str(tmp_path))
    assert result.code == 2 and "damaged checkpoint state file" in result.err


@pytest.mark.fast
def test_names_with_control_characters_cannot_forge_lines(tmp_path):
    """A node named with ESC and a newline followed by ::error:: (a GitHub workflow command)."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph_def = GraphDef()
    table = graph_def.node.add()
    table.name, table.op = "table", "VariableV2"
    table.attr["shape"].shape.dim.add().size = 10
    table.attr["shape"].shape.dim.add().size = 2
    table.attr["dtype"].type = 1
    ids = _const(graph_def, "ids\x1b[31m\n::error::pwned", 3, [2], int_val=[1, 12])
    _gather(graph_def, "table", ids.name)
    path = tmp_path / "evil.pb"
    path.write_bytes(graph_def.SerializeToString())
    for argv in (["check", str(path)], ["check", str(path), "--format", "github"], ["summary", str(path)],
                 ["graph", str(path)]):
        result = run_cli(*argv)
        assert result.code in (0, 1), (argv, result.err)
        for line in (result.out + result.err).splitlines():
            assert not line.lstrip().startswith("::error::pwned"), (argv, line)
        assert "\x1b" not in result.out, argv


_CONTROL = set(map(chr, [*range(0, 9), *range(11, 32), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                         *range(0x2066, 0x206A)]))


@pytest.mark.fast
def test_no_view_prints_a_control_character_or_a_line_starting_with_two_colons(tmp_path):
    """Variables named to forge CI commands and rewrite terminals, through every command that reads a file, to
    stdout and stderr: no line starts with '::' (even after spaces) and no control character is printed."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph_def = GraphDef()
    for name in ("v\n::error::PWNED", "::error file=x.py,line=1::forged", "\u202eevil\x1b]0;title\x07",
                 "w\r::warning::x"):
        node = graph_def.node.add(name=name, op="VariableV2")
        node.attr["shape"].shape.dim.add().size = 3
        node.attr["dtype"].type = 1
        graph_def.node.add(name=name + "/read", op="Identity", input=[name])
    graph_def.node.add(name="x\n::notice::placeholder", op="Placeholder").attr["dtype"].type = 1
    path = tmp_path / "evil.pb"
    path.write_bytes(graph_def.SerializeToString())
    commands = [["summary"], ["graph"], ["scopes"], ["collections"], ["check"], ["subgraph", "--fetch",
                "v\n::error::PWNED/read"], ["dump", "--format", "dot", "-o", "-"], ["dump", "--format", "pbtxt",
                "-o", "-"], ["dump", "--format", "json", "-o", "-"], ["graph", "--format", "json"],
                ["summary", "--format", "json"]]
    for argv in commands:
        result = run_cli(argv[0], str(path), *argv[1:])
        assert result.code in (0, 1, 2), (argv, result.err)
        for line in (result.out + result.err).splitlines():
            assert not line.lstrip().startswith("::"), (argv, line)
        assert not _CONTROL & set(result.out + result.err), (argv, _CONTROL & set(result.out + result.err))
    as_json = run_cli("graph", str(path), "--format", "json")
    names = {v["name"] for v in json.loads(as_json.out)["variables"]}
    assert "v\n::error::PWNED" in names  # JSON keeps the data exact: escaped, not altered


@pytest.mark.fast
def test_an_output_in_a_folder_that_cannot_be_written_is_refused_before_any_work(tmp_path):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph_def = GraphDef()
    graph_def.node.add(name="x", op="Placeholder").attr["dtype"].type = 1
    path = tmp_path / "g.pb"
    path.write_bytes(graph_def.SerializeToString())
    for argv in (["dump", str(path), "--format", "json", "-o", "/proc/g.json"],
                 ["graph", str(path), "--save", "/proc/c.tfinspect"],
                 ["dump", str(path), "--tensorboard", "/proc/logs"]):
        result = run_cli(*argv)
        assert result.code == 2 and "cannot write in /proc" in result.err, (argv, result.err)
        assert len(result.err.strip().splitlines()) == 1 and "Traceback" not in result.err


@pytest.mark.fast
def test_source_lines_are_read_only_from_regular_files(tmp_path):
    """A capture's file table may name /dev/stdin or a FIFO: reading its '# tfinspect: ignore' comments must
    not wait on them."""
    import os

    from tfinspect.checks.suppress import _lines

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    assert _lines(str(fifo)) == () and _lines("/dev/stdin") == () and _lines(str(tmp_path)) == ()
    script = tmp_path / "s.py"
    script.write_text("a\nb  # tfinspect: ignore[TFI002]\n")
    assert _lines(str(script)) == ("a", "b  # tfinspect: ignore[TFI002]")


def _fed_capture(path, npz: bytes) -> None:
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph_def = GraphDef()
    table = graph_def.node.add(name="table", op="VariableV2")
    table.attr["shape"].shape.dim.add().size = 10
    table.attr["shape"].shape.dim.add().size = 2
    table.attr["dtype"].type = 1
    graph_def.node.add(name="x", op="Placeholder").attr["dtype"].type = 9  # int64
    _gather(graph_def, "table", "x")
    _capture_archive(path, {"source": "model.py", "outcome": {"status": "completed"},
                            "graphs": [{"id": 0, "graph_def": "graph_0.pb"}],
                            "runs": [{"index": 0, "graph": 0, "fetches": ["rows:0"], "status": "ok",
                                      "values_kept": True, "feeds": [{"name": "x:0", "dtype": "int64", "shape": [2]}]}]},
                     {"graph_0.pb": graph_def.SerializeToString(), "feeds/run_0.npz": npz})


@pytest.mark.fast
def test_a_big_endian_feed_is_checked_and_a_damaged_array_header_is_one_line(tmp_path):
    import io
    import zipfile

    import numpy as np

    buffer = io.BytesIO()
    np.savez(buffer, **{"x%3A0": np.array([1, 12], dtype=">i8")})  # byte order is data: 12 is out of [0, 10)
    _fed_capture(tmp_path / "big_endian.tfinspect", buffer.getvalue())
    result = run_cli("check", str(tmp_path / "big_endian.tfinspect"), "--format", "json")
    assert result.code == 1, result.err
    assert [(f["code"], f["evidence"]["ids"]) for f in json.loads(result.out)["findings"]] == [("TFI002", [12])]

    header = b"{'descr': '<i8', 'fortran_order': False, 'shape': (2, \n"  # a bracket never closed
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + bytes(16)
    damaged = io.BytesIO()
    with zipfile.ZipFile(damaged, "w") as archive:
        archive.writestr("x%3A0.npy", npy)
    _fed_capture(tmp_path / "damaged.tfinspect", damaged.getvalue())
    result = run_cli("check", str(tmp_path / "damaged.tfinspect"))
    assert result.code == 2 and "damaged array file" in result.err and "Traceback" not in result.err
