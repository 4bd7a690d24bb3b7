"""Training steps that do not do what the code says: updates no run executes, a global step that stays 0."""

from __future__ import annotations

import re
from typing import Iterator

import numpy as np

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext, consumers
from tfinspect.checks.finding import Finding, Related, Severity
from tfinspect.core.optypes import INCREMENT_OPS, PRINT_OPS, SUMMARY_OPS, VARIABLE_OPS, is_mutating
from tfinspect.record.model import CreatedBy, VariableInfo, VariableKind

FAMILY = "training"
_SAVER = re.compile(r"^save(_\d+)?/")  # tf.train.Saver's save and restore ops: run only when asked


def _initializer_of(name: str, variables: set[str]) -> bool:
    """``w/Assign`` (and ``w/Initializer/...``): how a variable gets its first value, run by an initializer."""
    head, _, tail = name.rpartition("/")
    return (tail.startswith("Assign") and head in variables) or any(
        name.startswith(v + "/Initializer/") for v in (head.split("/Initializer/")[0],) if v in variables)


def _label(index, node: int) -> str:
    """``Assign (of W)``: the op, and the variable an update writes to."""
    name = index.names[node]
    if not is_mutating(index.op_types[node]):
        return name
    inputs = index.inputs(node)
    target = index.names[int(inputs[0])] if len(inputs) and inputs[0] >= 0 else None
    return f"{name} (of {target})" if target else name


def _what(op_type: str) -> str:
    if op_type in PRINT_OPS:
        return "tf.Print"
    if op_type in SUMMARY_OPS:
        return "summary"
    return "update"


# The scalar summaries TensorFlow adds for the user's queues (string_input_producer, train.batch,
# shuffle_batch): "input_producer/fraction_of_32_full", "shuffle_batch/fraction_over_10_of_90_full".
_QUEUE_SUMMARY = re.compile(r"(^|/)fraction_(over_\d+_)?of_\d+_full(_\d+)?$")


@check("TFI010", "update-never-run", Severity.WARNING, family=FAMILY,
       evidence={"ops": "the ops never run", "types": "their types"})
def updates_never_run(context: CheckContext) -> Iterator[Finding]:
    """An op that changes state (an assign, an update, ``tf.Print``, a summary) is never run.

    What it checks:
        After a script that ran to its end, every op that assigns or updates a variable, prints, or
        writes a summary, and that no ``Session.run`` of the script reached (not even through a control
        dependency), grouped by the line that created it. Variable initializers and the Saver's
        restore ops, which run only when asked for, are left out.

    Why it matters:
        Building an op does nothing until a run executes it. ``W.assign(100)`` on its own line leaves ``W``
        unchanged; batch normalization's moving averages stay at their initial values when
        ``tf.GraphKeys.UPDATE_OPS`` is not run with the training step (so inference is wrong); a
        ``tf.Print`` whose result is not used prints nothing; summaries never merged or run are empty in
        TensorBoard.

    Example:
        ``W.assign(100)`` then ``sess.run(W.initializer)``, ``print(W.eval())``: prints 10.

    Fix:
        Run the op (``sess.run(assign_op)``), use its result, or tie it to the training step:
        ``with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)): train =
        optimizer.minimize(loss)``; run ``tf.summary.merge_all()`` and write its result.
    """
    for graph, index, _ in context.graphs():
        ran = context.ran(graph)
        if ran is None:
            continue
        variables = {v.name for v in graph.variables}
        by_line: dict[tuple, list[int]] = {}
        for node in np.flatnonzero(~ran):
            op_type, name = index.op_types[node], index.names[node]
            if not (is_mutating(op_type) or op_type in PRINT_OPS or op_type in SUMMARY_OPS):
                continue
            if _SAVER.match(name) or _initializer_of(name, variables):
                continue
            if op_type in SUMMARY_OPS and _QUEUE_SUMMARY.search(name):
                continue  # TensorFlow's own: tf.train.batch and the input producers report how full they are
            source = graph.sources.get(name)
            if source is None:
                continue
            by_line.setdefault((source.file, source.line), []).append(node)
        for nodes in by_line.values():
            names = [index.names[n] for n in nodes]
            kinds = sorted({_what(index.op_types[n]) for n in nodes})
            labels = [_label(index, n) for n in nodes]
            shown = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
            yield Finding(names[0],
                f"{' and '.join(kinds)} op{'s' if len(names) > 1 else ''} {shown} never ran: no Session.run "
                "of the script reached it, so it changed nothing",
                hint="Run it, use its result, or make the training step depend on it (tf.control_dependencies; "
                     "for batch norm, the UPDATE_OPS collection).",
                source=graph.sources[names[0]], graph=graph.id,
                evidence={"ops": names, "types": sorted({index.op_types[n] for n in nodes})},
            )


@check("TFI011", "global-step-never-incremented", Severity.WARNING, family=FAMILY,
       evidence={"variable": "the global step", "readers": "ops that read it"})
def global_step_never_incremented(context: CheckContext) -> Iterator[Finding]:
    """A global step is read but nothing ever increments it.

    What it checks:
        A variable named ``global_step`` (or in the ``global_step`` collection) that some op reads (a
        learning-rate decay, a summary), while no op of the graph assigns or adds to it other than its
        initializer.

    Why it matters:
        ``optimizer.minimize(loss)`` without ``global_step=`` does not increment it, so it stays 0: a
        decayed learning rate never decays, a schedule never advances, and checkpoints saved with
        ``global_step=`` all get the suffix ``-0`` and overwrite one another.

    Example:
        ``global_step = tf.Variable(0, trainable=False)``, ``lr = tf.train.exponential_decay(0.1, global_step,
        100, 0.96)``, ``tf.train.GradientDescentOptimizer(lr).minimize(loss)``.

    Fix:
        Pass it to the optimizer: ``optimizer.minimize(loss, global_step=global_step)`` (or run
        ``tf.assign_add(global_step, 1)`` with each step).
    """
    for graph, index, _ in context.graphs():
        in_collection = {m.name.split(":")[0] for m in graph.collections.get("global_step", ()) if m.name}
        steps = [v for v in graph.variables if v.name == "global_step" or v.name.endswith("/global_step")
                 or v.name in in_collection]
        for step in steps:
            node = index.node_id(step.name)
            if node is None:
                continue
            writers, readers = [], []
            for consumer in consumers(index, node):
                name, op_type = index.names[consumer], index.op_types[consumer]
                if op_type in VARIABLE_OPS or _SAVER.match(name) or name.startswith(step.name + "/"):
                    continue  # its own initializer and read ops, the Saver
                if op_type in INCREMENT_OPS or is_mutating(op_type):
                    writers.append(name)
                else:
                    readers.append(name)
            readers += [r for n in _reads(index, step.name) for r in _consumers_named(index, n)]
            if writers or not readers:
                continue
            yield Finding(step.name,
                f"{step.name} is read ({', '.join(sorted(set(readers))[:3])}) but nothing increments it: it "
                "stays 0, so what depends on it (a learning-rate decay, checkpoint numbers) never advances",
                hint="Pass it to the optimizer: optimizer.minimize(loss, global_step=global_step).",
                source=step.source, graph=graph.id, evidence={"variable": step.name, "readers": sorted(set(readers))},
            )


def _reads(index, variable: str) -> list[int]:
    """The variable's own read ops (``global_step/read``, ``ReadVariableOp`` under its name)."""
    return [i for i, name in enumerate(index.names) if name.startswith(variable + "/") and
            index.op_types[i] in ("Identity", "ReadVariableOp")]


def _consumers_named(index, node: int) -> list[str]:
    return [index.names[c] for c in consumers(index, node) if not _SAVER.match(index.names[c])]


_UNINITIALIZED = re.compile(r"(?:Attempting to use uninitialized value|Error while reading resource variable) "
                            r"([\w./-]+)")
_INIT_GROUP = re.compile(r"^init(_\d+)?$")


@check("TFI015", "uninitialized-variable-read", Severity.ERROR, family=FAMILY,
       evidence={"variable": "the first uninitialised variable",
                 "uninitialized": "every variable the run reads that no earlier run initialised",
                 "run": "the failing run",
                 "initializer_before_variable": "the initializer was created before the variable"})
def uninitialized_reads(context: CheckContext) -> Iterator[Finding]:
    """A run read a variable that no initializer had set (TensorFlow raised FailedPreconditionError).

    What it checks:
        Runs of the script that failed because a variable was read before it was initialised (TensorFlow
        is the oracle: it raised), and why: a ``tf.global_variables_initializer()`` created before the
        variable (it covers only the variables that exist when it is called), a subset initializer
        (``tf.variables_initializer``) that leaves some out, or no initializer run at all. TensorFlow names
        the first variable it met; the finding lists every variable the run reads that no earlier run
        initialised (an initializer, a restore or an assign that executed).

    Why it matters:
        The script dies at its first training step with ``FailedPreconditionError: Attempting to use
        uninitialized value``, after data loading and graph building; with a subset initializer
        (``tf.variables_initializer([...])``) it is easy to miss a layer or an optimizer's slots.

    Example:
        ``init = tf.global_variables_initializer()`` then ``w2 = tf.Variable(...)`` then ``sess.run(init)``.

    Fix:
        Create the initializer after the whole model, optimizer included (``minimize`` adds slot variables),
        and run it (or restore a checkpoint) before the first step.
    """
    capture = context.capture
    for graph, index, _ in context.graphs():
        variables = {v.name: v for v in graph.variables}
        inits = [n for n, name in enumerate(index.names) if _INIT_GROUP.match(name) and index.op_types[n] == "NoOp"]
        reported: set[str] = set()
        state = _Initialised(context, graph, index)
        for run in capture.runs:
            if run.graph != graph.id:
                continue
            match = _UNINITIALIZED.search(run.error) if run.error else None
            if match is None or match.group(1) not in variables:
                state.after(run)
                continue
            # TensorFlow names the first uninitialised variable it met; every one this run reads is listed
            missing = [v for v in state.unset_reads(run) if v in variables] or [match.group(1)]
            missing = [v for v in missing if v not in reported]
            if not missing:
                continue
            reported.update(missing)
            name = missing[0]
            node = index.node_id(name)
            early = [n for n in inits if node is not None and n < node]
            others = f" (and {len(missing) - 1} more: {', '.join(missing[1:4])}{', ...' if len(missing) > 4 else ''})" \
                if len(missing) > 1 else ""
            if early:
                where = graph.sources.get(index.names[early[-1]])
                why = (f"{name} was created after tf.global_variables_initializer()"
                       f"{' (' + where.short() + ')' if where else ''}, which initialises only the variables that "
                       "exist when it is called")
            else:
                maker = variables[name].made_by
                why = f"no run initialised {name}{f' (made by {maker})' if maker else ''} before this one read it"
            related = [Related("variable", variables[name].source)] if variables[name].source else []
            yield Finding(name,
                f"{run.noun} #{run.index} read {name}{others} before it was initialised: {why}",
                hint="Create tf.global_variables_initializer() after the whole model (optimizer included) and run "
                     "it, or restore a checkpoint, before the first step.",
                source=run.source, related=tuple(related), graph=graph.id,
                evidence={"variable": name, "uninitialized": missing, "run": run.index,
                          "initializer_before_variable": bool(early)},
            )


class _Initialised:
    """Which variables the script's runs have initialised so far, followed run by run (an executed run that
    holds an op writing a variable, an initializer or a restore, initialises it)."""

    def __init__(self, context: CheckContext, graph, index) -> None:
        self.context, self.graph, self.index = context, graph, index
        self.variable_nodes = {n for n, t in enumerate(index.op_types) if t in VARIABLE_OPS}
        self.done: set[int] = set()
        self._seen: set[tuple] = set()

    def _mask(self, run):
        from tfinspect.analyses.runs import plan_for_run

        return plan_for_run(self.context.capture, run).mask

    def _writes_and_reads(self, mask) -> tuple[set[int], set[int]]:
        writes, reads = set(), set()
        index = self.index
        for node in self.variable_nodes:
            if not mask[node]:
                continue
            for consumer in consumers(index, node):
                if not mask[consumer]:
                    continue
                inputs = index.inputs(consumer)
                target = len(inputs) and int(inputs[0]) == node
                if target and is_mutating(index.op_types[consumer]):
                    writes.add(node)
                elif index.op_types[consumer] in ("Identity", "ReadVariableOp") or not target:
                    reads.add(node)
        return writes, reads

    def after(self, run) -> None:
        if run.status.value not in ("ok", "skimmed"):
            return
        key = (run.fetches, tuple(f.name for f in run.feeds))
        if key in self._seen:
            return
        self._seen.add(key)
        writes, _ = self._writes_and_reads(self._mask(run))
        self.done |= writes

    def unset_reads(self, run) -> list[str]:
        """The variables ``run`` reads that no earlier run initialised, in the order the graph created them."""
        _, reads = self._writes_and_reads(self._mask(run))
        return [self.index.names[n] for n in sorted(reads - self.done)]


def _where(location, near) -> str:
    """`` (line 14)`` beside a finding in the same file, `` (train.py:14)`` otherwise."""
    if location is None:
        return ""
    if near is not None and near.file == location.file:
        return f" (line {location.line})"
    return f" ({location.short()})"


def _written_by_others(index, node: int, variables: set[str]) -> bool:
    """Whether an op other than its initializer and the Saver's restore writes the variable (a target network's
    copy, a moving average's update, a manual ``tf.assign``)."""
    for consumer in consumers(index, node):
        name, op_type = index.names[consumer], index.op_types[consumer]
        inputs = index.inputs(consumer)
        if not (is_mutating(op_type) and len(inputs) and int(inputs[0]) == node):
            continue
        if not (_SAVER.match(name) or _initializer_of(name, variables)):
            return True
    return False


@check("TFI016", "variable-without-gradient", Severity.WARNING, family=FAMILY,
       evidence={"variable": "the variable", "optimizer": "the optimizer's class"})
def variables_without_gradient(context: CheckContext) -> Iterator[Finding]:
    """A trainable variable handed to an optimizer gets no gradient from the loss, so training never changes it.

    What it checks:
        Each ``minimize`` / ``apply_gradients`` call of the script: the trainable variables it was given (by
        default all of them) whose gradient TensorFlow computed as None, when no optimizer call gives them a
        gradient and no other op of the graph writes them (a target network's copy, a moving average).

    Why it matters:
        A variable has no gradient when the loss does not depend on it, or only through ops without a
        gradient (``tf.argmax``, a cast to an integer, ``tf.stop_gradient``, ``tf.round``). TensorFlow 1
        silently leaves such variables out of the update: a forgotten bias, a layer whose output is never
        used, or a head cut off by an ``argmax`` keeps its initial value while the loss still goes down.

    Example:
        ``b2 = tf.Variable(tf.zeros([3]))`` then ``logits = tf.matmul(h, w2)`` (``+ b2`` forgotten), and
        ``tf.train.AdamOptimizer().minimize(loss)``.

    Fix:
        Use the variable in the model (add the forgotten bias), remove it, or say it is not trained:
        ``trainable=False``, or ``minimize(loss, var_list=...)`` without it.
    """
    for graph, index, _ in context.graphs():
        if not graph.gradients:
            continue
        updated = {v for call in graph.gradients for v in call.variables if v not in call.missing}
        trainable = {v.name: v for v in graph.variables if v.trainable}
        names = {v.name for v in graph.variables}
        reported = set()
        for call in graph.gradients:
            for name in call.missing:
                variable = trainable.get(name)
                if name in updated or name in reported:
                    continue
                if variable is None:  # TF2: a variable the trace never reads is not captured, so not in it
                    if graph.function is None or name in names:
                        continue
                    variable = VariableInfo(name, None, "unknown", True, VariableKind.RESOURCE,
                                            CreatedBy.VARIABLE, source=call.sites.get(name))
                else:
                    node = index.node_id(name)
                    if node is None or _written_by_others(index, node, names):
                        continue
                reported.add(name)
                where = _where(call.source, variable.source)
                method = "apply_gradients" if graph.function is not None else "minimize"  # TF2: the tape's gradients
                related = (Related(f"{call.optimizer or 'optimizer'}.{method}", call.source),) if call.source else ()
                yield Finding(name,
                    f"{name} is trainable but gets no gradient from the loss {call.optimizer or 'the optimizer'} "
                    f"minimises{where}: the loss does not depend on it, or only through ops without a gradient "
                    "(argmax, a cast to int, stop_gradient), so training never changes it",
                    hint="Use it in the model (a forgotten bias?), remove it, or exclude it: trainable=False, or "
                         "minimize(loss, var_list=[...]) without it.",
                    source=variable.source or graph.sources.get(name), related=related, graph=graph.id,
                    evidence={"variable": name, "optimizer": call.optimizer},
                )
