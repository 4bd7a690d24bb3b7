"""The lecture models, built and trained for real: in graph mode (TF1), and the eager lecture's twins in TF2.

This module only lists them (without importing TensorFlow); each model lives
in its own module, and ``_driver.py`` is the script ``tfinspect lecture``
runs in a child process, like any user script.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Lecture:
    name: str
    title: str
    shows: str
    twin: str = ""  # the same model in the other TensorFlow (linreg <-> linreg_tf2)


LECTURES = (
    Lecture("add_pow", "add and pow of two constants",
            "useless = x * add is built but never computed when only pow_op is fetched"),
    Lecture("linreg", "linear regression, placeholders + feed_dict",
            "placeholders fed one sample at a time; --loss huber for the Huber loss", twin="linreg_tf2"),
    Lecture("linreg_data", "linear regression, tf.data",
            "an initializable iterator instead of placeholders; OutOfRangeError ends each epoch"),
    Lecture("two_layers_broken", "two hidden layers with tf.Variable",
            "two calls make two sets of variables: 8 instead of 4"),
    Lecture("two_layers_shared", "two hidden layers, variable_scope + reuse_variables()",
            "one set of 4 variables under two_layers/; the second call's ops under two_layers/h1_1 and h2_1"),
    Lecture("two_layers_auto_reuse", "two hidden layers, fully_connected with AUTO_REUSE",
            "one set of 4 variables without an explicit reuse call"),
    Lecture("word2vec", "word2vec skip-gram with NCE loss (SkipGramModel)",
            "name scopes data/embed/loss/optimizer, global_step, Saver, summaries; --data a text file",
            twin="word2vec_tf2"),
    Lecture("linreg_tf2", "linear regression in TF2: tf.Module, tf.function, GradientTape",
            "one trace with an input signature, every step a call of it; --loss huber (the eager lecture)",
            twin="linreg"),
    Lecture("word2vec_tf2", "word2vec skip-gram with NCE loss in TF2: tf.function, GradientTape",
            "the same name scopes inside one traced train step; variables owned by a tf.Module",
            twin="word2vec"),
)

DRIVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_driver.py")


def find(name: str) -> Lecture | None:
    return next((lecture for lecture in LECTURES if lecture.name == name), None)
