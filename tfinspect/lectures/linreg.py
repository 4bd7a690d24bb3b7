"""Linear regression of life expectancy on birth rate, ``Y = w * X + b``.

Two input pipelines, as in the lecture: placeholders fed one sample at a time
with ``feed_dict``, or a ``tf.data`` iterator; and two losses: squared error
and Huber loss (robust to the outliers of the real table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import tensorflow.compat.v1 as tf

Progress = Callable[[int, int, float], None]


def huber_loss(labels, predictions, delta=14.0):
    residual = tf.abs(labels - predictions)
    small = 0.5 * tf.square(residual)
    large = delta * residual - 0.5 * tf.square(delta)
    return tf.where(residual < delta, small, large)


@dataclass
class LinearRegression:
    w: Any
    b: Any
    loss: Any
    optimizer: Any
    X: Any = None  # placeholders (feed_dict pipeline)
    Y: Any = None
    iterator: Any = None  # tf.data pipeline


def _model(X, Y, loss_name: str, learning_rate: float) -> tuple[Any, Any, Any, Any]:
    w = tf.get_variable("weights", initializer=tf.constant(0.0))
    b = tf.get_variable("bias", initializer=tf.constant(0.0))
    Y_predicted = w * X + b
    if loss_name == "huber":
        loss = tf.identity(huber_loss(Y, Y_predicted), name="loss")
    else:
        loss = tf.square(Y - Y_predicted, name="loss")
    optimizer = tf.train.GradientDescentOptimizer(learning_rate=learning_rate).minimize(loss)
    return w, b, loss, optimizer


def build_placeholders(loss: str = "squared", learning_rate: float = 0.001) -> LinearRegression:
    X = tf.placeholder(tf.float32, name="X")
    Y = tf.placeholder(tf.float32, name="Y")
    w, b, loss_t, optimizer = _model(X, Y, loss, learning_rate)
    return LinearRegression(w, b, loss_t, optimizer, X=X, Y=Y)


def build_dataset(data: np.ndarray, loss: str = "squared", learning_rate: float = 0.001) -> LinearRegression:
    dataset = tf.data.Dataset.from_tensor_slices((data[:, 0], data[:, 1]))
    iterator = tf.data.make_initializable_iterator(dataset)
    X, Y = iterator.get_next()
    w, b, loss_t, optimizer = _model(X, Y, loss, learning_rate)
    return LinearRegression(w, b, loss_t, optimizer, iterator=iterator)


def train(model: LinearRegression, data: np.ndarray, epochs: int = 100,
          progress: Progress | None = None) -> dict[str, float]:
    """Plain SGD, one sample at a time in the data's order; returns w, b and the last epoch's mean loss."""
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        mean_loss = float("nan")
        for epoch in range(epochs):
            total = 0.0
            if model.iterator is not None:
                sess.run(model.iterator.initializer)
                try:
                    while True:
                        _, loss = sess.run([model.optimizer, model.loss])
                        total += float(loss)
                except tf.errors.OutOfRangeError:
                    pass
            else:
                for x, y in data:
                    _, loss = sess.run([model.optimizer, model.loss], feed_dict={model.X: x, model.Y: y})
                    total += float(loss)
            mean_loss = total / len(data)
            if progress:
                progress(epoch + 1, epochs, mean_loss)
        w_out, b_out = sess.run([model.w, model.b])
    return {"w": float(w_out), "b": float(b_out), "loss": mean_loss}
