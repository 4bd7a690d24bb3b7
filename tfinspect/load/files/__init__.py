"""Graph files in, without importing TensorFlow.

GraphDef ``.pb``/``.pbtxt``, MetaGraphDef ``.meta`` (graph, collections,
saver), SavedModel directories (every tag-set; signatures become runs),
FileWriter event files or log directories (the graph in them), and captures
saved with ``tfinspect graph model.py --save FILE``. Parsing uses the
protobuf classes that the ``tensorboard`` package ships in
``tensorboard.compat.proto`` (the same wire format as TensorFlow's own).
"""

from __future__ import annotations

import dataclasses
import os
import struct
import zipfile

from tfinspect.errors import SourceError
from tfinspect.load.files.columns import NodeColumns, columns_of, node_columns, positions
from tfinspect.load.protocol import parse_message
from tfinspect.load.model import (
    Capture,
    CollectionMember,
    CreatedBy,
    FeedInfo,
    GraphCapture,
    RunRecord,
    RunStatus,
    VariableInfo,
    VariableKind,
)

VARIABLE_OPS = {"VariableV2": VariableKind.REF, "Variable": VariableKind.REF, "VarHandleOp": VariableKind.RESOURCE}
GRAPH_SUFFIXES = (".pb", ".pbtxt", ".graphdef", ".meta")
CAPTURE_SUFFIX = ".tfinspect"


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a graph file") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None


def read_graph_def(path: str):
    """Parse a binary (``.pb``) or text (``.pbtxt``) GraphDef.

    Raises:
        SourceError: the file is missing, truncated, or not a GraphDef.
    """
    return read_graph_def_and_bytes(path)[0]


def read_graph_def_and_bytes(path: str):
    """The GraphDef of a ``.pb`` or ``.pbtxt`` file, and its serialized bytes (None for text)."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    data = _read(path)
    graph_def = GraphDef()
    wire = None
    if path.endswith(".pbtxt"):
        from google.protobuf import text_format

        try:
            text_format.Parse(data.decode("utf-8"), graph_def)
        except (text_format.ParseError, UnicodeDecodeError) as e:
            raise SourceError(f"{path}: not a text GraphDef ({e})") from None
    else:
        parse_message(graph_def, data, path, "binary GraphDef")
        wire = data
    if data and not graph_def.node and not graph_def.library.function:
        raise SourceError(f"{path}: parsed as a GraphDef but holds no nodes; is it another kind of file?")
    return graph_def, wire


def variables_from_graph_def(graph_def, trainable: set[str] = frozenset(),
                             collections: dict[str, list[str]] | None = None,
                             columns: NodeColumns | None = None) -> tuple[VariableInfo, ...]:
    """The variable ops of a GraphDef (``columns``, when decoded, find them without walking every node)."""
    from tfinspect.tensors import shape_of
    from tfinspect.dtypes import dtype_name

    member_of: dict[str, list[str]] = {}
    for key, names in (collections or {}).items():
        for name in names:
            member_of.setdefault(name.split(":")[0], []).append(key)
    result = []
    if columns is not None:  # only the variable ops' own records are parsed
        nodes = [columns.node_def(i) for i in positions(columns.ops, VARIABLE_OPS)]
    else:
        nodes = graph_def.node
    for node in nodes:
        kind = VARIABLE_OPS.get(node.op)
        if kind is None:
            continue
        shape = shape_of(node.attr["shape"].shape) if "shape" in node.attr else None
        dtype = dtype_name(node.attr["dtype"].type) if "dtype" in node.attr else "unknown"
        result.append(VariableInfo(node.name, shape, dtype, trainable=node.name in trainable, kind=kind,
                                   created_by=CreatedBy.UNKNOWN, collections=tuple(member_of.get(node.name, ()))))
    return tuple(result)


def _collections(meta_graph) -> tuple[dict[str, tuple[CollectionMember, ...]], set[str]]:
    """MetaGraphDef collections as members; and the trainable variables' op names."""
    from tensorboard.compat.proto.variable_pb2 import VariableDef

    result: dict[str, tuple[CollectionMember, ...]] = {}
    trainable: set[str] = set()
    for key, collection in meta_graph.collection_def.items():
        kind = collection.WhichOneof("kind")
        members: list[CollectionMember] = []
        if kind == "node_list":
            for name in collection.node_list.value:
                members.append(CollectionMember("tensor" if ":" in name else "operation", name))
        elif kind == "bytes_list" and key in ("variables", "trainable_variables", "local_variables",
                                              "model_variables", "moving_average_variables"):
            for raw in collection.bytes_list.value:
                variable = VariableDef()
                try:
                    variable.ParseFromString(raw)
                except Exception:
                    continue
                members.append(CollectionMember("variable", variable.variable_name))
                if key == "trainable_variables" or variable.trainable:
                    trainable.add(variable.variable_name.split(":")[0])
        elif kind is not None:
            values = getattr(collection, kind).value
            members.extend(CollectionMember("other", None, type=kind) for _ in values)
        result[key] = tuple(members)
    return result, trainable


def graph_from_meta_graph(meta_graph, graph_id: int = 0) -> GraphCapture:
    collections, trainable = _collections(meta_graph)
    names = {k: [m.name for m in v if m.name] for k, v in collections.items()}
    return GraphCapture(graph_id, meta_graph.graph_def,
                        variables=variables_from_graph_def(meta_graph.graph_def, trainable, names),
                        collections=collections)


def load_meta_graph(path: str) -> Capture:
    from tensorboard.compat.proto.meta_graph_pb2 import MetaGraphDef

    meta_graph = parse_message(MetaGraphDef(), _read(path), path, "MetaGraphDef (.meta)")
    if not meta_graph.graph_def.node:
        raise SourceError(f"{path}: a MetaGraphDef without a graph")
    return Capture(source=path, origin="meta", graphs=(graph_from_meta_graph(meta_graph),),
                   runs=_signature_runs(meta_graph, 0, 0))


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


def _signature_runs(meta_graph, graph_id: int, first: int) -> tuple[RunRecord, ...]:
    """Each signature as a run that was never executed: its outputs fetched, its inputs fed."""
    runs = []
    for number, (key, signature) in enumerate(sorted(meta_graph.signature_def.items())):
        fetches = tuple(t.name for _, t in sorted(signature.outputs.items()))
        feeds = tuple(FeedInfo(t.name, "", ()) for _, t in sorted(signature.inputs.items()))
        runs.append(RunRecord(first + number, graph_id, fetches, feeds, None, RunStatus.STOPPED, 0,
                              error=f"signature {key!r}"))
    return tuple(runs)


def load_saved_model(path: str) -> Capture:
    from tensorboard.compat.proto.meta_graph_pb2 import MetaGraphDef

    file = os.path.join(path, "saved_model.pb")
    if not os.path.exists(file):
        raise SourceError(f"{path}: a directory without saved_model.pb (not a SavedModel)")
    graphs, runs = [], []
    for number, wire, value in _fields(_read(file), file):
        if number == 2 and wire == 2:
            meta_graph = parse_message(MetaGraphDef(), value, file, "SavedModel")
            graph = graph_from_meta_graph(meta_graph, len(graphs))
            graphs.append(graph)
            runs.extend(_signature_runs(meta_graph, graph.id, len(runs)))
    if not graphs:
        raise SourceError(f"{file}: a SavedModel without any MetaGraphDef")
    return Capture(source=path, origin="saved_model", graphs=tuple(graphs), runs=tuple(runs))


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
        for record in _records(_read(file), file):
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


def save_capture(directory: str, path: str, *, replace: bool = False) -> None:
    """Pack a capture directory into one file (a zip), atomically, through a temporary file of a unique
    name; without ``replace`` an existing ``path`` is never overwritten (FileExistsError)."""
    from tfinspect.fileio import write_atomic_with

    def pack(file) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for root, _, files in os.walk(directory):
                for name in files:
                    if name.startswith(".tmp-"):
                        continue
                    full = os.path.join(root, name)
                    archive.write(full, os.path.relpath(full, directory))

    write_atomic_with(path, pack, replace=replace)


SAVED_CAPTURE_LIMIT = 4 << 30  # what a saved capture may unpack to (a zip bomb is refused before any work)


def load_saved_capture(path: str) -> Capture:
    from tfinspect.load.protocol import METADATA
    from tfinspect.load.protocol.reader import read_capture_dir

    try:
        with zipfile.ZipFile(path) as archive:
            if METADATA not in archive.namelist():
                raise SourceError(f"{path}: a zip file, but not a tfinspect capture (no {METADATA})")
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            packed = os.path.getsize(path)
            if declared > SAVED_CAPTURE_LIMIT or len(members) > 100_000 or \
                    (declared > 256 << 20 and declared > 100 * packed):  # a zip bomb
                raise SourceError(f"{path}: the archive unpacks to {declared} bytes in {len(members)} files, "
                                  f"from {packed} bytes: not a capture tfinspect wrote (at most "
                                  f"{SAVED_CAPTURE_LIMIT >> 30} GiB, compressed at most 100 to 1)")
            from tfinspect.fileio import temporary_folder

            directory = temporary_folder("saved")
            for info in members:  # zipfile stops each member at its declared size and checks its CRC
                if info.is_dir() or info.filename.startswith("/") or ".." in info.filename.split("/"):
                    continue
                archive.extract(info, directory)
    except zipfile.BadZipFile:
        raise SourceError(f"{path}: not a saved tfinspect capture (a damaged or truncated zip)") from None
    try:
        return dataclasses.replace(read_capture_dir(directory), saved=path)
    except SourceError as e:  # name the file the user gave, not the temporary folder it was unpacked to
        raise SourceError(str(e).replace(directory, path)) from None


def load_graph_file(path: str) -> Capture:
    """Any graph file this module reads, by what it is.

    Every file is untrusted data: whatever goes wrong while reading it (a damaged record, a crafted
    archive, nesting that exhausts the parser) is one SourceError naming the file, never a traceback.
    """
    try:
        return _load_graph_file(path)
    except SourceError:
        raise
    except (MemoryError, RecursionError) as e:
        raise SourceError(f"{path}: too large or too deeply nested to read ({type(e).__name__})") from None
    except Exception as e:
        raise SourceError(damaged(path, e)) from None


def damaged(path: str, error: BaseException) -> str:
    """One line for a file that could not be read: what it is and what went wrong, without a traceback."""
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{path}: damaged or not a file tfinspect reads ({type(error).__name__}{': ' + detail if detail else ''})"


def _load_graph_file(path: str) -> Capture:
    if os.path.isdir(path):
        if os.path.exists(os.path.join(path, "saved_model.pb")):
            return load_saved_model(path)
        return load_events(path)
    if "tfevents" in os.path.basename(path):
        return load_events(path)
    if path.endswith(".meta"):
        return load_meta_graph(path)
    if path.endswith(CAPTURE_SUFFIX) or zipfile.is_zipfile(path):
        return load_saved_capture(path)
    graph_def, wire, columns = _read_graph_file(path)
    graph = GraphCapture(0, graph_def, variables=variables_from_graph_def(graph_def, columns=columns), wire=wire,
                         wire_origin=path)
    columns_of(graph, columns)
    return Capture(source=path, origin="graphdef", graphs=(graph,))


def _read_graph_file(path: str):
    """(GraphDef or None, wire bytes or None, NodeColumns or None) of a ``.pb`` or ``.pbtxt``.

    A binary GraphDef is not parsed whole here: its node columns are decoded (which checks the file's
    framing), and the GraphCapture parses the rest on first use. A truncated or foreign file fails here.
    """
    if path.endswith(".pbtxt"):
        graph_def = read_graph_def(path)
        return graph_def, None, node_columns(graph_def.SerializeToString())
    from google.protobuf.message import DecodeError

    wire = _read(path)
    try:
        columns = node_columns(wire)
    except DecodeError as e:
        raise SourceError(f"{path}: not a binary GraphDef, or a truncated one ({e})") from None
    if columns is not None and (columns.names or not wire):
        return None, wire, columns
    graph_def, _ = read_graph_def_and_bytes(path)  # no nodes, or misaligned columns: the whole parse decides
    return graph_def, wire, None


def is_graph_file(path: str) -> bool:
    name = os.path.basename(path.rstrip("/"))
    return name.endswith(GRAPH_SUFFIXES + (CAPTURE_SUFFIX,)) or "tfevents" in name or os.path.isdir(path)
