"""SavedModel directories: every MetaGraphDef (tag-set) in ``saved_model.pb``, with its signatures."""

from __future__ import annotations

import os

from tfinspect.core.errors import SourceError
from tfinspect.readers.common import graph_from_meta_graph, read_bytes, signatures_of
from tfinspect.record.model import Capture
from tfinspect.record.layout import parse_message


def _fields(data: bytes, path: str):
    """Top-level (field number, wire type, value) of a serialized message; few fields, so plain Python."""
    position = 0

    def varint() -> int:
        nonlocal position
        result = shift = 0
        while True:
            if position >= len(data):
                raise SourceError(f"{path}: truncated protobuf")
            byte = data[position]
            position += 1
            result |= (byte & 0x7F) << shift
            if not byte & 0x80:
                return result
            shift += 7
            if shift >= 70:  # a varint has at most 10 bytes; more is damage (and would cost quadratic time)
                raise SourceError(f"{path}: not a protobuf message (a malformed varint)")

    while position < len(data):
        key = varint()
        number, wire = key >> 3, key & 7
        if wire == 0:
            yield number, wire, varint()
        elif wire == 2:
            length = varint()
            if position + length > len(data):
                raise SourceError(f"{path}: truncated protobuf")
            yield number, wire, data[position:position + length]
            position += length
        elif wire == 1:
            position += 8
        elif wire == 5:
            position += 4
        else:
            raise SourceError(f"{path}: not a protobuf message this tool knows")


def load_saved_model(path: str) -> Capture:
    from tensorboard.compat.proto.meta_graph_pb2 import MetaGraphDef

    file = os.path.join(path, "saved_model.pb")
    if not os.path.exists(file):
        raise SourceError(f"{path}: a directory without saved_model.pb (not a SavedModel)")
    graphs, signatures = [], []
    for number, wire, value in _fields(read_bytes(file), file):
        if number == 2 and wire == 2:
            meta_graph = parse_message(MetaGraphDef(), value, file, "SavedModel")
            graph = graph_from_meta_graph(meta_graph, len(graphs))
            graphs.append(graph)
            signatures.extend(signatures_of(meta_graph, graph.id))
    if not graphs:
        raise SourceError(f"{file}: a SavedModel without any MetaGraphDef")
    return Capture(source=path, origin="saved_model", graphs=tuple(graphs), signatures=tuple(signatures))
