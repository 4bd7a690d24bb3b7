"""Graph files in, without importing TensorFlow: GraphDef ``.pb`` and ``.pbtxt``.

Parsing uses the protobuf classes that the ``tensorboard`` package ships in
``tensorboard.compat.proto`` (the same wire format as TensorFlow's own).
Variables are derived from the variable ops the graph holds.
"""

from __future__ import annotations

import os

from tfinspect.load.model import Capture, CreatedBy, GraphCapture, VariableInfo, VariableKind
from tfinspect.errors import SourceError

VARIABLE_OPS = {"VariableV2": VariableKind.REF, "Variable": VariableKind.REF, "VarHandleOp": VariableKind.RESOURCE}
GRAPH_SUFFIXES = (".pb", ".pbtxt", ".graphdef")


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
    from google.protobuf import text_format
    from google.protobuf.message import DecodeError
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    data = _read(path)
    graph_def = GraphDef()
    if path.endswith(".pbtxt"):
        try:
            text_format.Parse(data.decode("utf-8"), graph_def)
        except (text_format.ParseError, UnicodeDecodeError) as e:
            raise SourceError(f"{path}: not a text GraphDef ({e})") from None
    else:
        try:
            graph_def.ParseFromString(data)
        except DecodeError as e:
            raise SourceError(f"{path}: not a binary GraphDef, or a truncated one ({e})") from None
    if data and not graph_def.node and not graph_def.library.function:
        raise SourceError(f"{path}: parsed as a GraphDef but holds no nodes; is it another kind of file?")
    return graph_def


def variables_from_graph_def(graph_def) -> tuple[VariableInfo, ...]:
    from tfinspect.dtypes import dtype_name

    result = []
    for node in graph_def.node:
        kind = VARIABLE_OPS.get(node.op)
        if kind is None:
            continue
        shape = None
        if "shape" in node.attr and not node.attr["shape"].shape.unknown_rank:
            shape = tuple(None if d.size < 0 else int(d.size) for d in node.attr["shape"].shape.dim)
        dtype = dtype_name(node.attr["dtype"].type) if "dtype" in node.attr else "unknown"
        result.append(VariableInfo(node.name, shape, dtype, trainable=False, kind=kind,
                                   created_by=CreatedBy.UNKNOWN))
    return tuple(result)


def load_graph_file(path: str) -> Capture:
    graph_def = read_graph_def(path)
    graph = GraphCapture(0, graph_def, variables=variables_from_graph_def(graph_def))
    return Capture(source=path, origin="graphdef", graphs=(graph,))


def is_graph_file(path: str) -> bool:
    return os.path.basename(path).endswith(GRAPH_SUFFIXES)
