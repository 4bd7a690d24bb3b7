"""The one line an error is summarised by: its cause, never a line of the traceback TensorFlow wraps it in."""

from __future__ import annotations

from tfinspect.run.child.errortext import error_summary


class InvalidArgumentError(Exception):
    pass


def test_a_repeated_traceback_line_is_not_the_cause():
    error = InvalidArgumentError("Graph execution error:\n\n  [Previous line repeated 7 more times]\n"
                                 "indices[0] = 12 is not in [0, 10)\n\t [[{{node embedding_lookup}}]]")
    assert error_summary(error) == "InvalidArgumentError: indices[0] = 12 is not in [0, 10)"


def test_an_error_raised_while_tracing_gives_its_cause():
    error = ValueError("in user code:\n\n    File \"m.py\", line 6, in step  *\n        v = tf.Variable(1.0)\n\n"
                       "    ValueError: tf.function only supports singleton tf.Variables created on the first call.")
    assert error_summary(error) == ("ValueError: tf.function only supports singleton tf.Variables created on the "
                                    "first call.")
