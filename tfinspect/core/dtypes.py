"""TensorFlow DataType enum values -> the names users know (``float32``), without TensorFlow."""

from __future__ import annotations

from functools import lru_cache

_SPECIAL = {"FLOAT": "float32", "DOUBLE": "float64", "HALF": "float16"}


@lru_cache(maxsize=None)
def dtype_name(value: int) -> str:
    """``types_pb2.DT_FLOAT`` (1) -> ``"float32"``; reference types lose their ``_REF``."""
    from tensorboard.compat.proto import types_pb2

    try:
        name = types_pb2.DataType.Name(value)
    except ValueError:
        return f"dtype({value})"
    name = name.removeprefix("DT_").removesuffix("_REF")
    return _SPECIAL.get(name, name.lower())
