"""Why a TF1 script fails on TensorFlow 2, from its error message: what moved or was removed, and what to do."""

from __future__ import annotations

_CONTRIB = ("tf.contrib was removed in TensorFlow 2; its pieces moved to tf.compat.v1, tf_slim (contrib.slim), "
            "TensorFlow Addons or other packages")
# Failures TF1 scripts meet on TensorFlow 2, with what to do about them.
HINTS = (
    ("is not available with Keras 3", "TensorFlow 2.16 and later ship Keras 3, which has no tf.layers / "
     "tf.compat.v1.layers / tf.nn.rnn_cell; the legacy Keras provides them: pip install tf_keras (with "
     "tensorflow-cpu: pip install --no-deps tf_keras). tfinspect then selects it for scripts that use them; "
     "plain python needs TF_USE_LEGACY_KERAS=1 in the environment"),
    ("has no attribute 'contrib'", _CONTRIB),
    ("No module named 'tensorflow.contrib'", _CONTRIB),
    ("not found in checkpoint", "the checkpoint lacks a variable the graph has (renamed, or added since it was "
     "saved); tfinspect ckpt CHECKPOINT --against SCRIPT lists missing and unused keys and likely renames"),
    ("DuplicateFlagError", "tf.app.flags is absl's flags in TensorFlow 2, and absl (its logging) already defines "
     "some names, such as log_dir: rename the script's flag (DEFINE_string(\"summary_dir\", ...)) and its uses"),
    ("No module named 'tensorflow.examples'", "tensorflow.examples (the MNIST input_data tutorials) was removed "
     "in TensorFlow 2; tf.keras.datasets.mnist.load_data() gives the same images as numpy arrays"),
    ("only supports singleton tf.Variables created on the first call", "a tf.function creates a tf.Variable "
     "each time it is traced; create variables once, outside the function (in __init__ of a tf.Module or "
     "Keras layer, or at module level), and only assign to them inside it"),
)


def hints_for(message: str) -> list[str]:
    """The hints whose pattern the error message holds, in table order."""
    return [hint for pattern, hint in HINTS if pattern in message]
