"""What skimming a run must respect, read off the live graph: the ops the run reaches.

A skimmed run (``RunPolicy``, ``Verdict.SKIM``) does not execute; it returns its line's last real
result. Three kinds of op change that:

- input ops (``IteratorGetNext``, ``QueueDequeue*``) still execute, alone, so that a dataset or a
  queue advances and raises OutOfRangeError where the real run would, and the script's loop ends;
- a run that (re)initialises an input pipeline (``MakeIterator``, table initialisers) always executes;
- a run that calls ``tf.py_func`` is not skimmed: its Python side effects would silently not happen.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfinspect.core.optypes import INITIALIZER_OPS, INPUT_PREFIXES, PY_FUNC_OPS


@dataclass(frozen=True)
class SkimPlan:
    inputs: tuple[str, ...] = ()  # tensors a skimmed run still computes (the outputs of its input ops; an op)
    always_real: bool = False  # the run initialises an input pipeline
    misleading: str | None = None  # why skimming this run would mislead (then the script stops instead)
    controlled: tuple[str, ...] = ()  # input ops the run needs through a control edge (they run whatever is fed)


def skim_plan(graph, fetch_names: list[str], fed_names: list[str]) -> SkimPlan:
    """Walk the live graph from the fetches to what they need (data and control inputs; a fed tensor cuts)."""
    fed = set(fed_names)
    seen: set[str] = set()
    stack = []
    for name in fetch_names:
        try:
            stack.append(graph.get_operation_by_name(name.split(":")[0]))
        except (KeyError, ValueError):
            continue
    inputs: list[str] = []
    always_real = False
    py_func = None
    controlled: set[str] = set()
    while stack:
        op = stack.pop()
        if op.name in seen:
            continue
        seen.add(op.name)
        if op.type.startswith(INPUT_PREFIXES):
            if all(t.dtype.name not in ("variant", "resource") for t in op.outputs):
                inputs += [t.name for t in op.outputs]
            else:  # a sparse or ragged element travels as a variant, which Session.run cannot return: run the op
                inputs.append(op.name)
        elif op.type in INITIALIZER_OPS:
            always_real = True
        elif op.type in PY_FUNC_OPS and py_func is None:
            py_func = op.name
        for tensor in op.inputs:
            if tensor.name not in fed and tensor.op.name not in seen:
                stack.append(tensor.op)
        for control in op.control_inputs:
            if control.type.startswith(INPUT_PREFIXES):
                controlled.add(control.name)
            if control.name not in seen:
                stack.append(control)
    misleading = (f"it calls tf.py_func ({py_func}), whose Python side effects a skimmed run would skip"
                  if py_func else None)
    return SkimPlan(tuple(sorted(inputs)), always_real, misleading, tuple(sorted(controlled)))


def fetch_shape(fetches) -> object:
    """A hashable picture of how ``fetches`` nest (lists, tuples, dicts and their keys, namedtuples): two runs
    of one line with the same names and the same shape return results of the same structure."""
    if isinstance(fetches, dict):
        return ("dict", tuple((repr(k), fetch_shape(v)) for k, v in fetches.items()))
    if isinstance(fetches, tuple) and hasattr(fetches, "_fields"):
        return (type(fetches).__qualname__, tuple(fetch_shape(v) for v in fetches))
    if isinstance(fetches, (list, tuple)):
        return (type(fetches).__name__, tuple(fetch_shape(v) for v in fetches))
    return "."


_WHILE_LINES: dict[str, frozenset[int]] = {}


def in_while_loop(filename: str, line: int) -> bool:
    """Whether ``line`` of the user's file lies inside a ``while`` statement (read once per file)."""
    lines = _WHILE_LINES.get(filename)
    if lines is None:
        import ast

        found: set[int] = set()
        try:
            with open(filename, encoding="utf-8", errors="replace") as f:
                tree = ast.parse(f.read(4 << 20))
            for node in ast.walk(tree):
                if isinstance(node, ast.While):
                    found.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            pass
        lines = _WHILE_LINES[filename] = frozenset(found)
    return line in lines
