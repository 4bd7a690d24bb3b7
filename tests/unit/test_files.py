"""Reading GraphDef files without TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import pytest
from tensorboard.compat.proto import graph_pb2, types_pb2

from tfinspect.core.errors import SourceError
from tfinspect.readers import load_graph_file
from tfinspect.readers.graphdef import read_graph_def


def write_graph(path):
    gd = graph_pb2.GraphDef()
    v = gd.node.add(name="w", op="VariableV2")
    v.attr["dtype"].type = types_pb2.DT_FLOAT
    v.attr["shape"].shape.dim.add(size=3)
    gd.node.add(name="r", op="Identity").input.append("w")
    path.write_bytes(gd.SerializeToString())
    return gd


def test_binary_and_text(tmp_path):
    gd = write_graph(tmp_path / "g.pb")
    (tmp_path / "g.pbtxt").write_text(str(gd))
    for name in ("g.pb", "g.pbtxt"):
        capture = load_graph_file(str(tmp_path / name))
        assert [n.name for n in capture.graphs[0].graph_def.node] == ["w", "r"]
        variable = capture.graphs[0].variables[0]
        assert (variable.name, variable.shape, variable.dtype, variable.kind.value) == ("w", (3,), "float32", "ref")


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    (b"\x0a\xff\xff\xff", "not a binary GraphDef, or a truncated one"),
    (b"hello world, not a graph", "not a binary GraphDef"),
])
def test_bad_files(tmp_path, content, message):
    path = tmp_path / "bad.pb"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        read_graph_def(str(path))


def test_truncated_pb(tmp_path):
    write_graph(tmp_path / "g.pb")
    data = (tmp_path / "g.pb").read_bytes()
    (tmp_path / "t.pb").write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="t.pb: not a binary GraphDef, or a truncated one"):
        read_graph_def(str(tmp_path / "t.pb"))


def test_bad_text(tmp_path):
    (tmp_path / "g.pbtxt").write_text("node { name: ")
    with pytest.raises(SourceError, match="not a text GraphDef"):
        read_graph_def(str(tmp_path / "g.pbtxt"))


def test_reading_a_graph_file_does_not_import_tensorflow(tmp_path):
    write_graph(tmp_path / "g.pb")
    code = ("import sys; from tfinspect.cli import main; code = main(['subgraph', sys.argv[1], '--fetch', 'r', "
            "'--format', 'json']); assert 'tensorflow' not in sys.modules, 'tensorflow was imported'; sys.exit(code)")
    completed = subprocess.run([sys.executable, "-c", code, str(tmp_path / "g.pb")], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert '"ran": [\n    "w",\n    "r"\n  ]' in completed.stdout
