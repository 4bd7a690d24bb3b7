"""The eager lecture's models, written for TensorFlow 2: ``tf.function`` train steps with ``GradientTape``.

``linreg_tf2`` is the Huber regression of life expectancy on birth rate (the lecture's eager starter), and
``word2vec_tf2`` the skip-gram model with NCE loss; each is the TF1 lecture model's twin (``linreg``,
``word2vec``) with the graph built by tracing instead of by hand. What a teacher shows with them: the same
model is one traced graph per train-step signature, every step is a *call* of that graph, and there are no
variable scopes, collections or sessions any more: variables belong to the Python objects that made them.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import tensorflow as tf

Progress = Callable[[int, int, float], None]


def huber(labels, predictions, delta: float = 14.0):
    residual = tf.abs(labels - predictions)
    return tf.where(residual < delta, 0.5 * tf.square(residual), delta * residual - 0.5 * delta ** 2)


class LinearRegression(tf.Module):
    """``Y = w * X + b``: two scalar variables owned by the module."""

    def __init__(self) -> None:
        super().__init__(name="linear_regression")
        self.w = tf.Variable(0.0, name="weights")
        self.b = tf.Variable(0.0, name="bias")

    def __call__(self, x):
        return self.w * x + self.b


def linreg_tf2(data: np.ndarray, loss: str = "squared", epochs: int = 100, learning_rate: float = 0.001,
               progress: Progress | None = None) -> dict[str, float]:
    """Plain SGD one sample at a time, as the TF1 twin does; each step is a call of one trace."""
    model = LinearRegression()
    optimizer = tf.keras.optimizers.SGD(learning_rate) if hasattr(tf, "keras") else None
    loss_fn = huber if loss == "huber" else (lambda y, p: tf.square(y - p))

    @tf.function(input_signature=[tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.float32)])
    def train_step(x, y):
        with tf.GradientTape() as tape:
            value = loss_fn(y, model(x))
        gradients = tape.gradient(value, [model.w, model.b])
        if optimizer is not None:
            optimizer.apply_gradients(zip(gradients, [model.w, model.b]))
        else:  # pragma: no cover - a TensorFlow without Keras
            model.w.assign_sub(learning_rate * gradients[0])
            model.b.assign_sub(learning_rate * gradients[1])
        return value

    dataset = tf.data.Dataset.from_tensor_slices((data[:, 0].astype(np.float32), data[:, 1].astype(np.float32)))
    mean_loss = float("nan")
    for epoch in range(epochs):
        total = 0.0
        for x, y in dataset:
            total += float(train_step(x, y))
        mean_loss = total / len(data)
        if progress:
            progress(epoch + 1, epochs, mean_loss)
    return {"w": float(model.w.numpy()), "b": float(model.b.numpy()), "loss": mean_loss}


class SkipGram(tf.Module):
    """The skip-gram model's variables: the embedding matrix and the NCE weights and biases."""

    def __init__(self, vocab_size: int, embed_size: int) -> None:
        super().__init__(name="skip_gram")
        self.embed_matrix = tf.Variable(tf.random.uniform([vocab_size, embed_size]), name="embed_matrix")
        self.nce_weight = tf.Variable(tf.random.truncated_normal([vocab_size, embed_size],
                                                                 stddev=1.0 / embed_size ** 0.5), name="nce_weight")
        self.nce_bias = tf.Variable(tf.zeros([vocab_size]), name="nce_bias")


def word2vec_tf2(ids: np.ndarray, *, vocab_size: int, embed_size: int = 128, batch_size: int = 128,
                 num_sampled: int = 64, learning_rate: float = 1.0, steps: int = 1, report_every: int = 50,
                 progress: Progress | None = None) -> list[float]:
    """Train; returns the mean loss of every ``report_every`` steps (the last, shorter, stretch included)."""
    from tfinspect.lectures.data import skipgram_batches

    model = SkipGram(vocab_size, embed_size)
    optimizer = tf.keras.optimizers.SGD(learning_rate)
    variables = [model.embed_matrix, model.nce_weight, model.nce_bias]

    @tf.function(input_signature=[tf.TensorSpec([batch_size], tf.int32), tf.TensorSpec([batch_size, 1], tf.int32)])
    def train_step(center_words, target_words):
        with tf.GradientTape() as tape:
            with tf.name_scope("embed"):
                embed = tf.nn.embedding_lookup(model.embed_matrix, center_words, name="embedding")
            with tf.name_scope("loss"):
                loss = tf.reduce_mean(tf.nn.nce_loss(weights=model.nce_weight, biases=model.nce_bias,
                                                     labels=target_words, inputs=embed, num_sampled=num_sampled,
                                                     num_classes=vocab_size), name="loss")
        with tf.name_scope("optimizer"):
            optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    batches = skipgram_batches(ids, batch_size, 1)
    averages: list[float] = []
    total, counted = 0.0, 0
    for step in range(steps):
        centers, targets = next(batches)
        total += float(train_step(tf.constant(centers, tf.int32), tf.constant(targets, tf.int32)))
        counted += 1
        if counted == report_every or step == steps - 1:
            averages.append(total / counted)
            total, counted = 0.0, 0
            if progress:
                progress(step + 1, steps, averages[-1])
    return averages
