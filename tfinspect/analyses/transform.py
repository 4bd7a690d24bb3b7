"""GraphDefs made from a graph: the part a fetch runs, and one with its large constants emptied."""

from __future__ import annotations

from tfinspect.analyses.subgraph import plan


def subgraph_graph_def(graph_def, index, fetches: list[str]):
    """A GraphDef of only what fetching ``fetches`` runs (the graph's function library and versions kept)."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    mask = plan(index, fetches).mask
    out = GraphDef()
    out.node.extend(node for node, keep in zip(graph_def.node, mask) if keep)
    out.library.CopyFrom(graph_def.library)
    out.versions.CopyFrom(graph_def.versions)
    return out


def strip_large_constants(graph_def, limit: int) -> int:
    """Empty constants over ``limit`` bytes in place; returns how many. A stripped constant keeps its
    dtype and shape, holds zeros, and is marked with the attr ``_tfinspect_stripped_bytes``."""
    count = 0
    for node in graph_def.node:
        if node.op != "Const" or "value" not in node.attr:
            continue
        tensor = node.attr["value"].tensor
        size = tensor.ByteSize()
        if size <= limit:
            continue
        shape, dtype = type(tensor.tensor_shape)(), tensor.dtype
        shape.CopyFrom(tensor.tensor_shape)
        tensor.Clear()
        tensor.dtype = dtype
        tensor.tensor_shape.CopyFrom(shape)
        node.attr["_tfinspect_stripped_bytes"].i = size
        count += 1
    return count
