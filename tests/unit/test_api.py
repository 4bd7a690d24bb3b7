"""The Python API takes every capture option the CLI has, by the CaptureOptions field's name."""

from __future__ import annotations

import dataclasses

import pytest
from tensorboard.compat.proto.graph_pb2 import GraphDef

import tfinspect
from tfinspect.record.options import CaptureOptions


def test_capture_takes_the_options_record_and_names_a_wrong_keyword(tmp_path):
    graph = GraphDef()
    graph.node.add(name="x", op="Placeholder")
    path = tmp_path / "g.pb"
    path.write_bytes(graph.SerializeToString())
    options = {f.name: f.default for f in dataclasses.fields(CaptureOptions) if f.name != "argv"}
    options["runs"] = "stop"
    capture = tfinspect.capture(str(path), **options)
    assert [n.name for n in capture.graphs[0].graph_def.node] == ["x"]
    with pytest.raises(TypeError, match="unexpected keyword 'timout'.*timeout"):
        tfinspect.capture(str(path), timout=3)
