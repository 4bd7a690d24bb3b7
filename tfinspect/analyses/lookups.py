"""Ops that index a table, how large the table is, and where their ids come from.

Per-op knowledge is two lookup tables: ``LOOKUP_HANDLERS`` (op type -> which
input holds the ids and how many rows are valid) and ``PRESERVING`` (op type
-> the inputs whose values pass through unchanged: Identity, Cast, Reshape,
ConcatV2, ...). A new op is one row, not an edit in the checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from tfinspect.index.graphindex import GraphIndex
from tfinspect.core.optypes import PLACEHOLDER_OPS, SOURCE_VALUE_OPS
from tfinspect.index.tensors import output_shape, shape_of, tensor_value


@dataclass(frozen=True)
class Origin:
    """Where ids come from: ``const``, ``placeholder``, ``sampler``, ``dataset`` or ``unknown``."""

    kind: str
    node: int
    port: int
    reason: str = ""  # for unknown origins: what the ids come from
    # The path wraps negative ids around once, as Python indexing does (Keras 3's Embedding:
    # ``where(ids < 0, ids + rows, ids)``), so ids in [-size, size) are valid.
    wraps_negative: bool = False


@dataclass(frozen=True)
class Lookup:
    node: int  # the op that indexes
    kind: str  # "gather", "sampler", "sparse_softmax", "one_hot"
    ids: tuple[int, int]  # (node, port) of the ids tensor
    size: int | None  # valid ids are [0, size); None when the size is not static
    table: int | None  # node of the table (the variable), when there is one
    what: str  # "table nce_bias (128 rows)", "sampler range_max 50000", ...
    origins: tuple[Origin, ...]
    unsized: str = ""  # why ``size`` is None, where there is more to say than "not known statically"

    def low(self, origin: Origin) -> int:
        """The smallest valid id coming from ``origin``: 0, or ``-size`` where the path wraps negatives."""
        return -self.size if origin.wraps_negative and self.size is not None else 0


def _input(index: GraphIndex, node: int, position: int) -> tuple[int, int] | None:
    """(producer, port) of data input ``position`` of ``node``."""
    inputs = index.data_inputs(node)
    if position >= len(inputs) or inputs[position][0] < 0:
        return None
    return inputs[position]


def _node(index: GraphIndex, node: int):
    return index.graph_def.node[node]


def _table(index: GraphIndex, producer: tuple[int, int] | None) -> int | None:
    """Follow a params input back through reads to the variable it reads."""
    while producer is not None:
        node = producer[0]
        if index.op_types[node] in SOURCE_VALUE_OPS:
            return node
        if index.op_types[node] not in ("Identity", "ReadVariableOp", "Enter"):
            return node
        producer = _input(index, node, 0)
    return None


def _rows(index: GraphIndex, producer: tuple[int, int] | None, dim: int = 0) -> int | None:
    if producer is None:
        return None
    node, port = producer
    if index.op_types[node] in ("VarHandleOp", "VariableV2", "Variable"):  # the variable's shape is an attr (a
        attr = _node(index, node).attr  # handle's output is a scalar; a GraphDef may lack _output_shapes)
        shape = shape_of(attr["shape"].shape) if "shape" in attr else None
    else:
        shape = output_shape(_node(index, node), port)
    if not shape or not -len(shape) <= dim < len(shape) or shape[dim] is None:
        return None
    return int(shape[dim])


# Ops whose output is a shape, not a table: gathers from them are shape arithmetic (gradients of reductions).
_SHAPE_OPS = frozenset({"Shape", "ShapeN", "Size", "Rank"})


def _sized_table(index: GraphIndex, node: int, dims: range) -> tuple[int | None, str, list[int | None]] | None:
    """(table, its name, its sizes along ``dims``) for the params input of the indexing op ``node``; None
    when the params are a shape, not a table."""
    params = _input(index, node, 0)
    table = _table(index, params)
    if table is not None and index.op_types[table] in _SHAPE_OPS:
        return None
    if index.op_types[node].startswith("Resource"):  # a resource handle is a scalar; its variable has the shape
        sizes = [_rows(index, (table, 0), dim=d) if table is not None else None for d in dims]
    else:  # the params' shape, or where a GraphDef has no _output_shapes, the variable's read through
        sizes = [_rows(index, params, dim=d) for d in dims]
        if table is not None and None in sizes and index.op_types[table] in ("VariableV2", "Variable"):
            sizes = [size if size is not None else _rows(index, (table, 0), dim=d) for size, d in zip(sizes, dims)]
    return table, index.names[table] if table is not None else "?", sizes


def _gather(index: GraphIndex, node: int):
    axis = 0
    if index.op_types[node] == "GatherV2":
        axis_input = _input(index, node, 2)
        if axis_input is not None:
            value = None
            if index.op_types[axis_input[0]] == "Const":
                value = tensor_value(_node(index, axis_input[0]).attr["value"].tensor)
            if value is None:
                found = _sized_table(index, node, range(0))
                if found is None:
                    return None
                return (_input(index, node, 1), None, found[0], f"table {found[1]}",
                        f"it gathers along an axis computed at run time ({index.names[axis_input[0]]})")
            axis = int(value)
    elif index.op_types[node] == "ResourceGather":  # gathers along its batch_dims axis
        attr = _node(index, node).attr
        axis = int(attr["batch_dims"].i) if "batch_dims" in attr else 0
    found = _sized_table(index, node, range(axis, axis + 1))
    if found is None:
        return None
    table, name, (rows,) = found
    size = rows if rows is not None else "?"
    what = f"table {name} ({size} rows)" if axis == 0 else f"axis {axis} of {name} (size {size})"
    return _input(index, node, 1), rows, table, what


def _gather_nd(index: GraphIndex, node: int):
    """GatherNd whose index vectors have one component (``tf.gather_nd(table, ids[..., None])``): a row
    lookup. Index vectors of several components address several dimensions, each with its own bound; they
    are sized only when those dimensions are all as large, as in a square table."""
    indices = _input(index, node, 1)
    if indices is None:
        return None
    shape = output_shape(_node(index, indices[0]), indices[1])
    depth = shape[-1] if shape else None
    attr = _node(index, node).attr
    if depth is None or depth < 1 or ("batch_dims" in attr and attr["batch_dims"].i):
        return None
    found = _sized_table(index, node, range(depth))
    if found is None:
        return None
    table, name, dims = found
    if len(set(dims)) != 1:  # one bound per component, which a lookup does not have
        column = _one_id_column(index, indices, depth)
        if column is not None:  # tf.stack([tf.range(n), ids], axis=1): the positions are valid by making
            k, ids = column
            size = dims[k] if dims[k] is not None else "?"
            return ids, dims[k], table, f"dimension {k} of {name} (size {size})"
        shown = ", ".join("?" if d is None else str(d) for d in dims)
        return (indices, None, table, f"table {name}",
                f"its {depth}-component indices address dimensions of different sizes ({shown})")
    rows = dims[0]
    size = rows if rows is not None else "?"
    what = f"table {name} ({size} rows)" if depth == 1 else f"the first {depth} dimensions of {name} (size {size})"
    return indices, rows, table, what


def _one_id_column(index: GraphIndex, indices: tuple[int, int], depth: int) -> tuple[int, tuple[int, int]] | None:
    """``(k, ids)`` when GatherNd's index vectors are stacked from ``depth`` columns and every column but
    the k-th is a ``tf.range`` (positions in the batch, as in ``gather_nd(q, stack([range(n), actions], 1))``);
    else None."""
    pack = _node(index, indices[0])
    if index.op_types[indices[0]] != "Pack" or indices[1] != 0:
        return None
    columns = index.data_inputs(indices[0])
    shape = output_shape(pack, 0)
    axis = int(pack.attr["axis"].i) if "axis" in pack.attr else 0
    if len(columns) != depth or not shape or axis not in (-1, len(shape) - 1):
        return None
    ids = [(k, column) for k, column in enumerate(columns) if index.op_types[column[0]] != "Range"]
    return ids[0] if len(ids) == 1 else None


def _partitioned(index: GraphIndex, node: int, parts: dict[int, int]):
    """``embedding_lookup`` over a partitioned table (a list of variables, or a partitioner).

    TensorFlow splits the ids with DynamicPartition and gathers from each part with ids it computed; the
    ids the user wrote are valid in [0, rows of all parts together). ``parts`` maps each output port of
    the DynamicPartition to the gather that reads it.
    """
    count = int(_node(index, node).attr["num_partitions"].i)
    sized = [_gather(index, parts[port]) if port in parts else None for port in range(count)]
    rows = [found[1] if found is not None else None for found in sized]
    total = sum(rows) if rows and None not in rows else None
    tables = [found[2] for found in sized if found is not None]
    table = tables[0] if tables else None
    name = re.sub(r"/part_\d+$", "", index.names[table]) if table is not None else "?"
    what = f"partitioned table {name} ({total if total is not None else '?'} rows in {count} parts)"
    return _partition_ids(index, node), total, table, what


# What embedding_lookup computes a partition assignment and the ids within a part with.
_PARTITION_ARITHMETIC = frozenset({"FloorDiv", "FloorMod", "Div", "Mod", "Sub", "Add", "AddV2", "Mul", "Maximum",
                                   "Minimum", "Select", "SelectV2", "Less", "Greater", "Cast", "Identity"})


def _partition_ids(index: GraphIndex, node: int) -> tuple[int, int] | None:
    """The ids tensor the partition assignment is computed from: the one input of the arithmetic that is
    not a constant (embedding_lookup's flattened ids). When there is not exactly one, the DynamicPartition's
    data input, whose origins then say what computed it."""
    start = _input(index, node, 1)
    found: set[tuple[int, int]] = set()
    seen: set[tuple[int, int]] = set()
    todo = [start] if start is not None else []
    while todo and len(seen) < 100:
        producer = todo.pop()
        if producer in seen:
            continue
        seen.add(producer)
        op = index.op_types[producer[0]]
        if op == "Const":
            continue
        if op in _PARTITION_ARITHMETIC:
            todo.extend(i for i in index.data_inputs(producer[0]) if i[0] >= 0)
        else:
            found.add(producer)
    return found.pop() if len(found) == 1 else _input(index, node, 0)


def _sampler(index: GraphIndex, node: int):
    attr = _node(index, node).attr
    range_max = int(attr["range_max"].i) if "range_max" in attr else None
    return _input(index, node, 0), range_max, None, f"candidate sampler range_max {range_max}"


def _sparse_softmax(index: GraphIndex, node: int):
    logits = _input(index, node, 0)
    width = _rows(index, logits, dim=-1)
    if width is None and logits is not None:  # logits of rank > 2, flattened by TensorFlow itself
        width = _rows(index, _kept_last_dim(index, logits), dim=-1)
    return _input(index, node, 1), width, None, f"logits width {width}"


def _kept_last_dim(index: GraphIndex, tensor: tuple[int, int]) -> tuple[int, int] | None:
    """``x`` when ``tensor`` is ``reshape(x, [-1, shape(x)[-1]])``, as sparse_softmax_cross_entropy_with_logits
    flattens logits of rank 3 or more (its static shape then loses the width, which is still x's last
    dimension); else None."""
    node = tensor[0]
    if index.op_types[node] != "Reshape":
        return None
    inputs = index.data_inputs(node)
    if len(inputs) != 2 or index.op_types[inputs[1][0]] != "Pack":
        return None
    last = index.data_inputs(inputs[1][0])[-1:]
    if not last or index.op_types[last[0][0]] != "StridedSlice":
        return None
    shape = index.data_inputs(last[0][0])[:1]
    if not shape or index.op_types[shape[0][0]] != "Shape" or index.data_inputs(shape[0][0])[:1] != inputs[:1]:
        return None
    return inputs[0]


def _one_hot(index: GraphIndex, node: int):
    depth_input = _input(index, node, 1)
    depth = None
    if depth_input is not None and index.op_types[depth_input[0]] == "Const":
        value = tensor_value(_node(index, depth_input[0]).attr["value"].tensor)
        depth = int(value) if value is not None else None
    return _input(index, node, 0), depth, None, f"one_hot depth {depth}"


SAMPLERS = ("LogUniformCandidateSampler", "UniformCandidateSampler", "LearnedUnigramCandidateSampler",
            "FixedUnigramCandidateSampler", "ThreadUnsafeUnigramCandidateSampler", "AllCandidateSampler")

# (ids, size, table, what[, why the size is None]), or None: not a lookup after all
Handler = Callable[[GraphIndex, int], tuple]
LOOKUP_HANDLERS: dict[str, tuple[str, Handler]] = {
    "Gather": ("gather", _gather),
    "GatherV2": ("gather", _gather),
    "ResourceGather": ("gather", _gather),
    "GatherNd": ("gather", _gather_nd),
    "ResourceGatherNd": ("gather", _gather_nd),
    "SparseSoftmaxCrossEntropyWithLogits": ("sparse_softmax", _sparse_softmax),
    "OneHot": ("one_hot", _one_hot),
    # what embedding_lookup_sparse computes with: input 1 indexes the rows of input 0, as Gather's does
    **{f"SparseSegment{reduce}{suffix}": ("gather", _gather)
       for reduce in ("Sum", "Mean", "SqrtN") for suffix in ("", "WithNumSegments")},
    **{op: ("sampler", _sampler) for op in SAMPLERS},
}

ALL_DATA_INPUTS = -1
# op type -> data inputs whose values reach the output unchanged (ALL_DATA_INPUTS: every one)
PRESERVING: dict[str, tuple[int, ...]] = {
    "Identity": (0,), "Snapshot": (0,), "StopGradient": (0,), "Cast": (0,), "Reshape": (0,),
    "ExpandDims": (0,), "Squeeze": (0,), "StridedSlice": (0,), "Slice": (0,), "Transpose": (0,),
    "Tile": (0,), "Unpack": (0,), "Pack": (ALL_DATA_INPUTS,), "ConcatV2": (ALL_DATA_INPUTS,),
    "Enter": (0,), "Switch": (0,), "Merge": (ALL_DATA_INPUTS,), "BroadcastTo": (0,),
}
# op type -> (output port or None for every one, input): that output holds only values of that input.
SUBSET_OF_INPUT: dict[str, tuple[int | None, int]] = {
    "Unique": (0, 0), "UniqueV2": (0, 0), "UniqueWithCounts": (0, 0), "DynamicPartition": (None, 0),
}
# ConcatV2's last input and Concat's first are the axis, not values.
_AXIS_INPUT = {"ConcatV2": -1, "Concat": 0}


def _wrapped(index: GraphIndex, node: int) -> tuple[int, int] | None:
    """``x`` when ``node`` is ``where(x < 0, x + n, x)`` (negative ids wrap around, as Keras 3's Embedding
    does); else None."""
    inputs = index.data_inputs(node)
    if len(inputs) != 3 or min(i[0] for i in inputs) < 0:
        return None
    condition, added, kept = inputs
    if index.op_types[condition[0]] != "Less" or index.op_types[added[0]] not in ("Add", "AddV2"):
        return None
    compared, zero = (index.data_inputs(condition[0]) + [(-1, 0), (-1, 0)])[:2]
    if compared != kept or zero[0] < 0 or index.op_types[zero[0]] != "Const":
        return None
    value = tensor_value(_node(index, zero[0]).attr["value"].tensor)
    if value is None or np.any(np.asarray(value) != 0) or kept not in index.data_inputs(added[0]):
        return None
    return kept


def trace_origins(index: GraphIndex, start: tuple[int, int], limit: int = 200) -> tuple[Origin, ...]:
    """Follow ids back through value-preserving ops to where they come from."""
    origins: list[Origin] = []
    seen: set[tuple[int, int, bool]] = set()
    todo = [(*start, False)]
    while todo and len(seen) < limit:
        node, port, wraps = item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        op = index.op_types[node]
        if op == "Const":
            origins.append(Origin("const", node, port, wraps_negative=wraps))
        elif op in PLACEHOLDER_OPS:
            origins.append(Origin("placeholder", node, port, wraps_negative=wraps))
            if op == "PlaceholderWithDefault":  # the default, when not fed
                todo.extend((*i, wraps) for i in index.data_inputs(node)[:1] if i[0] >= 0)
        elif op in SAMPLERS and port == 0:
            origins.append(Origin("sampler", node, port, wraps_negative=wraps))
        elif op in ("IteratorGetNext", "IteratorGetNextSync", "IteratorGetNextAsOptional"):
            origins.append(Origin("dataset", node, port, wraps_negative=wraps))
        elif op == "OptionalGetValue":  # component `port` of an element read as an optional (Keras' multi-step loop)
            origins.append(Origin("dataset", node, port, wraps_negative=wraps))
        elif op in PRESERVING:
            inputs = index.data_inputs(node)
            if op in _AXIS_INPUT and inputs:
                inputs.pop(_AXIS_INPUT[op])  # by position, before dangling inputs are dropped
            positions = PRESERVING[op]
            chosen = inputs if positions == (ALL_DATA_INPUTS,) else [inputs[p] for p in positions if p < len(inputs)]
            todo.extend((*i, wraps) for i in chosen if i[0] >= 0)
        elif op in SUBSET_OF_INPUT and SUBSET_OF_INPUT[op][0] in (None, port):
            source = _input(index, node, SUBSET_OF_INPUT[op][1])
            if source is not None:
                todo.append((*source, wraps))
        elif op in ("SelectV2", "Select") and (kept := _wrapped(index, node)) is not None:
            todo.append((*kept, True))
        else:
            origins.append(Origin("unknown", node, port, reason=f"{op} op {index.names[node]}"))
    return tuple(origins)


def _through(index: GraphIndex, tensor: tuple[int, int] | None) -> tuple[int, int] | None:
    """``tensor`` followed back through ops that pass their first input on unchanged (Identity, Cast, ...)."""
    seen = 0
    while tensor is not None and tensor[0] >= 0 and index.op_types[tensor[0]] in PRESERVING and seen < 64:
        inputs = index.data_inputs(tensor[0])
        if not inputs or PRESERVING[index.op_types[tensor[0]]] != (0,):
            break
        tensor, seen = inputs[0], seen + 1
    return tensor


def _unique_positions(index: GraphIndex, node: int) -> bool:
    """A SparseSegment reduction whose indices are a Unique's positions (its output 1) into rows gathered by
    that Unique's values (output 0): in range by construction, as ``embedding_lookup_sparse`` builds it."""
    indices = _through(index, _input(index, node, 1))
    if indices is None or indices[0] < 0 or indices[1] != 1 or \
            not index.op_types[indices[0]].startswith("Unique"):
        return False
    data = _through(index, _input(index, node, 0))
    if data is None or data[0] < 0:
        return False
    return any(_through(index, tensor) == (indices[0], 0) for tensor in index.data_inputs(data[0])[1:2])


def _where_bounded(index: GraphIndex, ids: tuple[int, int], rows: int | None) -> bool:
    """Ids that are the positions where a one-dimensional condition of known length holds (``boolean_mask``:
    ``gather(x, squeeze(where(mask)))``), no longer than the table: in range by construction. TensorFlow's own
    ``report_uninitialized_variables`` (MonitoredSession, Supervisor) is one."""
    source = _through(index, ids)
    while source is not None and source[0] >= 0 and index.op_types[source[0]] in ("Squeeze", "Reshape"):
        inputs = index.data_inputs(source[0])
        source = _through(index, inputs[0]) if inputs else None
    if rows is None or source is None or source[0] < 0 or index.op_types[source[0]] != "Where":
        return False
    condition = _input(index, source[0], 0)
    if condition is None or condition[0] < 0:
        return False
    shape = output_shape(_node(index, condition[0]), condition[1])
    return shape is not None and len(shape) == 1 and shape[0] is not None and shape[0] <= rows


_COMPARISONS = frozenset({"Equal", "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual"})


def _where_positions(index: GraphIndex, node: int) -> bool:
    """``gather_nd(x, where(x != 0))`` (``tf.sparse.from_dense``, ``boolean_mask`` on ``x``): the positions are
    where a condition on ``x`` itself holds, so they are in range by construction."""
    positions = _through(index, _input(index, node, 1))
    if positions is None or positions[0] < 0 or index.op_types[positions[0]] != "Where":
        return False
    params = _through(index, _input(index, node, 0))
    condition = _through(index, _input(index, positions[0], 0))
    if params is None or condition is None:
        return False
    if condition == params:
        return True
    if condition[0] >= 0 and index.op_types[condition[0]] in _COMPARISONS:
        compared = index.data_inputs(condition[0])
        return bool(compared) and _through(index, compared[0]) == params and \
            all(_no_wider(index, t, params) for t in compared[1:])
    return False


def _no_wider(index: GraphIndex, tensor: tuple[int, int], params: tuple[int, int]) -> bool:
    """``tensor`` cannot widen a comparison with ``params`` by broadcasting: a constant of one element, or
    ``zeros_like``/``ones_like`` of ``params``."""
    tensor = _through(index, tensor)
    if tensor is None or tensor[0] < 0:
        return False
    kind = index.op_types[tensor[0]]
    if kind in ("ZerosLike", "OnesLike"):
        return _through(index, _input(index, tensor[0], 0)) == params
    if kind != "Const":
        return False
    shape = _node(index, tensor[0]).attr["value"].tensor.tensor_shape
    return not shape.unknown_rank and all(d.size == 1 for d in shape.dim)


def find_lookups(index: GraphIndex) -> tuple[Lookup, ...]:
    """Every op that indexes a table, with the table size and the origins of its ids.

    The gathers of an ``embedding_lookup`` over a partitioned table are one lookup, at the
    DynamicPartition that splits the ids, against the rows of all parts.
    """
    result = []
    candidates = np.flatnonzero(np.isin(np.asarray(index.op_types, dtype=object), list(LOOKUP_HANDLERS)))
    partitions: dict[int, dict[int, int]] = {}  # DynamicPartition -> {output port: gather reading it}
    for node in candidates.tolist():
        kind, handler = LOOKUP_HANDLERS[index.op_types[node]]
        if kind == "gather":
            ids = _input(index, node, 1)
            if ids is not None and index.op_types[ids[0]] == "DynamicPartition":
                partitions.setdefault(ids[0], {})[ids[1]] = node
                continue
        if index.op_types[node].startswith("SparseSegment") and _unique_positions(index, node):
            continue
        if index.op_types[node] == "GatherNd" and _where_positions(index, node):
            continue
        found = handler(index, node)
        if found is None:
            continue
        ids = found[0]
        if ids is None or (kind == "gather" and _where_bounded(index, ids, found[1])):
            continue
        result.append(Lookup(node, kind, *found[:4], trace_origins(index, ids), *found[4:]))
    for node, parts in partitions.items():
        ids, size, table, what = _partitioned(index, node, parts)
        if size is not None and ids is not None:
            result.append(Lookup(node, "gather", ids, size, table, what, trace_origins(index, ids)))
            continue
        # not a gather from every part of one table: the user's own dynamic_partition, gathers on their own
        for gather in parts.values():
            found = _gather(index, gather)
            if found is not None and found[0] is not None:
                result.append(Lookup(gather, "gather", *found[:4], trace_origins(index, found[0]), *found[4:]))
    return tuple(result)


@dataclass(frozen=True)
class Violation:
    """Ids outside ``[0, size)``: how many, and the first few positions and values."""

    count: int
    total: int
    positions: tuple[tuple[int, ...], ...]
    values: tuple[int, ...]

    def describe(self, limit: int = 3) -> str:
        shown = ", ".join(f"{list(p)} = {v}" for p, v in zip(self.positions[:limit], self.values[:limit]))
        return f"{self.count} of {self.total} ids" + (f" (first: {shown})" if shown else "")


# The unsigned dtype each integer dtype is viewed as (a negative id becomes larger than any table).
UNSIGNED_VIEW = {np.dtype(f"{kind}{n}"): np.dtype(f"u{n}") for kind in "iu" for n in (1, 2, 4, 8)}
_UNSIGNED = {**UNSIGNED_VIEW, np.dtype(bool): np.dtype("u1")}
_MAX = np.maximum.reduce  # the ufunc itself: ndarray.max() adds a Python-level wrapper per call


def ids_in_range(array: np.ndarray, size: int) -> bool:
    """Whether every id of an integer array is in ``[0, size)``, in one pass and no allocation.

    Viewed as unsigned, a negative id becomes larger than any table, so a
    single ``max`` checks both bounds.
    """
    return _MAX(array.view(_UNSIGNED[array.dtype]), axis=None) < size



def as_fed_ids(array: np.ndarray) -> np.ndarray:
    """Ids as TensorFlow receives them: a float array fed to an integer placeholder (what ``np.loadtxt``
    and ``np.zeros`` give) is converted by numpy, truncating toward zero (99.7 becomes 99). A value that
    is not finite becomes -1, out of range for any table."""
    if not array.dtype.isnative:  # a big-endian array (a saved capture from anywhere): byte order is data
        array = array.astype(array.dtype.newbyteorder("="))
    if array.dtype.kind != "f":
        return array
    finite = np.isfinite(array)
    clipped = np.clip(np.where(finite, array, -1), -(2.0 ** 62), 2.0 ** 62)
    return np.trunc(clipped).astype(np.int64)


def check_ids(ids: np.ndarray, size: int, *, low: int = 0, first: int = 5) -> Violation | None:
    """None when every id is in ``[low, size)``. The fast path (``low`` 0) reads the array once and
    allocates nothing; positions are only searched for when some id is out of range. Float ids are
    checked as TensorFlow converts them (:func:`as_fed_ids`)."""
    array = as_fed_ids(np.asarray(ids))
    if array.size == 0 or array.dtype.kind not in "iub":
        return None
    if low == 0 and ids_in_range(array, size):
        return None
    if low != 0 and array.min() >= low and array.max() < size:
        return None
    flat = array.reshape(-1)
    bad = np.flatnonzero((flat < low) | (flat >= size))
    positions = tuple(tuple(int(i) for i in np.unravel_index(int(k), array.shape)) for k in bad[:first])
    values = tuple(int(flat[k]) for k in bad[:first])
    return Violation(int(bad.size), int(array.size), positions, values)
