"""The index: a graph as arrays (names to integer ids, inputs as CSR, op types, constant values).

``graphindex`` (``GraphIndex``), ``tensors`` (shapes and constant values of tensors), ``columns`` (a
``.pb``'s node columns decoded without a Python object per node). Analyses query these, never a
live ``tf.Graph``.
"""
