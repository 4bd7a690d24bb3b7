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

What the merge loses is where each node's inputs end. A second schema keeps
each node's serialized NodeDef as bytes (``records``): ``input_counts`` walks
those records for all nodes at once with numpy (protobuf per node is the
fallback), and a single node (a variable, a large constant) is parsed from
its own record when needed, so a large GraphDef is never parsed whole for
names and edges. Proto3 omits empty strings, so ``devices`` lists only the
placed nodes. A node without a name or op type (an invalid GraphDef) would
misalign the columns; :func:`node_columns` then returns None and callers
walk the protos.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from weakref import WeakKeyDictionary


@dataclass(frozen=True)
class NodeColumns:
    names: list[str]
    ops: list[str]
    inputs: list[str]  # every node's inputs, concatenated in node order
    devices: list[str]  # the non-empty device fields only, in node order
    records: object = field(default=None, repr=False, compare=False)  # NodeBodies: each node's serialized NodeDef
    # where each node's record lies in the serialized GraphDef: {"data", "ends", "lengths"} (record_spans)
    layout: dict = field(default_factory=dict, repr=False, compare=False)

    def node_def(self, i: int):
        """Node ``i`` as a NodeDef, parsed from its own record (no need to parse the whole GraphDef)."""
        from tensorboard.compat.proto.node_def_pb2 import NodeDef

        return NodeDef.FromString(self.records.node[i])

    def record_size(self, i: int) -> int:
        """Bytes of node ``i``'s serialized NodeDef."""
        return len(self.records.node[i])

    def record_spans(self):
        """(the serialized GraphDef as a uint8 array, each node record's end offset in it, each record's length),
        for comparing many records at once without a bytes object per node; None unless the input-count walk
        found the records one after another at the GraphDef's start, as TensorFlow writes them (then compare
        ``records`` one by one)."""
        import numpy as np

        if "ends" not in self.layout:
            return None
        return np.frombuffer(self.layout["data"], dtype=np.uint8), self.layout["ends"], self.layout["lengths"]


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
    bodies = file.message_type.add(name="NodeBodies")
    bodies.field.add(name="node", number=1, type=field.TYPE_BYTES, label=field.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    get = message_factory.GetMessageClass
    return (get(pool.FindMessageTypeByName("tfinspect_columns.MergedGraph")),
            get(pool.FindMessageTypeByName("tfinspect_columns.InputsPerNode")),
            get(pool.FindMessageTypeByName("tfinspect_columns.NodeBodies")))


def node_columns(data: bytes) -> NodeColumns | None:
    """The columns of a serialized GraphDef; None when they would not line up with its nodes (a node
    without a name or op type).

    Raises:
        google.protobuf.message.DecodeError: ``data`` is not a well-formed GraphDef.
    """
    merged_class, _, bodies_class = _classes()
    merged = merged_class()
    merged.ParseFromString(data)
    node = merged.node
    names, ops, inputs, devices = list(node.name), list(node.op), list(node.input), list(node.device)
    del merged, node
    records = bodies_class()
    records.ParseFromString(data)
    if not len(names) == len(ops) == len(records.node):
        return None
    return NodeColumns(names, ops, inputs, devices, records)


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


def input_counts(data: bytes, columns: NodeColumns):
    """How many inputs each node of a serialized GraphDef has (an int64 array, one per node)."""
    import numpy as np  # here, not at the top: `summary` never needs numpy, and importing it costs 0.1 s

    node_count = len(columns.names)
    counts = _walk_input_counts(data, columns.records, node_count, np, columns.layout)
    if counts is not None and int(counts.sum()) == len(columns.inputs):
        return counts
    columns.layout.clear()  # not laid out as the walk assumed: no spans either
    _, per_node_class, _ = _classes()
    per_node = per_node_class()
    per_node.ParseFromString(data)
    return np.fromiter((len(n.input) for n in per_node.node), dtype=np.int64, count=node_count)


_TAIL = 16  # nodes still being walked when the rest is done in plain Python


def _walk_input_counts(data: bytes, records, node_count: int, np, layout: dict | None = None):
    """Input counts read from the wire bytes for all nodes at once, with numpy; None where the bytes are
    not laid out the way TensorFlow and protobuf write them (then the caller asks protobuf, node by node).

    The layout relied on, and checked: the GraphDef's nodes come first, each as tag 0x0a, a varint length
    and the NodeDef; a NodeDef's fields are length-delimited with one-byte tags and are written in field
    order, so its inputs (field 3, tag 0x1a) follow its name and op and precede everything else. Each step
    reads one field of every node still walking; a node stops at its first field after the inputs. A node
    whose fields were out of order could only be undercounted, and the caller compares the total with the
    inputs the column decode found.
    """
    if records is None:
        records = _classes()[2]()
        records.ParseFromString(data)
    if len(records.node) != node_count:
        return None
    lengths = np.fromiter(map(len, records.node), dtype=np.int64, count=node_count)
    if not node_count:
        return lengths
    header = 2 + (lengths >= 1 << 7) + (lengths >= 1 << 14) + (lengths >= 1 << 21) + (lengths >= 1 << 28)
    stop = np.cumsum(header + lengths)
    pos = stop - lengths
    buf = np.frombuffer(data, dtype=np.uint8)
    if stop[-1] > len(buf) or (buf[pos - header] != 0x0A).any():
        return None
    if layout is not None:  # kept: diff compares the records of two graphs by these spans
        layout.update(data=data, ends=stop.copy(), lengths=lengths)
    last = len(buf) - 1
    counts = np.zeros(node_count, dtype=np.int64)
    active = np.flatnonzero(lengths)
    while len(active) > _TAIL:
        at = pos[active]
        tag = buf[at]
        if ((tag & 0x87) != 2).any():  # not a one-byte tag of a length-delimited field
            return None
        counts[active] += tag == 0x1A
        start = at + 1
        byte = buf[np.minimum(start, last)].astype(np.int64)
        length = byte & 0x7F
        size = np.ones(len(active), dtype=np.int64)
        more = np.flatnonzero(byte >= 0x80)
        shift = 7
        while len(more):
            if shift > 28:
                return None
            byte = buf[np.minimum(start[more] + size[more], last)].astype(np.int64)
            length[more] |= (byte & 0x7F) << shift
            size[more] += 1
            more = more[byte >= 0x80]
            shift += 7
        after = start + size + length
        end = stop[active]
        if (after > end).any():
            return None
        pos[active] = after
        active = active[(after < end) & (tag <= 0x1A)]  # fields 1-3 so far: inputs may follow
    for node in active.tolist():  # the few nodes with many inputs, one by one
        at, end, found = int(pos[node]), int(stop[node]), 0
        try:
            while at < end:
                tag = data[at]
                if tag & 0x87 != 2:
                    return None
                at, length, shift = at + 1, 0, 0
                while True:
                    byte = data[at]
                    at += 1
                    length |= (byte & 0x7F) << shift
                    if byte < 0x80:
                        break
                    shift += 7
                at += length
                found += tag == 0x1A
                if tag > 0x1A:
                    break
        except IndexError:
            return None
        if at > end:
            return None
        counts[node] += found
    return counts


_columns: "WeakKeyDictionary" = WeakKeyDictionary()


def columns_of(graph, known: NodeColumns | None = None) -> NodeColumns | None:
    """The columns of a GraphCapture, decoded once (``known``: columns a loader already decoded for it)."""
    if known is not None:
        _columns[graph] = known
    if graph not in _columns:
        _columns[graph] = node_columns(graph.wire if graph.wire is not None else graph.graph_def.SerializeToString())
    return _columns[graph]
