"""TF2: how ``tf.function`` is used (each trace of a function is a graph of the capture)."""

from __future__ import annotations

from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity
from tfinspect.record.model import SourceLocation

FAMILY = "functions"
MIN_TRACES = 3  # a second trace is often deliberate (training and evaluation shapes); a third is a pattern


def _hint(reasons: list[str]) -> str:
    if any("is a Python value" in r for r in reasons):
        return ("Pass the changing value as a tensor (tf.constant(n)), so that one trace serves every value; a "
                "Python number is part of the trace's key and each new one builds the graph again.")
    if any("has shape" in r for r in reasons):
        return ("Give the function an input_signature with the varying dimension as None "
                "(tf.TensorSpec([None, 4], tf.int32)), or decorate it with @tf.function(reduce_retracing=True).")
    return ("Arguments that are new Python objects at each call (a list, a dict, an instance) are traced anew; "
            "pass tensors, or give the function an input_signature.")


@check("TFI019", "function-retraced", Severity.WARNING, family=FAMILY,
       evidence={"function": "the Python function", "traces": "how many times it was traced",
                 "argument": "the argument whose changes caused most traces", "reasons": "why each trace after "
                 "the first was made"})
def function_retraced(context: CheckContext) -> Iterator[Finding]:
    """A ``tf.function`` is traced again and again: a new graph for each new Python value or shape.

    What it checks:
        For every ``tf.function`` the script called, how many traces TensorFlow made of it and which
        argument made each trace differ from the one before (a Python number with a new value, a tensor of
        a new shape or dtype, a new Python object). Three traces or more of one function are reported.

    Why it matters:
        Tracing runs the Python function and builds a whole new graph: slower than the step itself, and
        the memory of every trace is kept. It is the TF2 form of building ops in a training loop. A
        Python ``int`` such as a step counter or a batch size passed as an argument retraces at every
        new value; TensorFlow warns only after five retraces in a row, on stderr.

    Example:
        ``@tf.function def step(x, n): ...`` called as ``step(x, i)`` inside ``for i in range(100)``.

    Fix:
        Pass changing values as tensors (``step(x, tf.constant(i))``); give varying shapes a ``None``
        dimension in ``input_signature`` or use ``reduce_retracing=True``.
    """
    functions: dict[tuple, list] = {}
    for graph in context.capture.graphs:
        if graph.function is not None:
            functions.setdefault((graph.function.name, graph.function.function), []).append(graph)
    for (name, _), graphs in functions.items():
        if len(graphs) < MIN_TRACES:
            continue
        graphs.sort(key=lambda g: g.function.trace)
        reasons = [g.function.reason for g in graphs[1:] if g.function.reason]
        arguments: dict[str, int] = {}
        for reason in reasons:
            word = reason.split(" ", 1)[0] if reason else ""
            if word and not reason.startswith(("a new argument", "another")):
                arguments[word] = arguments.get(word, 0) + 1
        argument = max(arguments, key=arguments.get) if arguments else None
        last = graphs[-1]
        calls = [r for r in context.capture.runs if r.graph in {g.id for g in graphs}]
        first_call = next((r.source for r in calls if r.source is not None), None)
        why = f": {reasons[-1]}" if reasons else ""
        blamed = f" (each time {argument} changed)" if argument and arguments[argument] == len(reasons) else ""
        yield Finding(name,
            f"{name} was traced {len(graphs)} times{blamed}; the last trace because {why[2:]}" if why else
            f"{name} was traced {len(graphs)} times",
            hint=_hint(reasons), source=graphs[0].function.source,
            related=(Related("called at", first_call),) if first_call else (), graph=last.id,
            evidence={"function": name, "traces": len(graphs), "argument": argument, "reasons": reasons},
        )


@check("TFI020", "python-side-effect-in-function", Severity.WARNING, family=FAMILY,
       evidence={"function": "the Python function", "statement": "the statement", "traces": "traces made",
                 "calls": "calls made"})
def side_effect_in_function(context: CheckContext) -> Iterator[Finding]:
    """A ``print`` or a change to an outer Python list inside a ``tf.function``: it runs only while tracing.

    What it checks:
        The body of every ``tf.function`` the script called more often than it was traced: ``print(...)``
        calls, and ``append``/``extend``/``update``/... on a container the function did not create.

    Why it matters:
        A ``tf.function`` runs its Python code once, to build the graph; later calls run the graph. So a
        ``print(loss)`` prints a symbolic tensor once and never again, and ``losses.append(loss)`` adds one
        element per trace, not per step: the list users plot holds one symbolic tensor. Nothing fails; the
        program just does not do what it says.

    Example:
        ``@tf.function def train_step(x): ...; print("loss", loss); history.append(loss)``

    Fix:
        Use ``tf.print`` to print at every call; return the value and append it outside the function (or
        keep it in a ``tf.Variable`` or a ``tf.TensorArray``).
    """
    functions: dict[int, list] = {}
    for graph in context.capture.graphs:
        if graph.function is not None:
            functions.setdefault(graph.function.function, []).append(graph)
    for graphs in functions.values():
        first = min(graphs, key=lambda g: g.function.trace)
        ids = {g.id for g in graphs}
        calls = sum(1 for r in context.capture.runs if r.graph in ids)
        if calls <= len(graphs) or not first.function.side_effects:
            continue
        name = first.function.name
        source = first.function.source
        for line, what in first.function.side_effects:
            where = SourceLocation(source.file, line, source.function) if source is not None else None
            printing = what.startswith("print")
            effect = ("prints only while it is traced" if printing else
                      "changes a Python object only while it is traced (one change per trace, not per call)")
            yield Finding(name,
                f"{what} in {name} {effect}: {len(graphs)} trace{'s' if len(graphs) > 1 else ''}, {calls} calls",
                hint="Use tf.print, which is part of the graph and prints at every call." if printing else
                     "Return the value and keep it outside the function, or keep it in a tf.Variable or a "
                     "tf.TensorArray.",
                source=where, graph=first.id,
                evidence={"function": name, "statement": what, "traces": len(graphs), "calls": calls},
            )
