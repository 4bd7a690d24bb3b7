"""TF2: how ``tf.function`` is used (each trace of a function is a graph of the capture)."""

from __future__ import annotations

from typing import Iterator

from tfinspect.checks.check import check
from tfinspect.checks.context import CheckContext
from tfinspect.checks.finding import Finding, Related, Severity

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
