"""Embedding index bounds: ids that index a table must be in ``[0, rows)``.

On CPU an out-of-range id fails late, inside the graph
(``InvalidArgumentError: indices[0] = 3081 is not in [0, 128)``); on GPU
``tf.gather`` and ``embedding_lookup`` return zeros for it without a word
(under XLA the id is clamped), so a model trains on garbage.
"""

from __future__ import annotations

from typing import Iterable, Iterator

from tfinspect.analyses.lookups import Lookup, Origin, check_ids
from tfinspect.checks.finding import Finding, Related, Severity
from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.index.graphindex import GraphIndex
from tfinspect.record.model import GraphCapture, OutcomeStatus
from tfinspect.index.tensors import tensor_value

FAMILY = "bounds"
HINT_GPU = ("On CPU TensorFlow fails only when the run executes; on GPU the lookup silently returns zeros for "
            "these ids. Check the vocabulary size, off-by-one ids and how unknown words are mapped.")
HINT_ONE_HOT = ("tf.one_hot never fails: an index outside [0, depth) gives a row of zeros, on CPU too, so the "
                "model learns from an empty target. Check depth against the number of classes.")

# The evidence of every finding about ids out of range.
IDS_EVIDENCE = {
    "ids": "the first bad values",
    "positions": "their indexes in the array",
    "count": "bad ids",
    "total": "ids checked",
    "low": "the valid range's start",
    "high": "the valid range's end, excluded",
    "lookup": "the lookup op",
    "table": "the table variable it reads",
}


def _hint(lookup: Lookup) -> str:
    return HINT_ONE_HOT if lookup.kind == "one_hot" else HINT_GPU


def _related(graph: GraphCapture, index: GraphIndex, **nodes: int | None) -> tuple[Related, ...]:
    found = []
    for label, node in nodes.items():
        if node is None:
            continue
        location = graph.sources.get(index.names[node])
        if location is not None:
            found.append(Related(label.replace("_", " "), location))
    return tuple(found)


def _evidence(index: GraphIndex, lookup: Lookup, violation, low: int, **more) -> dict:
    """What a bounds finding rests on, as fields: the bad ids and where they are, the bounds, the table."""
    return {"ids": list(violation.values), "positions": [list(p) for p in violation.positions],
            "count": violation.count, "total": violation.total, "low": low, "high": lookup.size,
            "lookup": index.names[lookup.node],
            "table": index.names[lookup.table] if lookup.table is not None else None, **more}


def _origins(lookups: Iterable[Lookup], kind: str, *, samplers: bool = False) -> Iterator[tuple[Lookup, Origin]]:
    for lookup in lookups:
        if (lookup.kind == "sampler") != samplers or lookup.size is None:
            continue
        for origin in lookup.origins:
            if origin.kind == kind:
                yield lookup, origin


@check("TFI001", "constant-index-out-of-range", Severity.ERROR, family=FAMILY,
       evidence={**IDS_EVIDENCE, "constant": "the constant holding the ids"})
def constant_ids(context: CheckContext) -> Iterator[Finding]:
    """A constant id is outside the table it indexes.

    What it checks:
        Ids written into the graph as constants (``tf.constant([3, 7])``) that reach a table lookup
        (``tf.gather``, ``tf.nn.embedding_lookup``, the lookups inside ``nce_loss``), through
        Identity, Cast, Reshape, ConcatV2 and the like, against the table's row count.

    Why it matters:
        The run fails when it executes, far from the line that wrote the id:
        ``InvalidArgumentError: indices[1] = 12 is not in [0, 10)``. On GPU it does not fail at all: the
        lookup returns a row of zeros.

    Example:
        ``table = tf.get_variable("table", [10, 4]); rows = tf.gather(table, tf.constant([3, 12]))``

    Fix:
        Keep ids below the number of rows (ids are 0-based), or make the table larger.
    """
    for graph, index, lookups in context.graphs():
        for lookup, origin in _origins(lookups, "const"):
            value = tensor_value(index.graph_def.node[origin.node].attr["value"].tensor)
            low = lookup.low(origin)
            violation = None if value is None else check_ids(value, lookup.size, low=low)
            if violation is None:
                continue
            const, op = index.names[origin.node], index.names[lookup.node]
            yield Finding(op,
                f"constant {const} holds {violation.describe()} outside [{low}, {lookup.size}) for {lookup.what} "
                f"indexed by {op}",
                hint=_hint(lookup), source=graph.sources.get(const) or graph.sources.get(op),
                related=_related(graph, index, lookup=lookup.node, table=lookup.table), graph=graph.id,
                evidence=_evidence(index, lookup, violation, low, constant=const),
            )


def _fed(context: CheckContext, samplers: bool) -> Iterator[Finding]:
    for graph, index, lookups in context.graphs():
        for lookup, origin in _origins(lookups, "placeholder", samplers=samplers):
            tensor = f"{index.names[origin.node]}:{origin.port}"
            runs = context.runs_reaching(graph, lookup, tensor)
            bad = []
            low = lookup.low(origin)
            for run in runs:
                values = context.capture.feed_values.for_run(run.index).get(tensor)
                violation = None if values is None else check_ids(values, lookup.size, low=low)
                if violation is not None:
                    bad.append((run, violation))
            if not bad:
                continue
            run, violation = bad[0]
            op = index.names[lookup.node]
            where = f" at {run.source.short()}" if run.source else ""
            # every run that fed it was checked as it ran (the guard stops the first bad one); those are counted
            kinds = {(r.fetches, tuple(f.name for f in r.feeds)) for r in runs}
            fed = sum(1 for r in context.capture.runs
                      if r.graph == graph.id and (r.fetches, tuple(f.name for f in r.feeds)) in kinds)
            count = f" (in {len(bad)} of {fed} {run.noun}s that feed it)" if fed > 1 else ""
            if samplers:
                message = (f"{tensor} fed{where} ({run.noun} #{run.index}) holds {violation.describe()} outside "
                           f"[{low}, {lookup.size}) for the {lookup.what} of {op}: true classes must be below "
                           f"num_classes{count}")
            else:
                message = (f"{tensor} fed{where} ({run.noun} #{run.index}) holds {violation.describe()} outside "
                           f"[{low}, {lookup.size}) for {lookup.what} indexed by {op}{count}")
            yield Finding(op, message, hint=_hint(lookup), source=run.source,
                related=_related(graph, index, placeholder=origin.node, lookup=lookup.node, table=lookup.table),
                graph=graph.id,
                evidence=_evidence(index, lookup, violation, low, tensor=tensor, run=run.index,
                                   runs=[r.index for r, _ in bad]),
            )


@check("TFI002", "fed-index-out-of-range", Severity.ERROR, family=FAMILY, needs=("feeds",),
       evidence={**IDS_EVIDENCE, "tensor": "the fed tensor", "run": "the first run with bad ids",
                 "runs": "every run with bad ids"})
def fed_ids(context: CheckContext) -> Iterator[Finding]:
    """Ids fed to a placeholder are outside the table they index.

    What it checks:
        For every captured ``Session.run``, the arrays in its ``feed_dict`` that reach a table lookup
        (``embedding_lookup``, also over a partitioned table, where ids count against the rows of all
        parts; ``tf.gather`` along any constant axis; ``tf.gather_nd`` with one-component indices;
        Keras' ``Embedding``; the true-class lookups inside ``nce_loss``;
        ``sparse_softmax_cross_entropy_with_logits`` labels; ``one_hot`` indices) in that run's subgraph,
        against the table's row count. Where the ids are wrapped around as Python indexes
        are (Keras 3's ``Embedding`` maps ``-1`` to the last row), ids down to ``-rows`` are valid.

    Why it matters:
        The failure users meet: ``InvalidArgumentError: indices[0] = 3081 is not in [0, 128)``
        at ``loss/nce_loss/embedding_lookup_1``, reported at run time, far from the line that built
        the ids. On GPU ``tf.gather`` and ``embedding_lookup`` return zeros for out-of-range ids, so the
        model trains on garbage without a word.

    Example:
        ``sess.run(train_op, feed_dict={center_words: batch})`` where ``batch`` holds word ids up to
        the corpus's vocabulary, but the embedding matrix has ``VOCAB_SIZE`` rows.

    Fix:
        Map every word outside the vocabulary to an id below ``VOCAB_SIZE`` (for example 0 for UNK),
        or size the tables from the vocabulary you really build.
    """
    return _fed(context, samplers=False)


@check("TFI003", "sampler-range-exceeds-table", Severity.ERROR, family=FAMILY,
       evidence={"sampler": "the candidate sampler", "num_classes": "its range", "high": "the table's rows",
                 "lookup": "the lookup", "table": "the table"})
def sampler_range(context: CheckContext) -> Iterator[Finding]:
    """A candidate sampler draws ids beyond the rows of the table they index.

    What it checks:
        ``nce_loss`` and ``sampled_softmax_loss`` sample negative classes from ``[0, num_classes)``
        and look them up in their weights and biases. The sampler's ``range_max`` (``num_classes``)
        is compared with the rows of every table its samples reach.

    Why it matters:
        Sampled ids beyond the table fail at random steps, inside ``nce_loss``:
        ``indices[70] = 9731 is not in [0, 5000)`` at ``loss/nce_loss/embedding_lookup``; on GPU
        they silently read zeros.

    Example:
        ``tf.nn.nce_loss(weights=nce_weight, biases=nce_bias, ..., num_classes=50000)`` with
        ``nce_weight`` of shape ``[5000, 128]``.

    Fix:
        Pass ``num_classes`` equal to the number of rows of the weights (the vocabulary size).
    """
    for graph, index, lookups in context.graphs():
        for lookup, origin in _origins(lookups, "sampler"):
            attr = index.graph_def.node[origin.node].attr
            range_max = int(attr["range_max"].i) if "range_max" in attr else None
            if range_max is None or range_max <= lookup.size:
                continue
            sampler, op = index.names[origin.node], index.names[lookup.node]
            yield Finding(op,
                f"{sampler} samples classes from [0, {range_max}) (num_classes) but {lookup.what} indexed by "
                f"{op} is smaller: every sampled id >= {lookup.size} is out of range",
                hint="Set num_classes to the number of rows of the weights.",
                source=graph.sources.get(sampler) or graph.sources.get(op),
                related=_related(graph, index, lookup=lookup.node, table=lookup.table), graph=graph.id,
                evidence={"sampler": sampler, "num_classes": range_max, "high": lookup.size, "lookup": op,
                          "table": index.names[lookup.table] if lookup.table is not None else None},
            )


def _dataset_samples(context: CheckContext, graph: GraphCapture, index: GraphIndex, origin: Origin) -> list:
    """The samples of every dataset the iterator that IteratorGetNext ``origin`` reads was made for (a
    reinitializable iterator has one per ``make_initializer``)."""
    lo = int(index.indptr[origin.node])
    iterator = index.names[int(index.indices[lo])] if index.indptr[origin.node + 1] > lo else None
    return [s for s in context.capture.datasets if s.graph == graph.id and s.iterator == iterator]


@check("TFI004", "dataset-index-out-of-range", Severity.ERROR, family=FAMILY, needs=("datasets",),
       evidence={**IDS_EVIDENCE, "tensor": "the dataset's component", "iterator": "the iterator",
                 "elements": "elements iterated", "complete": "the whole dataset was iterated"})
def dataset_ids(context: CheckContext) -> Iterator[Finding]:
    """A tf.data pipeline yields ids outside the table they index.

    What it checks:
        Ids that reach a table lookup from a ``tf.data`` iterator (``from_tensor_slices``,
        ``from_generator``, ``batch``, ``map``, ...). ``tfinspect check`` iterates each dataset with an
        iterator of its own, up to ``--max-elements`` elements, and checks every id it yields against
        the table's row count. A pipeline that calls Python (``from_generator``, ``tf.py_func`` in
        ``map``) is never iterated again, since its side effects would repeat: each element the
        script's runs read is checked before the run that reads it executes.

    Why it matters:
        The bad id surfaces at some training step, possibly hours in, as
        ``InvalidArgumentError: indices[...] = 3081 is not in [0, 128)``, with no feed to blame; on GPU
        it never surfaces: the lookup returns zeros.

    Example:
        ``tf.data.Dataset.from_tensor_slices(word_ids)`` where ``word_ids`` were built with a larger
        vocabulary than the embedding matrix.

    Fix:
        Build the ids and the tables from the same vocabulary; map rare words to an UNK id below it.
    """
    for graph, index, lookups in context.graphs():
        seen: set = set()  # (call, table): Keras' multi-step loop reads one table at two places of one trace
        for lookup, origin in _origins(lookups, "dataset"):
            yield from _call_data(context, graph, index, lookup, origin, seen)
            for sample in _dataset_samples(context, graph, index, origin):
                values = context.capture.dataset_values(sample, origin.port)
                low = lookup.low(origin)
                violation = None if values is None else check_ids(values, lookup.size, low=low)
                if violation is None:
                    continue
                getter, op = index.names[origin.node], index.names[lookup.node]
                scope = "all" if sample.complete else f"the first {sample.elements}"
                checked = (f"{scope} elements checked" if sample.python is None else
                           f"{scope} elements checked, as the script's runs read them: its pipeline calls Python")
                yield Finding(op,
                    f"the dataset read by {getter}:{origin.port} yields {violation.describe()} outside "
                    f"[{low}, {lookup.size}) for {lookup.what} indexed by {op} ({checked})",
                    hint=_hint(lookup), source=graph.sources.get(getter) or graph.sources.get(op),
                    related=_related(graph, index, lookup=lookup.node, table=lookup.table,
                                     dataset=index.ids.get(sample.make_iterator)),
                    graph=graph.id,
                    evidence=_evidence(index, lookup, violation, low, tensor=f"{getter}:{origin.port}",
                                       iterator=sample.iterator, elements=sample.elements,
                                       complete=sample.complete),
                )


def _call_data(context: CheckContext, graph, index, lookup, origin, seen: set) -> Iterator[Finding]:
    """TF2: the dataset a call's iterator reads (Keras ``fit`` on arrays or a dataset), read ahead by the child."""
    tensor = f"{index.names[origin.node]}:{origin.port}"
    for run in context.capture.runs:
        if run.graph != graph.id or not run.values_kept or tensor not in {d.name for d in run.data}:
            continue
        values = context.capture.feed_values.for_run(run.index).get(tensor)
        low = lookup.low(origin)
        violation = None if values is None else check_ids(values, lookup.size, low=low)
        if violation is None or (run.index, lookup.table) in seen:
            continue
        seen.add((run.index, lookup.table))
        op = index.names[lookup.node]
        where = f" given at {run.source.short()}" if run.source else ""
        yield Finding(op,
            f"the data{where} (call #{run.index}, read by {tensor}) holds {violation.describe()} outside "
            f"[{low}, {lookup.size}) for {lookup.what} indexed by {op}",
            hint=_hint(lookup), source=run.source or graph.sources.get(op),
            related=_related(graph, index, lookup=lookup.node, table=lookup.table), graph=graph.id,
            evidence=_evidence(index, lookup, violation, low, tensor=tensor, iterator=index.names[origin.node],
                               elements=int(values.size), complete=True),
        )
        return


@check("TFI005", "fed-label-out-of-sampler-range", Severity.ERROR, family=FAMILY, needs=("feeds",),
       evidence={**IDS_EVIDENCE, "tensor": "the fed tensor", "run": "the first run with bad labels",
                 "runs": "every run with bad labels"})
def fed_labels(context: CheckContext) -> Iterator[Finding]:
    """Labels fed to ``nce_loss`` or ``sampled_softmax_loss`` are beyond ``num_classes``.

    What it checks:
        The true classes a candidate sampler receives (the ``labels`` of ``nce_loss``) in every
        captured run's ``feed_dict``, against the sampler's ``range_max`` (``num_classes``).

    Why it matters:
        The run fails inside the sampler, with a message that does not name your labels:
        ``InvalidArgumentError: true_candidate out of range`` (and the same labels also index the
        NCE weights, so ``embedding_lookup_1`` may fail first).

    Example:
        ``sess.run(loss, feed_dict={target_words: [[3081]]})`` with ``num_classes=128``.

    Fix:
        Build labels from the same vocabulary as ``num_classes``; map unknown words to an id below it.
    """
    return _fed(context, samplers=True)


@check("TFI006", "index-not-checked", Severity.INFO, family=FAMILY, needs=("datasets",))
def not_checked(context: CheckContext) -> Iterator[Finding]:
    """Ids of a lookup that tfinspect could not check, and why.

    What it checks:
        Lookups whose table size is not static, and ids that come from computations (not constants,
        placeholders, samplers or datasets), from placeholders no captured run fed, or from
        ``tf.data`` iterators.

    Why it matters:
        A clean report means nothing for ids nobody looked at. This says which lookups remain
        unchecked, so you can add a feed, or guard them at run time with ``tfinspect.guard()`` and
        ``tfinspect.instrument(graph)``.

    Example:
        ``ids = tf.random.uniform([8], maxval=100, dtype=tf.int32); tf.gather(table, ids + 1)``

    Fix:
        Nothing to fix: it is information. Capture a run that feeds the placeholder, or guard at run time.
    """
    for graph, index, lookups in context.graphs():
        for lookup in lookups:
            op = index.names[lookup.node]
            if graph.function is not None and graph.sources.get(op) is None:
                continue  # in a TF2 trace, an op without the user's line is TensorFlow's or Keras' own (an
                # optimizer's branch for sparse gradients): nothing the user could check or change
            reasons = []
            if lookup.size is None:
                reasons.append(lookup.unsized or f"the size of {lookup.what.split(' (')[0]} is not known statically")
            else:
                for origin in lookup.origins:
                    name = index.names[origin.node]
                    if origin.kind == "unknown":
                        reasons.append(f"its ids are computed by {origin.reason}")
                    elif origin.kind == "dataset":
                        samples = _dataset_samples(context, graph, index, origin)
                        read = any(r.graph == graph.id and f"{name}:{origin.port}" in {d.name for d in r.data}
                                   for r in context.capture.runs)  # TF2: a call's data, read ahead
                        unread = next((r.data_unread for r in context.capture.runs
                                       if r.graph == graph.id and r.data_unread), None)
                        if not samples and not read and unread:
                            reasons.append(f"its ids come from the tf.data iterator {name}:{origin.port}: {unread}")
                        elif not samples and not read:
                            reasons.append(f"its ids come from the tf.data iterator {name}:{origin.port}, whose "
                                           "dataset was not iterated (--max-elements 0, or an iterator made in a "
                                           "way tfinspect cannot make again)")
                        for sample in samples:
                            if sample.python is not None and not sample.elements and not sample.error:
                                reasons.append(f"the dataset behind {name}:{origin.port} calls Python ("
                                               f"{sample.python}), which tfinspect does not run again, and no "
                                               "element the script's runs read could be checked")
                            elif sample.unfed:
                                reasons.append(f"the dataset behind {name}:{origin.port} could not be iterated "
                                               f"here: {sample.unfed}")
                            elif context.capture.dataset_values(sample, origin.port) is None:
                                reasons.append(f"the dataset behind {name}:{origin.port} could not be iterated"
                                               + (f" ({sample.error})" if sample.error else ""))
                            elif sample.error:
                                reasons.append(f"the dataset behind {name}:{origin.port} stopped {sample.error}; "
                                               f"only the {sample.elements} elements before were checked")
                    elif origin.kind == "placeholder":
                        tensor = f"{name}:{origin.port}"
                        if not context.runs_reaching(graph, lookup, tensor) and \
                                index.op_types[origin.node] != "PlaceholderWithDefault":
                            fed = context.feeds_anywhere(graph, tensor)
                            reasons.append(f"{tensor} is fed in no captured run that runs it" if fed else
                                           f"{tensor} is not fed in any captured run")
            for reason in dict.fromkeys(reasons):
                yield Finding(op, f"ids of {op} ({lookup.what}) not fully checked: {reason}",
                              source=graph.sources.get(op), graph=graph.id)


@check("TFI007", "dataset-fails-when-iterated", Severity.WARNING, family=FAMILY, needs=("datasets",),
       evidence={"iterator": "the iterator", "elements": "elements before the end", "error": "TensorFlow's error"})
def dataset_errors(context: CheckContext) -> Iterator[Finding]:
    """A tf.data pipeline raises an error part-way through.

    What it checks:
        While ``tfinspect check`` iterates a dataset (up to ``--max-elements``), the error it raises,
        if any, and after how many elements: a Python generator that runs out and raises
        ``StopIteration`` inside another generator, a ``map`` function that fails on some element.
        A warning; an error when the script itself died of it (one of its runs raised the same error).

    Why it matters:
        Training stops at that step, possibly hours in, with
        ``UnknownError: RuntimeError: generator raised StopIteration`` (PEP 479 turns a stray
        ``StopIteration`` inside a generator into a ``RuntimeError``), or with the map function's error.

    Example:
        ``def batch_gen(): ... center[i], target[i] = next(single_gen)`` where ``single_gen`` ends after
        one pass over the corpus, while training asks for more batches than one pass holds.

    Fix:
        Let the generator start over at the end of the data (``while True:`` around the pass), use
        ``dataset.repeat()``, or catch ``StopIteration`` and ``return``.
    """
    outcome = context.capture.outcome
    for graph, index, _ in context.graphs():
        for sample in context.capture.datasets:
            if sample.graph != graph.id or not sample.error:
                continue
            # The script itself died of it (TensorFlow raised the same error in one of its runs): an error.
            cause = sample.error.split(": ", 1)[-1]
            killed = outcome.status is OutcomeStatus.ERROR and bool(cause) and cause in (outcome.message or "")
            yield Finding(
                sample.make_iterator,
                f"the dataset behind {sample.iterator} raised an error {sample.error}: a run that reads "
                f"element {sample.elements + 1} fails the same way",
                hint="Make the input pipeline endless (repeat, or a generator that starts over), or stop "
                     "training before the data runs out.",
                source=graph.sources.get(sample.make_iterator), graph=graph.id,
                evidence={"iterator": sample.iterator, "elements": sample.elements, "error": sample.error},
                severity=Severity.ERROR if killed else None,
            )
