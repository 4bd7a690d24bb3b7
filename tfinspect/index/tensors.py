"""TensorProto values and static shapes read from a GraphDef, without TensorFlow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tfinspect.record.model import Shape
from tfinspect.core.optypes import REQUIRED_PLACEHOLDER_OPS, VARIABLE_OPS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

# DataType enum value -> (numpy dtype name, the TensorProto field holding it when not packed)
_NUMERIC = {
    1: ("float32", "float_val"), 2: ("float64", "double_val"), 3: ("int32", "int_val"),
    4: ("uint8", "int_val"), 5: ("int16", "int_val"), 6: ("int8", "int_val"), 9: ("int64", "int64_val"),
    10: ("bool", "bool_val"), 17: ("uint16", "int_val"), 22: ("uint32", "uint32_val"),
    23: ("uint64", "uint64_val"),
}


def shape_text(shape: Shape) -> str:
    """``(None, 3)`` -> ``"(?, 3)"``; unknown rank -> ``"<unknown>"``; scalar -> ``"()"``."""
    if shape is None:
        return "<unknown>"
    dims = ", ".join("?" if d is None else str(d) for d in shape)
    return f"({dims},)" if len(shape) == 1 else f"({dims})"


def shape_of(shape_proto) -> Shape:
    if shape_proto.unknown_rank:
        return None
    return tuple(None if d.size < 0 else int(d.size) for d in shape_proto.dim)


# A constant written as a few values that TensorFlow repeats to fill its shape is not expanded past this
# many elements: a 236-byte crafted GraphDef could otherwise claim 2**31 of them.
MAX_FILLED = 1 << 24


def tensor_value(proto) -> np.ndarray | None:
    """The value of a numeric TensorProto (None for strings, resources and other kinds, and for a value
    whose bytes do not match its shape, or that would have to be expanded past ``MAX_FILLED`` elements)."""
    import math

    import numpy as np  # only here: reading shapes must not pay for numpy

    entry = _NUMERIC.get(proto.dtype)
    if entry is None:
        return None
    dtype, field = np.dtype(entry[0]), entry[1]
    shape = shape_of(proto.tensor_shape) or ()
    if any(d is None for d in shape):
        return None
    size = math.prod(shape)
    if proto.tensor_content:
        if len(proto.tensor_content) != size * dtype.itemsize:
            return None  # damaged: the bytes do not hold the shape
        return np.frombuffer(proto.tensor_content, dtype=dtype).reshape(shape)
    values = np.asarray(list(getattr(proto, field)), dtype=dtype)
    if values.size == size:
        return values.reshape(shape)
    if size > MAX_FILLED or values.size > size:
        return None
    if values.size == 0:
        return np.zeros(shape, dtype=dtype)
    # TensorFlow repeats the last value to fill the shape.
    filled = np.full(size, values[-1], dtype=dtype)
    filled[: values.size] = values
    return filled.reshape(shape)


def output_shape(node, port: int = 0) -> Shape:
    """The static shape of ``node:port`` as the graph recorded it (``_output_shapes``), or from its attrs."""
    attr = node.attr
    if "_output_shapes" in attr:
        shapes = attr["_output_shapes"].list.shape
        if port < len(shapes):
            return shape_of(shapes[port])
    if port == 0 and (node.op in VARIABLE_OPS or node.op in REQUIRED_PLACEHOLDER_OPS) \
            and "shape" in attr:
        return shape_of(attr["shape"].shape)
    if port == 0 and node.op == "Const" and "value" in attr:
        return shape_of(attr["value"].tensor.tensor_shape)
    return None
