"""word2vec skip-gram with NCE loss, structured as the lecture's ``SkipGramModel``.

Name scopes ``data`` / ``embed`` / ``loss`` / ``optimizer`` / ``summaries``, a
``global_step``, Saver checkpoints and summaries. Batches come from a Python
generator through ``tf.data.Dataset.from_generator``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable

import numpy as np
import tensorflow.compat.v1 as tf

from tfinspect.lectures.data import NUM_SAMPLED, skipgram_batches

Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class SkipGramParams:
    vocab_size: int = 5000
    embed_size: int = 128
    batch_size: int = 128
    num_sampled: int = NUM_SAMPLED
    learning_rate: float = 1.0
    skip_window: int = 1


class SkipGramModel:
    """Build the graph with :meth:`build_graph`, then :meth:`train`."""

    def __init__(self, params: SkipGramParams, ids: np.ndarray):
        self.params = params
        self.ids = ids
        self.global_step = tf.Variable(0, dtype=tf.int32, trainable=False, name="global_step")

    def _import_data(self):
        p = self.params
        with tf.name_scope("data"):
            dataset = tf.data.Dataset.from_generator(
                lambda: skipgram_batches(self.ids, p.batch_size, p.skip_window),
                (tf.int32, tf.int32),
                (tf.TensorShape([p.batch_size]), tf.TensorShape([p.batch_size, 1])),
            )
            self.iterator = tf.data.make_initializable_iterator(dataset)
            self.center_words, self.target_words = self.iterator.get_next()

    def _create_embedding(self):
        p = self.params
        with tf.name_scope("embed"):
            self.embed_matrix = tf.get_variable(
                "embed_matrix", shape=[p.vocab_size, p.embed_size], initializer=tf.random_uniform_initializer())
            self.embed = tf.nn.embedding_lookup(self.embed_matrix, self.center_words, name="embedding")

    def _create_loss(self):
        p = self.params
        with tf.name_scope("loss"):
            nce_weight = tf.get_variable(
                "nce_weight", shape=[p.vocab_size, p.embed_size],
                initializer=tf.truncated_normal_initializer(stddev=1.0 / (p.embed_size ** 0.5)))
            nce_bias = tf.get_variable("nce_bias", initializer=tf.zeros([p.vocab_size]))
            self.loss = tf.reduce_mean(
                tf.nn.nce_loss(weights=nce_weight, biases=nce_bias, labels=self.target_words, inputs=self.embed,
                               num_sampled=p.num_sampled, num_classes=p.vocab_size),
                name="loss")

    def _create_optimizer(self):
        with tf.name_scope("optimizer"):
            self.optimizer = tf.train.GradientDescentOptimizer(self.params.learning_rate).minimize(
                self.loss, global_step=self.global_step)

    def _create_summaries(self):
        with tf.name_scope("summaries"):
            tf.summary.scalar("loss", self.loss)
            tf.summary.histogram("histogram_loss", self.loss)
            self.summary_op = tf.summary.merge_all()

    def build_graph(self) -> SkipGramModel:
        self._import_data()
        self._create_embedding()
        self._create_loss()
        self._create_optimizer()
        self._create_summaries()
        return self

    def train(self, num_steps: int, *, checkpoint_dir: str | None = None, log_dir: str | None = None,
              report_every: int = 50, progress: Progress | None = None) -> list[float]:
        """Train; returns the mean loss of every ``report_every`` steps.

        With ``checkpoint_dir``, restores the latest checkpoint there first and
        saves one at the end (and every 1,000 steps).
        """
        saver = tf.train.Saver()
        averages: list[float] = []
        with tf.Session() as sess:
            sess.run(self.iterator.initializer)
            sess.run(tf.global_variables_initializer())
            if checkpoint_dir:
                os.makedirs(checkpoint_dir, exist_ok=True)
                latest = tf.train.latest_checkpoint(checkpoint_dir)
                if latest:
                    saver.restore(sess, latest)
            writer = tf.summary.FileWriter(log_dir, sess.graph) if log_dir else None
            start = int(sess.run(self.global_step))
            total = 0.0
            for index in range(start, start + num_steps):
                loss, _, summary = sess.run([self.loss, self.optimizer, self.summary_op])
                if writer is not None:
                    writer.add_summary(summary, global_step=index)
                total += float(loss)
                done = index - start + 1
                if done % report_every == 0:
                    averages.append(total / report_every)
                    total = 0.0
                    if progress:
                        progress(done, num_steps, averages[-1])
                if checkpoint_dir and (index + 1) % 1000 == 0:
                    saver.save(sess, os.path.join(checkpoint_dir, "skip-gram"), index + 1)
            if checkpoint_dir:
                saver.save(sess, os.path.join(checkpoint_dir, "skip-gram"), start + num_steps)
            if writer is not None:
                writer.close()
        return averages
