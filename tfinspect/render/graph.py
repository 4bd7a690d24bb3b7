"""``tfinspect graph``: the human view (rich: summary, scope tree, tables) and the JSON object."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from tfinspect.analyses.overview import GraphOverview, GraphSummary, RunGroup, ScopeNode
from tfinspect.record.model import OutcomeStatus, RunStatus
from tfinspect.render.formatting import created_by_text, names_text, plural, shape_text, source_text
from tfinspect.render.formatting import shape_json, source_json
from tfinspect.render.json import SCHEMA_VERSION
from typing import Any
from tfinspect.record.model import Outcome, RunRecord, VariableInfo
from tfinspect.render.theme import titled_table


def run_noun(runs) -> str:
    """What the runs are: Session.run calls (TF1), tf.function calls (TF2), or both."""
    kinds = {r.kind for r in runs}
    return "tf.function call" if kinds == {"call"} else "run" if len(kinds) > 1 else "Session.run call"


def _distinct_variables(view: GraphOverview) -> int:
    """Variables, each once: the traces of tf.functions capture the same variables again and again."""
    plain = sum(len(g.variables) for g in view.graphs if g.function is None)
    return plain + len({v.name for g in view.graphs if g.function is not None for v in g.variables})


def summary_line(view: GraphOverview) -> Text:
    executed = sum(1 for r in view.runs if r.executed)
    skimmed = sum(1 for r in view.runs if r.skimmed)
    runs = plural(len(view.runs), run_noun(view.runs))
    if skimmed:
        runs += f" ({executed} executed, {skimmed} skimmed)"
    elif view.stopped_run is not None:
        runs += f" ({executed} executed)"
    if view.signatures and not view.runs:  # a SavedModel: nothing ran; what a caller runs is its signatures
        runs = plural(len(view.signatures), "signature")
    traces = [g for g in view.graphs if g.function is not None]
    graphs = plural(len(view.graphs), "graph")
    if traces:
        functions = len({g.function.function for g in traces})
        graphs += f" ({plural(len(traces), 'trace')} of {plural(functions, 'tf.function')})"
    parts = [
        graphs, plural(view.op_count, "op"),
        plural(_distinct_variables(view), "variable"), plural(len(view.placeholders), "placeholder"), runs,
    ]
    return Text(" · ".join(parts), style="tfi.title")


def header(view: GraphOverview) -> Text:
    text = Text(view.source, style="tfi.name")
    if view.tf1_mode:
        text.append(" · TF1 code, run as tf.compat.v1", style="tfi.dim")
    if view.tf_version:
        text.append(f" · TensorFlow {view.tf_version}", style="tfi.dim")
    return text


def scope_tree(node: ScopeNode, depth: int | None, unit: str = "op", series: bool = False) -> Tree:
    """The scope tree; ``unit`` names what is counted (ops, variables); with ``series``, the members of a series of
    the collapse model (numbered sibling scopes of the same make-up) are one line (``h*/ x20``)."""
    label = Text("(graph) ", style="tfi.dim") if not node.path else Text(node.name + "/", style="tfi.scope")
    tree = Tree(label.append(plural(node.ops, unit), style="tfi.count"), guide_style="tfi.dim")
    _add_children(tree, node, depth, 1, unit, series)
    return tree


def _add_children(tree: Tree, node: ScopeNode, depth: int | None, level: int, unit: str,
                  grouping: bool = False) -> None:
    shown = set()
    for child in node.children:
        if grouping and child.series is not None:
            name, count = child.series
            if name not in shown:
                shown.add(name)
                tree.add(Text(f"{name}/", style="tfi.scope").append(f" ×{count}", style="tfi.name").append(
                    f" {plural(child.ops, unit)} each", style="tfi.count"))
            continue
        label = Text(child.name + "/", style="tfi.scope").append(f" {plural(child.ops, unit)}", style="tfi.count")
        if depth is not None and level >= depth and child.children:
            label.append(f"  (+{plural(len(child.children), 'scope')})", style="tfi.dim")
            tree.add(label)
            continue
        _add_children(tree.add(label), child, depth, level + 1, unit, grouping)


def variables_table(graph: GraphSummary) -> Table:
    table = titled_table("Variables")
    for column in ("name", "shape", "dtype", "trainable", "kind", "created by", "defined at"):
        table.add_column(column, no_wrap=column != "defined at", overflow="fold")
    for v in graph.variables:
        table.add_row(
            Text(v.name, style="tfi.name"), Text(shape_text(v.shape), style="tfi.shape"),
            Text(v.dtype, style="tfi.dtype"), {True: "yes", False: "no", None: "?"}[v.trainable], v.kind.value,
            created_by_text(v.created_by, v.made_by), Text(source_text(v.source), style="tfi.source"),
        )
    if any(v.trainable is None for v in graph.variables):
        table.caption = Text("trainable ?: a GraphDef does not record it (a .meta, a SavedModel or the script does)",
                             style="tfi.dim")
        table.caption_justify = "left"
    return table


def placeholders_table(graph: GraphSummary) -> Table:
    table = titled_table("Placeholders")
    for column in ("name", "dtype", "shape", "defined at"):
        table.add_column(column, no_wrap=column != "defined at", overflow="fold")
    for p in graph.placeholders:
        shape = Text(shape_text(p.shape), style="tfi.shape")
        problem = p.shape_problem
        if problem:
            shape.stylize("tfi.warn")
            shape.append(f"  ! {problem}", style="tfi.warn")
        name = Text(p.name, style="tfi.name")
        if p.has_default:  # tf.placeholder_with_default: feeding it is optional
            name.append(" (with default)", style="tfi.dim")
        table.add_row(name, Text(p.dtype, style="tfi.dtype"), shape, Text(source_text(p.source), style="tfi.source"))
    return table


def signatures_table(view: GraphOverview) -> Table:
    """A SavedModel's signatures: what a caller feeds and fetches, with the dtypes and shapes they declare."""
    table = titled_table("Signatures")
    for column in ("signature", "in/out", "key", "tensor", "dtype", "shape"):
        table.add_column(column, no_wrap=column != "tensor", overflow="fold")
    for s in view.signatures:
        name = s.name + (f" (graph {s.graph})" if len(view.graphs) > 1 else "")
        for direction, tensors in (("in", s.inputs), ("out", s.outputs)):
            for number, t in enumerate(tensors):
                table.add_row(Text(name, style="tfi.name"), direction if not number else "", t.key,
                              Text(t.tensor, style="tfi.name"), Text(t.dtype, style="tfi.dtype"),
                              Text(shape_text(t.shape), style="tfi.shape"))
                name = ""
    return table


def collections_table(graph: GraphSummary, limit: int = 6) -> Table:
    table = titled_table("Collections")
    table.add_column("key", no_wrap=True)
    table.add_column("n", justify="right")
    table.add_column("members", overflow="fold")
    for key, members in graph.collections.items():
        table.add_row(Text(key, style="tfi.name"), str(len(members)), names_text([m.label for m in members], limit))
    return table


def _times(group: RunGroup) -> Text:
    text = Text(f"{group.executed}")
    if group.skimmed:
        text.append(f" + {group.skimmed} skimmed", style="tfi.dim")
    if group.errors:
        text.append(f" ({group.errors} raised)", style="tfi.warn")
    if group.stopped:
        text.append(" + stopped", style="tfi.warn")
    if group.running:
        text.append(" (still running)", style="tfi.warn")
    return text


def functions_table(view: GraphOverview) -> Table:
    """TF2: each trace of each tf.function, why it was traced again, and how often it was called."""
    table = titled_table("Functions (each trace is a graph)")
    for column in ("graph", "function", "trace", "defined at", "inputs", "traced again because", "calls", "ops"):
        table.add_column(column, justify="right" if column in ("graph", "trace", "calls", "ops") else "left",
                         overflow="fold")
    for g in view.graphs:
        f = g.function
        if f is None:
            continue
        table.add_row(str(g.id), Text(f.name, style="tfi.name"), str(f.trace),
                      Text(source_text(f.source), style="tfi.source"), f.signature or "-", f.reason or "-",
                      str(g.calls), str(g.ops))
    return table


def runs_table(view: GraphOverview) -> Table:
    noun = run_noun(view.runs)
    table = titled_table(noun + "s" if noun != "run" else "Session.run and tf.function calls")
    functions = {g.id: f"{g.function.name} #{g.function.trace}" for g in view.graphs if g.function is not None}
    multi = len(view.graphs) > 1
    columns = ["#", "called at", "fetches", "feeds", "ran", "graph ops"]  # the graph's size when it was called
    if functions:
        columns[2:4] = ["fetches" if len(functions) < len(view.graphs) else "function", "inputs"]
    if multi:
        columns.insert(1, "graph")
    for column in columns:
        table.add_column(column, justify="right" if column in ("#", "ran", "graph ops") else "left",
                         no_wrap=column not in ("fetches", "feeds"), overflow="fold")
    for group in view.run_groups:
        run = group.first
        feeds = ", ".join(f"{f.name} {f.dtype} {shape_text(f.shape)}" for f in run.feeds) or "-"
        fetches = Text(functions[run.graph], style="tfi.name") if run.graph in functions else names_text(run.fetches)
        row = [str(run.index), Text(source_text(run.source), style="tfi.source"), fetches,
               feeds, _times(group), str(run.ops_before)]
        if multi:
            row.insert(1, str(run.graph))
        table.add_row(*row)
    return table


def outcome_text(view: GraphOverview) -> Text | None:
    outcome = view.outcome
    stopped = view.stopped_run
    if outcome.status is OutcomeStatus.STOPPED and stopped is not None and stopped.error:
        text = Text("stopped: ", style="tfi.warn")
        text.append(f"{stopped.noun} #{stopped.index} at {source_text(stopped.source)} was {stopped.error}; the "
                    "script was stopped there")
        return text
    if outcome.status is OutcomeStatus.STOPPED and stopped is not None:
        text = Text("stopped: ", style="tfi.warn")
        why = stopped.stop_reason or "the run limit was reached"
        text.append(f"{stopped.noun} #{stopped.index} at {source_text(stopped.source)} did not execute ({why}); the "
                    "script was stopped there. --runs all lets it finish.")
        return text
    if outcome.status is OutcomeStatus.COMPLETED:
        return None
    text = Text(f"{outcome.status.value}: ", style="tfi.error")
    text.append(outcome.message or "the script did not finish")
    if view.graphs:
        text.append(" (above: the partial graph it built)", style="tfi.dim")
    return text


def graph_view(view: GraphOverview, *, depth: int | None = 3) -> RenderableType:
    parts: list[RenderableType] = [header(view), summary_line(view)]
    if any(g.function is not None for g in view.graphs):
        parts += [Text(""), functions_table(view)]
    for graph in view.graphs:
        title = f"Name scopes (graph {graph.id})" if len(view.graphs) > 1 else "Name scopes"
        if graph.function is not None:
            title = (f"Name scopes (graph {graph.id}: {graph.function.name}, trace {graph.function.trace})")
        parts += [Text(""), Text(title, style="tfi.title"), scope_tree(graph.scopes, depth, series=True)]
        if graph.variables:
            parts += [Text(""), variables_table(graph)]
        if graph.placeholders:
            parts += [Text(""), placeholders_table(graph)]
        if graph.collections:
            parts += [Text(""), collections_table(graph)]
    if not view.graphs:
        parts += [Text(""), Text("no graph was built", style="tfi.warn")]
        if view.outcome.ok and view.tf1_mode is False:
            parts.append(Text("the script ran eagerly and called no tf.function: there is no graph to show or check "
                              "(tfinspect sees tf.compat.v1 graphs, TF1 code with --tf1 on, and the traces of "
                              "tf.function and Keras)", style="tfi.dim"))
    if view.signatures:
        parts += [Text(""), signatures_table(view)]
    if view.runs:
        parts += [Text(""), runs_table(view)]
    outcome = outcome_text(view)
    if outcome is not None:
        parts += [Text(""), outcome]
    return Group(*parts)


def variable_json(v: VariableInfo, graph: int) -> dict[str, Any]:
    return {
        "name": v.name, "shape": shape_json(v.shape), "dtype": v.dtype, "trainable": v.trainable,
        "kind": v.kind.value, "created_by": v.created_by.value, "made_by": v.made_by, "collections": list(v.collections),
        "graph": graph, "source": source_json(v.source),
    }


def runs_json(runs) -> list[dict[str, Any]]:
    """One entry per run, except skimmed runs: those of one line that fetch, feed (names, dtypes, shapes) and
    report the same are one entry, placed at the first of them, with their ``count`` and their ``indexes`` as
    arithmetic progressions ``[first, last, step]``. A loop of 78,000 skimmed steps is one entry, not a
    60 MB document."""
    entries: list[dict[str, Any]] = []
    groups: dict[tuple, dict[str, Any]] = {}
    for r in runs:
        if r.status is RunStatus.SKIMMED:
            key = (r.graph, r.kind, r.source, r.fetches, r.feeds, r.data, r.error, r.stop_reason, r.ops_before)
            entry = groups.get(key)
            if entry is not None:
                entry["count"] += 1
                _extend(entry["indexes"], r.index)
                continue
            entry = groups[key] = run_json(r)
        else:
            entry = run_json(r)
        entries.append(entry)
    return entries


def _extend(progressions: list[list[int]], index: int) -> None:
    first, last, step = progressions[-1]
    if first == last and index > last:
        progressions[-1] = [first, index, index - first]
    elif index - last == step:
        progressions[-1][1] = index
    else:
        progressions.append([index, index, 1])


def run_json(r: RunRecord) -> dict[str, Any]:
    return {
        "index": r.index, "graph": r.graph, "fetches": list(r.fetches), "feeds": [f.name for f in r.feeds],
        "feed_details": [{"name": f.name, "dtype": f.dtype, "shape": list(f.shape)} for f in r.feeds],
        "executed": r.executed, "status": r.status.value, "error": r.error, "stop_reason": r.stop_reason,
        "ops_before": r.ops_before,
        "source": source_json(r.source), "kind": r.kind,
        "data": [{"name": d.name, "dtype": d.dtype, "shape": list(d.shape)} for d in r.data],
        "count": 1, "indexes": [[r.index, r.index, 1]],
    }


def function_json(f, calls: int) -> dict[str, Any] | None:
    if f is None:
        return None
    return {"name": f.name, "library_name": f.library_name, "function": f.function, "trace": f.trace,
            "source": source_json(f.source),
            "signature": f.signature, "reason": f.reason, "calls": calls}


def outcome_json(o: Outcome) -> dict[str, Any]:
    return {"status": o.status.value, "ok": o.ok, "message": o.message, "exit_code": o.exit_code,
            "traceback": o.traceback}


def _scopes(node: ScopeNode) -> list[dict[str, Any]]:
    result = []
    for child in node.children:
        result.append({"name": child.path, "ops": child.ops})
        result.extend(_scopes(child))
    return result


def graph_json(view: GraphOverview) -> dict[str, Any]:
    collections: dict[str, list[str]] = {}
    graphs = []
    for g in view.graphs:
        for key, members in g.collections.items():
            collections.setdefault(key, []).extend(m.label for m in members)
        graphs.append({
            "id": g.id, "ops": g.ops, "scopes": _scopes(g.scopes),
            "collections": {k: [m.label for m in ms] for k, ms in g.collections.items()},
            "function": function_json(g.function, g.calls),
        })
    return {
        "schema_version": SCHEMA_VERSION,
        "command": "graph",
        "source": view.source,
        "origin": view.origin,
        "tf_version": view.tf_version,
        "tf1_mode": view.tf1_mode,
        "outcome": outcome_json(view.outcome),
        "ops": view.op_count,
        "graphs": graphs,
        "variables": [variable_json(v, g.id) for g in view.graphs for v in g.variables],
        "placeholders": [
            {"name": p.name, "dtype": p.dtype, "shape": shape_json(p.shape), "graph": p.graph,
             "has_default": p.has_default, "source": source_json(p.source)}
            for p in view.placeholders
        ],
        "runs": runs_json(view.runs),
        **({"signatures": [signature_json(s) for s in view.signatures]} if view.signatures else {}),
        "collections": collections,
    }


def signature_json(s) -> dict[str, Any]:
    def tensors(items):
        return [{"key": t.key, "tensor": t.tensor, "dtype": t.dtype, "shape": shape_json(t.shape)} for t in items]

    return {"name": s.name, "graph": s.graph, "method": s.method, "inputs": tensors(s.inputs),
            "outputs": tensors(s.outputs)}
