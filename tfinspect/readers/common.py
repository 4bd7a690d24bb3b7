"""What every reader shares: reading a file's bytes, the one-line error for a damaged file, variables and
collections of a GraphDef or MetaGraphDef, and a MetaGraphDef's signatures."""

from __future__ import annotations

from tfinspect.core.errors import SourceError
from tfinspect.core.optypes import VARIABLE_OPS
from tfinspect.index.columns import NodeColumns, positions
from tfinspect.record.model import (
    CollectionMember,
    CreatedBy,
    GraphCapture,
    Signature,
    SignatureTensor,
    VariableInfo,
    VariableKind,
)



def read_bytes(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory, not a graph file") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None


def damaged(path: str, error: BaseException) -> str:
    """One line for a file that could not be read: what it is and what went wrong, without a traceback."""
    detail = str(error).splitlines()[0][:200] if str(error) else ""
    return f"{path}: damaged or not a file tfinspect reads ({type(error).__name__}{': ' + detail if detail else ''})"


def variables_from_graph_def(graph_def, trainable: set[str] | None = None,
                             collections: dict[str, list[str]] | None = None,
                             columns: NodeColumns | None = None) -> tuple[VariableInfo, ...]:
    """The variable ops of a GraphDef (``columns``, when decoded, find them without walking every node).

    ``trainable``: the trainable variables' names, from a MetaGraphDef's collections; None for a bare GraphDef,
    which does not say (their ``trainable`` is then None: unknown, not "no").
    """
    from tfinspect.index.tensors import shape_of
    from tfinspect.core.dtypes import dtype_name

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
        kind = VariableKind(kind) if kind else None
        if kind is None:
            continue
        shape = shape_of(node.attr["shape"].shape) if "shape" in node.attr else None
        dtype = dtype_name(node.attr["dtype"].type) if "dtype" in node.attr else "unknown"
        result.append(VariableInfo(node.name, shape, dtype, trainable=None if trainable is None else node.name in trainable, kind=kind,
                                   created_by=CreatedBy.UNKNOWN, collections=tuple(member_of.get(node.name, ()))))
    return tuple(result)


def meta_graph_collections(meta_graph) -> tuple[dict[str, tuple[CollectionMember, ...]], set[str]]:
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
    collections, trainable = meta_graph_collections(meta_graph)
    names = {k: [m.name for m in v if m.name] for k, v in collections.items()}
    return GraphCapture(graph_id, meta_graph.graph_def,
                        variables=variables_from_graph_def(meta_graph.graph_def, trainable, names),
                        collections=collections)


def _signature_tensor(key: str, info) -> SignatureTensor:
    from tfinspect.core.dtypes import dtype_name

    shape = info.tensor_shape
    dims = None if shape.unknown_rank else tuple(None if d.size < 0 else int(d.size) for d in shape.dim)
    return SignatureTensor(key, info.name or info.coo_sparse.values_tensor_name, dtype_name(info.dtype), dims)


def signatures_of(meta_graph, graph_id: int) -> tuple[Signature, ...]:
    """A MetaGraphDef's signatures, by name, with the dtypes and shapes they declare."""
    return tuple(
        Signature(key, graph_id, signature.method_name,
                  tuple(_signature_tensor(k, t) for k, t in sorted(signature.inputs.items())),
                  tuple(_signature_tensor(k, t) for k, t in sorted(signature.outputs.items())))
        for key, signature in sorted(meta_graph.signature_def.items())
    )
