"""``tfinspect.instrument(graph)``: bounds asserts in front of lookups whose ids come from tf.data.

Fed ids are checked by :func:`tfinspect.guard` before each run; ids produced
inside the graph by a dataset can only be checked inside the graph. This
inserts ``tf.debugging`` asserts between the iterator and the lookup, so that
an out-of-range id stops the step with a message naming the lookup and the
table, on CPU and on GPU alike (where the lookup alone returns zeros).
Call it after building the graph and before the first ``Session.run``.
"""

from __future__ import annotations

from tfinspect.analyses.lookups import find_lookups
from tfinspect.index.graphindex import GraphIndex


def instrument(graph=None) -> list[str]:
    """Insert asserts before every lookup whose ids come from a dataset iterator.

    Args:
        graph: a ``tf.Graph`` (default: the default graph).

    Returns:
        The names of the lookup ops that were guarded.
    """
    import tensorflow.compat.v1 as tf
    from tensorflow.python.framework import ops

    graph = graph if graph is not None else ops.get_default_graph()
    index = GraphIndex.build(graph.as_graph_def(add_shapes=True))
    guarded = []
    for lookup in find_lookups(index):
        if lookup.size is None or not any(o.kind == "dataset" for o in lookup.origins):
            continue
        op = graph.get_operation_by_name(index.names[lookup.node])
        producer, port = lookup.ids
        wanted = f"{index.names[producer]}:{port}"
        position = next((i for i, t in enumerate(op.inputs) if t.name == wanted), None)
        ids = op.inputs[position] if position is not None else graph.get_tensor_by_name(wanted)
        message = f"tfinspect: ids for {op.name} ({lookup.what}) must be in [0, {lookup.size})"
        with graph.as_default(), tf.name_scope(f"{op.name}_tfinspect_bounds"):
            limit = tf.constant(lookup.size, dtype=ids.dtype, name="rows")
            checks = [tf.debugging.assert_non_negative(ids, message=message, name="non_negative"),
                      tf.debugging.assert_less(ids, limit, message=message, name="below_rows")]
            if position is not None:
                with tf.control_dependencies(checks):
                    checked = tf.identity(ids, name="checked_ids")
        # The public API has no way to rewire an existing op. Where the ids are an input of the lookup, it
        # reads them through the asserts; where the lookup computes from them (the DynamicPartition of a
        # partitioned table), the asserts run before it.
        if position is not None:
            op._update_input(position, checked)
        else:
            op._add_control_inputs([c.op if hasattr(c, "op") else c for c in checks])
        guarded.append(op.name)
    return guarded
