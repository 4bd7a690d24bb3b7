"""What a GraphDef should not carry: data baked into it as constants."""

from __future__ import annotations

from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity

FAMILY = "graphdef"
LARGE_CONSTANT = 10 << 20  # bytes


def _size_text(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


@check("TFI012", "large-constant-in-graph", Severity.WARNING, family=FAMILY,
       evidence={"constant": "the Const op", "bytes": "its size"})
def large_constants(context: CheckContext) -> Iterator[Finding]:
    """A constant holds more than 10 MiB of data inside the graph.

    What it checks:
        Every ``Const`` op whose value (its tensor, as stored in the GraphDef) is over 10 MiB.

    Why it matters:
        ``tf.constant(numpy_array)`` (or passing a numpy array straight to an op or to
        ``Dataset.from_tensor_slices``) copies the data into the graph: every GraphDef, ``.meta`` file and
        TensorBoard graph carries it, memory holds it twice, and a GraphDef over 2 GB cannot be
        serialized at all ("Cannot create a tensor proto whose content is larger than 2GB").

    Example:
        ``images = tf.constant(np.load("train_images.npy"))``.

    Fix:
        Feed the data through a placeholder (``feed_dict``), or build the dataset from placeholders and
        feed them to the iterator's initializer; keep large tables in variables restored from a checkpoint.
    """
    for graph, index, _ in context.graphs():
        for node, op_type in enumerate(index.op_types):
            if op_type != "Const":
                continue
            attr = index.graph_def.node[node].attr
            if "value" not in attr:
                continue
            size = attr["value"].tensor.ByteSize()
            if size <= LARGE_CONSTANT:
                continue
            name = index.names[node]
            yield Finding(name,
                f"constant {name} stores {_size_text(size)} of data inside the graph (every GraphDef, .meta and "
                "TensorBoard graph carries it; 2 GB is the limit)",
                hint="Feed the data through a placeholder, or feed placeholders to the dataset's initializer.",
                source=graph.sources.get(name), graph=graph.id, evidence={"constant": name, "bytes": size},
            )


@check("TFI014", "unknown-rank-placeholder", Severity.WARNING, family=FAMILY,
       evidence={"placeholder": "the placeholder", "consumer": "the op needing a known rank",
                 "consumer_type": "its type"})
def unknown_rank_placeholders(context: CheckContext) -> Iterator[Finding]:
    """A placeholder declared without a shape feeds an op that needs a known rank (a matmul, a convolution).

    What it checks:
        Placeholders with ``shape=None`` (unknown rank) whose value reaches, directly or through
        ``tf.identity``/``tf.cast``, a ``MatMul``, a convolution or a pooling op.

    Why it matters:
        With no shape, TensorFlow cannot check anything at graph construction: every shape downstream is
        unknown, a feed of the wrong rank fails only inside ``Session.run`` (``In[0] is not a matrix``), and
        ``tf.layers`` cannot size their weights from it.

    Example:
        ``x = tf.placeholder(tf.float32)`` then ``tf.matmul(x, w)``.

    Fix:
        Declare the shape, with ``None`` for the batch dimension: ``tf.placeholder(tf.float32, [None, 784])``.
    """
    from tfinspect.checks.context import consumers
    from tfinspect.core.optypes import PASS_THROUGH_OPS, RANK_SENSITIVE_OPS, REQUIRED_PLACEHOLDER_OPS

    for graph, index, _ in context.graphs():
        for node, op_type in enumerate(index.op_types):
            if op_type not in REQUIRED_PLACEHOLDER_OPS:
                continue
            attr = index.graph_def.node[node].attr
            if "shape" in attr and not attr["shape"].shape.unknown_rank:
                continue
            frontier, seen, hit = [node], {node}, None
            while frontier and hit is None:
                current = frontier.pop()
                for consumer in consumers(index, current):
                    if consumer in seen:
                        continue
                    seen.add(consumer)
                    if index.op_types[consumer] in RANK_SENSITIVE_OPS:
                        hit = consumer
                        break
                    if index.op_types[consumer] in PASS_THROUGH_OPS:
                        frontier.append(consumer)
            if hit is None:
                continue
            name, consumer = index.names[node], index.names[hit]
            yield Finding(name,
                f"placeholder {name} has no shape (unknown rank) and feeds {index.op_types[hit]} {consumer}: "
                "shape errors surface only when a run executes",
                hint="Declare its shape, None for the batch dimension: tf.placeholder(dtype, [None, ...]).",
                source=graph.sources.get(name), graph=graph.id,
                related=tuple(Related("consumer", s) for s in [graph.sources.get(consumer)] if s is not None),
                evidence={"placeholder": name, "consumer": consumer, "consumer_type": index.op_types[hit]},
            )
