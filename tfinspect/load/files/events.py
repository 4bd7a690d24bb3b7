"""Writing TensorBoard event files without TensorFlow: TFRecord framing with masked CRC32C."""

from __future__ import annotations

import os
import socket
import struct
import time
from typing import Sequence

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

    from tfinspect.fileio import write_atomic

    os.makedirs(logdir, exist_ok=True)
    now = time.time()
    path = os.path.join(logdir, f"events.out.tfevents.{int(now)}.{socket.gethostname()}.{os.getpid()}.tfinspect")
    events = [Event(wall_time=now, step=0, file_version="brain.Event:2"),
              Event(wall_time=now, step=0, graph_def=graph_def.SerializeToString())]
    events += [Event(wall_time=now, step=step, tagged_run_metadata=TaggedRunMetadata(tag=tag, run_metadata=data))
               for tag, step, data in run_metadata]
    write_atomic(path, b"".join(record(e.SerializeToString()) for e in events))
    return path
