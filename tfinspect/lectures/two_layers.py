"""Two hidden layers applied to two inputs: how (not) to share variables.

- ``broken``: ``tf.Variable`` inside the function, so each call makes its own
  set: 8 variables where 4 were meant.
- ``shared``: ``get_variable`` inside ``variable_scope``s, with
  ``scope.reuse_variables()`` before the second call: 4 variables.
- ``auto_reuse``: ``fully_connected`` opens its scope with
  ``reuse=tf.AUTO_REUSE``: 4 variables, no explicit reuse call.
"""

from __future__ import annotations

from typing import Any

import tensorflow.compat.v1 as tf

VARIANTS = ("broken", "shared", "auto_reuse")


def inputs() -> tuple[Any, Any]:
    x1 = tf.truncated_normal([200, 100], name="x1")
    x2 = tf.truncated_normal([200, 100], name="x2")
    return x1, x2


def two_hidden_layers_broken(x):
    w1 = tf.Variable(tf.random_normal([100, 50]), name="h1_weights")
    b1 = tf.Variable(tf.zeros([50]), name="h1_biases")
    h1 = tf.matmul(x, w1) + b1
    w2 = tf.Variable(tf.random_normal([50, 10]), name="h2_weights")
    b2 = tf.Variable(tf.zeros([10]), name="h2_biases")
    return tf.matmul(h1, w2) + b2


def fully_connected(x, output_dim, scope, reuse=None):
    with tf.variable_scope(scope, reuse=reuse):
        w = tf.get_variable("weights", [x.shape[1], output_dim], initializer=tf.random_normal_initializer())
        b = tf.get_variable("biases", [output_dim], initializer=tf.constant_initializer(0.0))
        return tf.matmul(x, w) + b


def two_hidden_layers(x, reuse=None):
    h1 = fully_connected(x, 50, "h1", reuse)
    return fully_connected(h1, 10, "h2", reuse)


def build(variant: str) -> tuple[Any, Any]:
    """Build one variant; returns the two logits tensors."""
    x1, x2 = inputs()
    if variant == "broken":
        return two_hidden_layers_broken(x1), two_hidden_layers_broken(x2)
    if variant == "shared":
        with tf.variable_scope("two_layers") as scope:
            logits1 = two_hidden_layers(x1)
            scope.reuse_variables()
            logits2 = two_hidden_layers(x2)
        return logits1, logits2
    if variant == "auto_reuse":
        with tf.variable_scope("two_layers"):
            logits1 = two_hidden_layers(x1, tf.AUTO_REUSE)
        with tf.variable_scope("two_layers"):
            logits2 = two_hidden_layers(x2, tf.AUTO_REUSE)
        return logits1, logits2
    raise ValueError(f"unknown variant {variant!r}; one of {', '.join(VARIANTS)}")


def run(logits: tuple[Any, Any]) -> dict[str, Any]:
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        out1, out2 = sess.run(list(logits))
    return {"logits_shapes": [list(out1.shape), list(out2.shape)],
            "variables": len(tf.global_variables())}
