"""Name scopes against variable scopes: where each variable and op landed, and why.

Name scopes (``tf.name_scope``, also opened by ``tf.variable_scope``) prefix
op names and are uniquified on re-entry (``two_layers_1``). Variable scopes
prefix the names ``get_variable`` gives, and are not uniquified, which is
what makes reuse work. ``get_variable`` ignores name scopes altogether.
The cases that confuse users become :class:`Note` objects: notes for likely
mistakes (a second set of variables, "already exists"), explanations for
correct code whose names surprise. Variables that TensorFlow or Keras made on
the user's behalf (optimizer slots, moving averages, RNN cells, layers) are
shown with who made them, and no note or explanation is about them: the user
did not write those calls and cannot change them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from tfinspect.analyses.overview import ScopeNode, scope_tree
from tfinspect.index.graphindex import scope_of
from tfinspect.record.model import Capture, CreatedBy, GraphCapture, OutcomeStatus, SourceLocation, VariableCall


class NoteKind(StrEnum):
    """Stable identifiers of the situations ``tfinspect scopes`` explains."""

    GET_VARIABLE_IGNORES_NAME_SCOPE = "get_variable_ignores_name_scope"
    REUSE_IN_NEW_NAME_SCOPE = "reuse_in_new_name_scope"
    DUPLICATE_VARIABLES = "duplicate_variables"
    UNIQUIFIED_NAME_CASE = "uniquified_name_case"
    VARIABLE_ALREADY_EXISTS = "variable_already_exists"

    @property
    def is_problem(self) -> bool:
        """A likely mistake (a note), rather than how TensorFlow names things in correct code (an explanation)."""
        return self in (NoteKind.DUPLICATE_VARIABLES, NoteKind.VARIABLE_ALREADY_EXISTS)


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    message: str
    names: tuple[str, ...]
    lines: tuple[SourceLocation, ...]


@dataclass(frozen=True)
class VariableScopes:
    name: str
    graph: int
    name_scope: str  # active where it was created
    variable_scope: str | None
    created_by: CreatedBy
    reused: bool
    source: SourceLocation | None
    reuse_sites: tuple[SourceLocation, ...] = ()
    made_by: str | None = None  # the library object that made it for the user (AdamOptimizer, ...)


@dataclass(frozen=True)
class OpScope:
    name: str
    op_type: str
    name_scope: str
    graph: int
    source: SourceLocation | None


@dataclass(frozen=True)
class ScopeReport:
    variables: tuple[VariableScopes, ...]
    ops: tuple[OpScope, ...]
    notes: tuple[Note, ...]  # likely mistakes in the user's code
    explanations: tuple[Note, ...]  # why correct code's names look the way they do
    name_scopes: tuple[ScopeNode, ...]  # per graph: ops under each name scope
    variable_scopes: tuple[ScopeNode, ...]  # per graph: variables under each variable scope


def _first_op_in(graph: GraphCapture, scope: str, variable: str = "") -> str | None:
    """An op of ``scope`` to show as an example: one reading ``variable`` if any, else the first non-constant."""
    prefix = scope + "/"
    reads = {variable, variable + "/read", variable + "/Read/ReadVariableOp"} if variable else set()
    for node in graph.graph_def.node:  # reads of a resource variable happen where it is used
        if node.op in ("ReadVariableOp", "Identity") and any(i.split(":")[0] in reads for i in node.input):
            reads.add(node.name)
    candidates = [n for n in graph.graph_def.node
                  if n.name.startswith(prefix) and n.name not in reads
                  and not (variable and n.name.startswith(variable + "/"))]
    for node in candidates:
        if any(i.lstrip("^").split(":")[0] in reads for i in node.input):
            return node.name
    for node in candidates:
        if node.op != "Const":
            return node.name
    return candidates[0].name if candidates else None


def _variables(graph: GraphCapture) -> list[VariableScopes]:
    calls: dict[str, list[VariableCall]] = defaultdict(list)
    for call in graph.variable_calls:
        calls[call.name].append(call)
    result = []
    for v in graph.variables:
        made = next((c for c in calls.get(v.name, ()) if not c.reused), None)
        reuses = tuple(c.source for c in calls.get(v.name, ()) if c.reused and c.source)
        if made is not None:
            name_scope, variable_scope = made.name_scope, made.variable_scope
        else:
            name_scope, variable_scope = scope_of(v.name), v.variable_scope
        result.append(VariableScopes(v.name, graph.id, name_scope, variable_scope, v.created_by,
                                     bool(reuses), v.source, reuses, v.made_by))
    return result


def _ignored_name_scopes(graph: GraphCapture) -> list[Note]:
    notes = []
    sources = graph.sources
    variables = {v.name: v for v in graph.variables}
    for call in graph.variable_calls:
        if call.reused or call.made_by or not call.name_scope or call.name.startswith(call.name_scope + "/"):
            continue
        example = _first_op_in(graph, call.name_scope, variable=call.name)
        where = variables.get(call.name)
        lines = tuple(x for x in (where.source if where else call.source, sources.get(example or "")) if x)
        message = (f"get_variable ignores name scopes: the variable is '{call.name}', not "
                   f"'{call.name_scope}/{call.name.rpartition('/')[2]}'")
        if example:
            message += f", while the ops next to it are named like '{example}'"
        message += ". Use tf.variable_scope to put variables under a prefix."
        notes.append(Note(NoteKind.GET_VARIABLE_IGNORES_NAME_SCOPE, message,
                          (call.name,) + ((example,) if example else ()), lines))
    return notes


def _reuse_in_new_name_scope(graph: GraphCapture) -> list[Note]:
    groups: dict[tuple[str, str], list[VariableCall]] = defaultdict(list)
    for call in graph.variable_calls:
        if call.reused and not call.made_by and call.name_scope and call.name_scope != call.variable_scope:
            groups[(call.variable_scope, call.name_scope)].append(call)
    notes = []
    for (variable_scope, name_scope), members in groups.items():
        names = tuple(dict.fromkeys(c.name for c in members))
        example = _first_op_in(graph, name_scope, variable=names[0])
        message = (f"variable_scope '{variable_scope}' was entered again with reuse: its variables "
                   f"({', '.join(names)}) are shared, but the ops built there land in the new name scope "
                   f"'{name_scope}/'" + (f" (e.g. '{example}')" if example else "") +
                   ": name scopes are made unique on re-entry, variable scopes are not")
        lines = tuple(dict.fromkeys(c.source for c in members if c.source))
        notes.append(Note(NoteKind.REUSE_IN_NEW_NAME_SCOPE, message,
                          names + ((example,) if example else ()), lines))
    return notes


_GRADIENT_SCOPE = re.compile(r"(^|/)(gradients(_\d+)?|[^/]+_grad)/")
_READS = frozenset({"Identity", "ReadVariableOp"})
_UPDATES = re.compile(r"^(Resource)?(Apply|SparseApply|Assign|Scatter)|^(Save|Restore)")


class _Uses:
    """The forward (model) data flow of a graph: who reads a variable, and what a variable feeds.

    Gradient ops, optimizer updates, assigns and the Saver's ops are left out: they connect every
    variable to every other one through the loss, which says nothing about how the model is built.
    """

    def __init__(self, graph: GraphCapture) -> None:
        self.consumers: dict[str, list[str]] = defaultdict(list)
        self.inputs: dict[str, list[str]] = {}
        self.ops: dict[str, str] = {}
        for node in graph.graph_def.node:
            if _GRADIENT_SCOPE.search(node.name) or _UPDATES.match(node.op):
                continue
            self.ops[node.name] = node.op
            data = [i.split(":")[0] for i in node.input if not i.startswith("^")]
            self.inputs[node.name] = data
            for name in data:
                self.consumers[name].append(node.name)

    def readers(self, variable: str) -> set[str]:
        """The first ops that compute with ``variable`` (past its read ops)."""
        found, frontier = set(), [variable]
        seen = {variable}
        while frontier:
            name = frontier.pop()
            for consumer in self.consumers.get(name, ()):
                if consumer in seen:
                    continue
                seen.add(consumer)
                (frontier.append if self.ops.get(consumer) in _READS else found.add)(consumer)
        return found

    def downstream(self, names: set[str]) -> set[str]:
        seen, frontier = set(names), list(names)
        while frontier:
            for consumer in self.consumers.get(frontier.pop(), ()):
                if consumer not in seen:
                    seen.add(consumer)
                    frontier.append(consumer)
        return seen

    def other_inputs(self, readers: set[str], own: set[str]) -> frozenset[str]:
        """What the readers of a set of variables compute with besides those variables (``own``: the
        variables and all that is computed from them)."""
        return frozenset(i for r in readers for i in self.inputs.get(r, ()) if i not in own)


def _shareable_instances(graph: GraphCapture, instances: list[list[str]], uses: _Uses) -> bool:
    """Whether sets of variables made by the same lines look meant to be one shared set.

    They do when sharing is possible (every set has the same shapes) and the sets are applied
    side by side to different inputs (a siamese model, a discriminator on real and fake data).
    Sets stacked one on another (an ``add_layer`` helper called per layer) or applied to the same
    input (branches of one layer) are separate on purpose.
    """
    info = {v.name: (v.shape, v.dtype) for v in graph.variables}
    if len({tuple(info.get(n) for n in names) for names in instances}) != 1:
        return False
    readers = [set().union(*(uses.readers(n) for n in names)) for names in instances]
    after = [uses.downstream(set(names)) for names in instances]
    for i in range(len(instances)):
        if any(j != i and readers[j] & after[i] for j in range(len(instances))):
            return False  # stacked: one set computes from another's output
    inputs = [uses.other_inputs(read, own) for read, own in zip(readers, after)]
    return len(set(inputs)) == len(inputs)


def _duplicates(graph: GraphCapture) -> list[Note]:
    by_site: dict[tuple[str, int], list[str]] = defaultdict(list)
    for v in graph.variables:
        if v.created_by is CreatedBy.VARIABLE and v.made_by is None and v.source is not None:
            by_site[(v.source.file, v.source.line)].append(v.name)
    repeated = {site: names for site, names in by_site.items() if len(names) > 1}
    by_function: dict[tuple[str, str], list[tuple[int, list[str]]]] = defaultdict(list)
    sources = {v.name: v.source for v in graph.variables}
    for (file, line), names in repeated.items():
        function = sources[names[0]].function if sources[names[0]] else ""
        by_function[(file, function)].append((line, names))
    notes = []
    uses = None
    for (file, function), sites in by_function.items():
        times = min(len(names) for _, names in sites)
        instances = [[names[k] for _, names in sorted(sites)] for k in range(times)]
        uses = uses or _Uses(graph)
        if not _shareable_instances(graph, instances, uses):
            continue
        names = tuple(n for _, ns in sorted(sites) for n in ns)
        where = f"function {function}()" if function and function != "<module>" else "the same lines"
        message = (f"tf.Variable in {where} ran {times} times and made {times} sets of variables "
                   f"({', '.join(names[:6])}{', …' if len(names) > 6 else ''}) of the same shapes, applied "
                   "side by side to different inputs. If they were meant to be shared, "
                   "create them with tf.get_variable inside a tf.variable_scope and reuse it "
                   "(scope.reuse_variables() or reuse=tf.AUTO_REUSE)")
        lines = tuple(SourceLocation(file, line, function) for line, _ in sorted(sites))
        notes.append(Note(NoteKind.DUPLICATE_VARIABLES, message, names, lines))
    return notes


_SUFFIX = re.compile(r"^(?P<base>.+)_(?P<n>\d+)$")


def _case_uniquified(graph: GraphCapture) -> list[Note]:
    names = [n.name for n in graph.graph_def.node]
    exact = set(names)
    lowered: dict[str, str] = {}
    for name in names:
        lowered.setdefault(name.lower(), name)
    notes = []
    for name in names:
        match = _SUFFIX.match(name)
        if not match or match["base"] in exact or _GRADIENT_SCOPE.search(name):
            continue
        other = lowered.get(match["base"].lower())
        if other is None or other == match["base"]:
            continue
        here, there = graph.sources.get(name), graph.sources.get(other)
        if here is None or there is None or here == there:
            continue  # named inside one library call (tf.nn.moments, a layer): not the user's naming
        message = (f"'{name}' got the suffix _{match['n']} because '{other}' exists: TensorFlow's name "
                   "uniqueness ignores case")
        notes.append(Note(NoteKind.UNIQUIFIED_NAME_CASE, message, (name, other), (here, there)))
    return notes


_ALREADY_EXISTS = re.compile(r"Variable (?P<name>\S+) already exists, disallowed")


def _chain(location: SourceLocation | None, callers: tuple[SourceLocation, ...]) -> str:
    if location is None:
        return "an earlier line"
    text = location.short()
    if callers:
        text += " (called from " + ", ".join(f"line {c.line}" if c.file == location.file else c.short()
                                             for c in callers[:2]) + ")"
    return text


def _already_exists(capture: Capture) -> list[Note]:
    outcome = capture.outcome
    match = _ALREADY_EXISTS.search(outcome.message) if outcome.status is OutcomeStatus.ERROR else None
    if not match:
        return []
    name = match["name"]
    first: VariableCall | None = None
    for graph in capture.graphs:
        first = first or next((c for c in graph.variable_calls if c.name == name and not c.reused), None)
    first_line = first.source if first else None
    first_callers = first.callers if first else ()
    scope = first.variable_scope if first else ""
    lines = tuple(dict.fromkeys(x for x in (first_line, *first_callers[:1], outcome.location, *outcome.callers[:1])
                                if x))
    message = (f"get_variable('{name.rpartition('/')[2]}') was called again in variable scope '{scope}' without "
               f"reuse: '{name}' was first created at {_chain(first_line, first_callers)}, and the call at "
               f"{_chain(outcome.location, outcome.callers)} asked for it again. Share it "
               "(scope.reuse_variables() or reuse=tf.AUTO_REUSE) or give the second call its own variable_scope")
    return [Note(NoteKind.VARIABLE_ALREADY_EXISTS, message, (name,), lines)]


def scope_report(capture: Capture) -> ScopeReport:
    """Name scope and variable scope of every variable and op, with notes on the confusing cases."""
    variables: list[VariableScopes] = []
    ops: list[OpScope] = []
    notes: list[Note] = []
    for graph in capture.graphs:
        variables += _variables(graph)
        ops += [OpScope(n.name, n.op, scope_of(n.name), graph.id, graph.sources.get(n.name))
                for n in graph.graph_def.node]
        notes += _ignored_name_scopes(graph) + _reuse_in_new_name_scope(graph) + _duplicates(graph) \
            + _case_uniquified(graph)
    notes += _already_exists(capture)
    return ScopeReport(
        variables=tuple(variables), ops=tuple(ops), notes=tuple(n for n in notes if n.kind.is_problem),
        explanations=tuple(n for n in notes if not n.kind.is_problem),
        name_scopes=tuple(scope_tree(n.name for n in g.graph_def.node) for g in capture.graphs),
        variable_scopes=tuple(scope_tree(v.name for v in g.variables) for g in capture.graphs),
    )
