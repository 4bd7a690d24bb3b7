"""A GraphDef's nodes as columns: every name, op type, input and device in flat lists, decoded in C.

Walking ``graph_def.node`` in Python costs about a microsecond per node,
nearly all of it creating a wrapper object per node and per input list. The
wire format offers a shortcut. Protobuf merges repeated occurrences of a
*singular* message field into one message, and merging concatenates repeated
fields. So, decoded with a schema that declares GraphDef's field 1 (``node``)
as one message whose name (1), op (2), input (3) and device (4) fields are
repeated strings, a whole GraphDef becomes four flat lists in a single parse,
without a Python object per node. Node attributes (field 5) and the rest of
the GraphDef are skipped as unknown fields.

What the merge loses is where each node's inputs end: ``input_counts`` gets
those from a second schema (nodes holding only their inputs), one length per
node. Proto3 omits empty strings, so ``devices`` lists only the placed nodes.
A node without a name or op type (an invalid GraphDef) would misalign the
columns; :func:`node_columns` then returns None and callers walk the protos.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from weakref import WeakKeyDictionary


@dataclass(frozen=True)
class NodeColumns:
    names: list[str]
    ops: list[str]
    inputs: list[str]  # every node's inputs, concatenated in node order
    devices: list[str]  # the non-empty device fields only, in node order


@lru_cache(maxsize=1)
def _classes():
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    file = descriptor_pb2.FileDescriptorProto(name="tfinspect/node_columns.proto", package="tfinspect_columns",
                                              syntax="proto3")
    columns = file.message_type.add(name="Columns")
    for number, name in ((1, "name"), (2, "op"), (3, "input"), (4, "device")):
        columns.field.add(name=name, number=number, type=field.TYPE_STRING, label=field.LABEL_REPEATED)
    merged = file.message_type.add(name="MergedGraph")
    merged.field.add(name="node", number=1, type=field.TYPE_MESSAGE, label=field.LABEL_OPTIONAL,
                     type_name=".tfinspect_columns.Columns")
    inputs_only = file.message_type.add(name="InputsOnly")
    inputs_only.field.add(name="input", number=3, type=field.TYPE_STRING, label=field.LABEL_REPEATED)
    per_node = file.message_type.add(name="InputsPerNode")
    per_node.field.add(name="node", number=1, type=field.TYPE_MESSAGE, label=field.LABEL_REPEATED,
                       type_name=".tfinspect_columns.InputsOnly")
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    get = message_factory.GetMessageClass
    return (get(pool.FindMessageTypeByName("tfinspect_columns.MergedGraph")),
            get(pool.FindMessageTypeByName("tfinspect_columns.InputsPerNode")))


def node_columns(data: bytes, node_count: int | None = None) -> NodeColumns | None:
    """The columns of a serialized GraphDef; None when they would not line up with the nodes.

    ``node_count``, when known (from a parsed GraphDef), is checked against the names decoded.
    """
    merged_class, _ = _classes()
    merged = merged_class()
    merged.ParseFromString(data)
    node = merged.node
    names, ops = list(node.name), list(node.op)
    if len(names) != len(ops) or (node_count is not None and len(names) != node_count):
        return None
    return NodeColumns(names, ops, list(node.input), list(node.device))


def positions(items: list[str], wanted) -> list[int]:
    """Where any of the ``wanted`` values occur in ``items``, in order. ``list.index`` scans in C, so
    finding the few variables or placeholders among a million op types costs a few milliseconds."""
    found: list[int] = []
    for value in wanted:
        start = 0
        while True:
            try:
                start = items.index(value, start)
            except ValueError:
                break
            found.append(start)
            start += 1
    found.sort()
    return found


def input_counts(data: bytes, node_count: int):
    """How many inputs each node of a serialized GraphDef has (an int64 array, one per node)."""
    import numpy as np  # here, not at the top: `summary` never needs numpy, and importing it costs 0.1 s

    _, per_node_class = _classes()
    per_node = per_node_class()
    per_node.ParseFromString(data)
    return np.fromiter((len(n.input) for n in per_node.node), dtype=np.int64, count=node_count)


_columns: "WeakKeyDictionary" = WeakKeyDictionary()


def columns_of(graph, known: NodeColumns | None = None) -> NodeColumns | None:
    """The columns of a GraphCapture, decoded once (``known``: columns a loader already decoded for it)."""
    if known is not None:
        _columns[graph] = known
    if graph not in _columns:
        data = graph.wire if graph.wire is not None else graph.graph_def.SerializeToString()
        _columns[graph] = node_columns(data, len(graph.graph_def.node))
    return _columns[graph]
