from __future__ import annotations

import pytest

from tfinspect.run.child.tf1 import tf1_evidence

tf = pytest.importorskip("tensorflow")


def evidence(tmp_path, source: str, name: str = "m.py") -> list[str]:
    path = tmp_path / name
    path.write_text(source)
    return [e.expression for e in tf1_evidence(str(path), tf, tf.compat.v1)]


def test_tf1_names_are_evidence(tmp_path):
    src = "import tensorflow as tf\nx = tf.placeholder(tf.float32)\nopt = tf.train.GradientDescentOptimizer(0.1)\n"
    assert evidence(tmp_path, src) == ["tf.placeholder", "tf.train.GradientDescentOptimizer"]


def test_tf2_code_is_not(tmp_path):
    assert evidence(tmp_path, "import tensorflow as tf\nx = tf.constant(1)\ny = tf.nn.relu(x)\n") == []


def test_compat_v1_code_is_not(tmp_path):
    src = "import tensorflow.compat.v1 as tf\nx = tf.placeholder(tf.float32)\n"
    assert evidence(tmp_path, src) == []


def test_other_alias_and_local_modules(tmp_path):
    (tmp_path / "layers.py").write_text("import tensorflow as T\ndef f():\n    return T.get_variable('w', [1])\n")
    assert evidence(tmp_path, "import layers\nlayers.f()\n") == ["T.get_variable"]


def test_unparsable_script_gives_no_evidence(tmp_path):
    assert evidence(tmp_path, "import tensorflow as tf\nx = (\n") == []


@pytest.mark.parametrize("source, expected", [
    ("import tensorflow as tf\nh = tf.layers.dense(x, 3)\n", "tf.layers.dense"),
    ("import tensorflow.compat.v1 as tf\ncell = tf.nn.rnn_cell.LSTMCell(8)\n", "tf.nn.rnn_cell.LSTMCell"),
    ("import tensorflow as tf\nh = tf.compat.v1.layers.conv2d(x, 8, 3)\n", "tf.compat.v1.layers.conv2d"),
    ("from tensorflow.compat.v1 import layers\nh = layers.dense(x, 3)\n", "layers.dense"),
    ("import tensorflow as tf\nh = tf.keras.layers.Dense(3)(x)\n", None),  # Keras 3 has it
    ("import keras\nh = keras.layers.Dense(3)(x)\n", None),
])
def test_tf1_layer_apis_ask_for_the_legacy_keras(tmp_path, source, expected):
    from tfinspect.run.child.tf1 import legacy_keras_use

    path = tmp_path / "model.py"
    path.write_text(source)
    found = legacy_keras_use(str(path))
    assert (found.expression if found else None) == expected
    if found:
        assert found.line == 2
