"""The first lecture graph: add and multiply two constants, then a power of both.

``useless`` is built but nothing that is fetched depends on it, so
``Session.run(pow_op)`` never computes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tensorflow.compat.v1 as tf


@dataclass
class AddPow:
    x: Any
    y: Any
    add_op: Any
    mul_op: Any
    useless: Any
    pow_op: Any


def build() -> AddPow:
    x = tf.constant(2, name="x")
    y = tf.constant(3, name="y")
    add_op = tf.add(x, y)
    mul_op = tf.multiply(x, y)
    useless = tf.multiply(x, add_op)
    pow_op = tf.pow(add_op, mul_op)
    return AddPow(x, y, add_op, mul_op, useless, pow_op)


def run(model: AddPow) -> dict[str, int]:
    """Fetch ``pow_op`` alone, then with ``useless``: (2 + 3) ** (2 * 3) = 15625."""
    with tf.Session() as sess:
        z = sess.run(model.pow_op)
        z, not_useless = sess.run([model.pow_op, model.useless])
    return {"pow_op": int(z), "useless": int(not_useless)}
