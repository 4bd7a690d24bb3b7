"""The capture protocol: what the child process writes and the parent reads, in one place.

A capture is a directory (or, saved, a zip of one)::

    capture.json            metadata (FORMAT, FORMAT_VERSION; checked by ``schema.validate``)
    capture.json.failed     instead, when the child could not even start TensorFlow
    graph_<id>.pb           one serialized GraphDef per graph
    feeds/run_<i>.npz       arrays fed to run i (keys escaped by ``escape_feed_key``)
    metadata/run_<i>.pb     TensorFlow's RunMetadata of run i, when asked for
    datasets/<name>.npz     integer components a dataset yielded, when iterated

The child imports this package (and ``options``) only; the parent reads a
capture with ``reader.read_capture_dir``, which validates before it reads.
Source locations are ``[file index, line, function]`` against one file table.
"""

from __future__ import annotations

import os
from typing import Any

from tfinspect.core.fileio import write_atomic, write_atomic_with
from tfinspect.core.errors import SourceError

__all__ = ["DATASETS", "FAILED", "FEEDS", "FORMAT", "FORMAT_VERSION", "METADATA", "PROGRESS_PREFIX",
           "RUN_METADATA", "escape_feed_key", "feed_file", "graph_file", "load_arrays", "member_path",
           "rss_bytes", "run_metadata_file", "unescape_feed_key", "write_atomic", "write_atomic_with"]

FORMAT = "tfinspect-capture"
FORMAT_VERSION = 1
METADATA = "capture.json"
FAILED = METADATA + ".failed"
FEEDS = "feeds"
RUN_METADATA = "metadata"
DATASETS = "datasets"

# A line the child prints to report progress (the parent turns it into a progress bar).
PROGRESS_PREFIX = "\x1etfinspect-progress "


def graph_file(graph_id: int) -> str:
    return f"graph_{graph_id}.pb"


def feed_file(run_index: int) -> str:
    return os.path.join(FEEDS, f"run_{run_index}.npz")


def run_metadata_file(run_index: int) -> str:
    return os.path.join(RUN_METADATA, f"run_{run_index}.pb")


def escape_feed_key(name: str) -> str:
    """npz member names cannot hold '/' or ':'; keep them reversible."""
    return name.replace("%", "%25").replace("/", "%2F").replace(":", "%3A")


def unescape_feed_key(key: str) -> str:
    return key.replace("%3A", ":").replace("%2F", "/").replace("%25", "%")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process (Linux /proc); 0 where unknown."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children, ...), from /proc; empty where unknown."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read(4096)
            parent = int(stat[stat.rindex(b")") + 2:].split()[1])  # the name in () may hold spaces
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo and len(found) < 100_000:
        for child in children.get(todo.pop(), ()):
            found.append(child)
            todo.append(child)
    return found


def tree_rss_bytes(pid: int) -> int:
    """Resident memory of a process and every process below it."""
    return rss_bytes(pid) + sum(rss_bytes(child) for child in descendants(pid))


MEMBER_LIMIT = 4 << 30  # no file of a capture is read past this (a graph_def pointing at /dev/zero)


def member_path(directory: str, relative: Any, what: str) -> str:
    """The path of a file a capture names, confined to its directory and to regular files.

    ``capture.json`` is data: a name that is absolute, climbs out with ``..`` or is a device must
    not make tfinspect read another file of the machine.
    """
    if not isinstance(relative, str) or not relative or os.path.isabs(relative) or \
            ".." in relative.replace("\\", "/").split("/"):
        raise SourceError(f"{directory}: the capture names {what} {relative!r}, which is not a file inside it")
    path = os.path.join(directory, relative)
    root = os.path.realpath(directory)
    real = os.path.realpath(path)
    if os.path.commonpath([root, real]) != root or not os.path.isfile(real):
        raise SourceError(f"{directory}: the capture names {what} {relative!r}, which is not a file inside it")
    if os.path.getsize(real) > MEMBER_LIMIT:
        raise SourceError(f"{path}: {what} larger than {MEMBER_LIMIT >> 30} GiB")
    return real


def load_arrays(path: str) -> dict[str, Any]:
    """The arrays of an ``.npz`` that tfinspect wrote; a damaged or crafted one (object arrays, which
    would need pickle, are refused) is one SourceError naming it."""
    import tokenize
    import zipfile

    import numpy as np

    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, NotImplementedError, SyntaxError,
            TypeError, MemoryError, OverflowError, tokenize.TokenError) as e:  # numpy parses headers with tokenize
        raise SourceError(f"{path}: damaged array file ({type(e).__name__}: {str(e)[:200]})") from None


def parse_message(message, data: bytes, path: str, what: str):
    """Decode ``data`` into ``message``; a damaged file gets one clear SourceError naming it."""
    from google.protobuf.message import DecodeError

    try:
        message.ParseFromString(data)
    except DecodeError as e:
        raise SourceError(f"{path}: not a {what}, or a truncated one ({e})") from None
    except (RecursionError, MemoryError) as e:  # crafted nesting or sizes: still one clear error
        raise SourceError(f"{path}: too large or too deeply nested to read ({type(e).__name__})") from None
    return message


def graph_def_from_bytes(data: bytes, path: str):
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    return parse_message(GraphDef(), data, path, "GraphDef")
