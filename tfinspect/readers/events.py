"""TensorBoard event files without TensorFlow: reading the graphs a FileWriter wrote (a file or a log
directory), and writing one (TFRecord framing with masked CRC32C)."""

from __future__ import annotations

import os
import socket
import struct
import time
from typing import Sequence

from tfinspect.core.errors import SourceError
from tfinspect.readers.common import graph_from_meta_graph, read_bytes, variables_from_graph_def
from tfinspect.record.model import Capture, GraphCapture
from tfinspect.record.layout import parse_message

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))


def write_graph_event(logdir: str, graph_def, run_metadata: Sequence[tuple[str, int, bytes]] = ()) -> str:
    """Write a new events file into ``logdir`` holding ``graph_def`` and, for TensorBoard's "Session runs"
    menu, ``run_metadata`` as (tag, step, serialized RunMetadata); returns its path."""
    from tensorboard.compat.proto.event_pb2 import Event, TaggedRunMetadata

    from tfinspect.core.fileio import write_atomic

    os.makedirs(logdir, exist_ok=True)
    now = time.time()
    path = os.path.join(logdir, f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}.tfinspect")
    events = [Event(wall_time=now, step=0, file_version="brain.Event:2"),
              Event(wall_time=now, step=0, graph_def=graph_def.SerializeToString())]
    events += [Event(wall_time=now, step=step, tagged_run_metadata=TaggedRunMetadata(tag=tag, run_metadata=data))
               for tag, step, data in run_metadata]
    write_atomic(path, b"".join(record(e.SerializeToString()) for e in events))
    return path


def _records(data: bytes, path: str):
    """The records of a TFRecord file (event files are TFRecords).

    A writer killed mid-record (a training job stopped, a script tfinspect stopped) leaves a partial last
    record: as TensorBoard does, the complete records before it are read. A file without one complete
    record is an error.
    """
    position = 0
    while position < len(data):
        (length,) = struct.unpack("<Q", data[position:position + 8]) if position + 12 <= len(data) else (None,)
        start = position + 12
        if length is None or start + length + 4 > len(data):
            if position == 0:
                raise SourceError(f"{path}: truncated event file")
            return
        yield data[start:start + length]
        position = start + length + 4


def event_files(path: str) -> list[str]:
    if os.path.isdir(path):
        found = []
        for root, _, files in os.walk(path):
            found += [os.path.join(root, f) for f in files if "tfevents" in f]
        return sorted(found)
    return [path]


def load_events(path: str) -> Capture:
    """The graphs written by ``tf.summary.FileWriter(logdir, graph)`` in an event file or a log directory."""
    from tensorboard.compat.proto.event_pb2 import Event
    from tensorboard.compat.proto.graph_pb2 import GraphDef
    from tensorboard.compat.proto.meta_graph_pb2 import MetaGraphDef

    graphs: list[GraphCapture] = []
    files = event_files(path)
    if not files:
        raise SourceError(f"{path}: no event files (events.out.tfevents.*) in this directory")
    for file in files:
        for record in _records(read_bytes(file), file):
            event = parse_message(Event(), record, file, "event file")
            if event.HasField("graph_def"):
                graphs.append(GraphCapture(len(graphs), parse_message(GraphDef(), event.graph_def, file, "GraphDef")))
            elif event.HasField("meta_graph_def"):
                meta_graph = parse_message(MetaGraphDef(), event.meta_graph_def, file, "MetaGraphDef")
                graphs.append(graph_from_meta_graph(meta_graph, len(graphs)))
    if not graphs:
        raise SourceError(f"{path}: event files without a graph (was the FileWriter given one?)")
    # FileWriter writes a graph both as a GraphDef and inside a MetaGraphDef: keep one, the richer.
    unique: dict[bytes, GraphCapture] = {}
    for graph in graphs:
        key = graph.graph_def.SerializeToString(deterministic=True)
        if key not in unique or (graph.collections and not unique[key].collections):
            unique[key] = graph
    graphs = list(unique.values())
    for i, graph in enumerate(graphs):
        graphs[i] = GraphCapture(i, graph.graph_def, variables=graph.variables or
                                 variables_from_graph_def(graph.graph_def), collections=graph.collections)
    return Capture(source=path, origin="events", graphs=tuple(graphs))
