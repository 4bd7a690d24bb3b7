"""GraphDef files: binary ``.pb`` (node columns first, the full parse on first use) and text ``.pbtxt``."""

from __future__ import annotations

from tfinspect.core.errors import SourceError
from tfinspect.index.columns import columns_of, node_columns
from tfinspect.readers.common import read_bytes, variables_from_graph_def
from tfinspect.record.model import Capture, GraphCapture
from tfinspect.record.layout import graph_def_from_bytes, parse_message


def read_graph_def(path: str):
    """Parse a binary (``.pb``) or text (``.pbtxt``) GraphDef.

    Raises:
        SourceError: the file is missing, truncated, or not a GraphDef.
    """
    return read_graph_def_and_bytes(path)[0]


def read_graph_def_and_bytes(path: str):
    """The GraphDef of a ``.pb`` or ``.pbtxt`` file, and its serialized bytes (None for text)."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    data = read_bytes(path)
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


def _read_graph_file(path: str):
    """(GraphDef or None, wire bytes or None, NodeColumns or None) of a ``.pb`` or ``.pbtxt``.

    A binary GraphDef's node columns are decoded (names, ops, inputs in C, without a Python object per
    node), and the whole file is parsed too: protobuf's verdict on the file is every command's verdict (a
    corrupt attribute deep in one node fails summary as it fails graph, check and diff), and the parse
    costs about 11 ms per 100,000 ops. A truncated or foreign file fails here.
    """
    if path.endswith(".pbtxt"):
        graph_def = read_graph_def(path)
        return graph_def, None, node_columns(graph_def.SerializeToString())
    from google.protobuf.message import DecodeError

    wire = read_bytes(path)
    try:
        columns = node_columns(wire)
    except DecodeError as e:
        raise SourceError(f"{path}: not a binary GraphDef, or a truncated one ({e})") from None
    if columns is not None and (columns.names or not wire):
        return graph_def_from_bytes(wire, path), wire, columns
    graph_def, _ = read_graph_def_and_bytes(path)  # no nodes, or misaligned columns: the whole parse decides
    return graph_def, wire, None


def load_graph_def(path: str) -> Capture:
    graph_def, wire, columns = _read_graph_file(path)
    graph = GraphCapture(0, graph_def, variables=variables_from_graph_def(graph_def, columns=columns), wire=wire,
                         wire_origin=path)
    columns_of(graph, columns)
    return Capture(source=path, origin="graphdef", graphs=(graph,))
