"""Random ops that draw the same numbers (the same op-level seed), or different numbers on every run of a script
that means to be reproducible."""

from __future__ import annotations

from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity
from tfinspect.core.optypes import RANDOM_OPS, SEEDED_OPS
from tfinspect.index.tensors import output_shape

FAMILY = "randomness"


def _shape_key(index, node: int):
    """What decides the op's shape: its shape input's value when it is a constant (the serialized tensor);
    else the shape computed at run time, known as the op's static output shape with unknown dimensions
    (``(None, 256)`` for dropout on a batch of activations: two such ops with one seed draw the same mask
    whenever their batches are as large, as they are in one step). None when not even the rank is known."""
    inputs = index.inputs(node)
    if not len(inputs) or inputs[0] < 0:
        return None
    source = int(inputs[0])
    if index.op_types[source] == "Const":
        attr = index.graph_def.node[source].attr
        return attr["value"].tensor.SerializeToString() if "value" in attr else None
    shape = output_shape(index.graph_def.node[node])
    return None if shape is None else ("computed", tuple(shape))


@check("TFI013", "same-random-seed", Severity.WARNING, family=FAMILY,
       evidence={"ops": "the random ops", "seed": "their seed", "seed2": "their seed2", "type": "their op type"})
def same_random_seed(context: CheckContext) -> Iterator[Finding]:
    """Several random ops of the same kind and shape share an op-level seed, so they draw identical numbers.

    What it checks:
        Random ops (``tf.random_normal``, ``tf.random_uniform``, ``tf.truncated_normal``, initializers,
        dropout, ``tf.random_shuffle``, ...) given an explicit op-level ``seed``: ops of the same type,
        dtype and shape with the same ``(seed, seed2)`` pair; a shape computed at run time (dropout on a
        batch of activations, ``[None, 256]``) counts by its static form.

    Why it matters:
        TensorFlow derives an op's random stream from the graph-level seed and the op-level seed alone.
        Two ops with the same op seed and shape produce the same values: two layers initialised with
        ``tf.random_normal_initializer(seed=1)`` start with identical weights (they stay symmetric), and two
        dropouts with ``seed=1`` drop the same units.

    Example:
        ``w1 = tf.Variable(tf.random_normal([64, 64], seed=1))``, ``w2 = tf.Variable(tf.random_normal([64, 64],
        seed=1))``.

    Fix:
        Set the graph-level seed once (``tf.set_random_seed(1)``) and give ops no seed of their own (each then
        gets a different stream, reproducibly), or give each op a different seed.
    """
    for graph, index, _ in context.graphs():
        groups: dict[tuple, list[int]] = {}
        for node, op_type in enumerate(index.op_types):
            if op_type not in RANDOM_OPS:
                continue
            attr = index.graph_def.node[node].attr
            seed = attr["seed"].i if "seed" in attr else 0
            seed2 = attr["seed2"].i if "seed2" in attr else 0
            if seed == 0 and seed2 == 0:
                continue  # no seed at all: a fresh stream per op
            shape = _shape_key(index, node)
            if shape is None:
                continue
            dtype = attr["dtype"].type if "dtype" in attr else attr["T"].type if "T" in attr else 0
            groups.setdefault((op_type, seed, seed2, dtype, shape), []).append(node)
        for (op_type, seed, seed2, *_), nodes in groups.items():
            if len(nodes) < 2:
                continue
            names = [index.names[n] for n in nodes]
            first = names[0]
            yield Finding(first,
                f"{len(names)} {op_type} ops ({', '.join(names[:3])}{', ...' if len(names) > 3 else ''}) have the "
                f"same seed and shape, so they draw identical numbers",
                hint="Set the graph seed once (tf.set_random_seed) and leave op seeds out, or give each op its own.",
                source=graph.sources.get(first), graph=graph.id,
                related=tuple(Related("same stream", graph.sources[n]) for n in names[1:4] if graph.sources.get(n)),
                evidence={"ops": names, "seed": seed, "seed2": seed2, "type": op_type},
            )


def _seeds(index, node: int) -> tuple[int, int]:
    attr = index.graph_def.node[node].attr
    return (attr["seed"].i if "seed" in attr else 0, attr["seed2"].i if "seed2" in attr else 0)


@check("TFI018", "op-created-before-graph-seed", Severity.WARNING, family=FAMILY,
       evidence={"ops": "the unseeded random ops", "graph_seed": "the graph seed"})
def ops_before_graph_seed(context: CheckContext) -> Iterator[Finding]:
    """Random ops were created before ``tf.set_random_seed``, so they draw different numbers on every run.

    What it checks:
        A graph with a graph-level seed (``tf.set_random_seed``) that also holds random ops or samplers with no
        seed at all: TensorFlow seeds an op when it is created, so these were created before the seed was set.

    Why it matters:
        TensorFlow derives an op's random stream from the graph-level seed and its op-level seed, when the op
        is created. ``tf.set_random_seed`` covers only the ops created after it: a model built first and seeded
        afterwards (the call just before the session) still starts from different weights, with different
        dropout masks, on every run, although the script looks reproducible.

    Example:
        ``w = tf.Variable(tf.random_normal([784, 10]))`` then ``tf.set_random_seed(1)`` then ``tf.Session()``.

    Fix:
        Call ``tf.set_random_seed(seed)`` (``tf.random.set_seed`` in TF2) once, before the graph's first op is
        created: at the top of the script, or first thing inside ``with graph.as_default():``.
    """
    for graph, index, _ in context.graphs():
        if graph.seed is None:
            continue  # no graph seed (or a GraphDef, which does not say)
        unseeded = [n for n, op_type in enumerate(index.op_types)
                    if op_type in SEEDED_OPS and _seeds(index, n) == (0, 0)]
        if not unseeded:
            continue
        names = [index.names[n] for n in unseeded]
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        lines = []
        for name in names:
            source = graph.sources.get(name)
            if source is not None and source not in lines:
                lines.append(source)
        yield Finding(names[0],
            f"{len(names)} random op{'s' if len(names) > 1 else ''} ({shown}) {'were' if len(names) > 1 else 'was'} "
            f"created before the graph seed ({graph.seed}) was set: tf.set_random_seed covers only the ops created "
            "after it, so these draw different numbers on every run",
            hint="Call tf.set_random_seed(seed) once, before the graph's first op is created.",
            source=lines[0] if lines else None, graph=graph.id,
            related=tuple(Related("also unseeded", location) for location in lines[1:4]),
            evidence={"ops": names, "graph_seed": graph.seed},
        )
