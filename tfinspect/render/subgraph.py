"""Run plans (``tfinspect subgraph``) and unused ops (``graph --unused``): human views and JSON."""

from __future__ import annotations

from collections import OrderedDict
from typing import Callable, Iterable, Mapping

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from tfinspect.analyses.runs import UnusedReport
from tfinspect.analyses.subgraph import RunPlan, Why
from tfinspect.record.model import RunRecord, SourceLocation
from tfinspect.render.formatting import names_text, source_text
from tfinspect.render.theme import make_console
from tfinspect.render.formatting import source_json
from tfinspect.render.json import SCHEMA_VERSION
from typing import Any
from tfinspect.render.theme import titled_table


def scope_key(name: str, depth: int) -> str:
    parts = name.split("/")[:-1][:depth]
    return "/".join(parts) + "/" if parts else "(top level)"


def by_scope(names: Iterable[str], depth: int) -> "OrderedDict[str, list[str]]":
    groups: OrderedDict[str, list[str]] = OrderedDict()
    for name in names:
        groups.setdefault(scope_key(name, depth), []).append(name)
    return groups


def _scope_table(title: str, names: Iterable[str], depth: int,
                 source: Callable[[str], SourceLocation | None], limit: int = 5) -> Table:
    table = titled_table(title)
    table.add_column("scope", style="tfi.scope", no_wrap=True)
    table.add_column("ops", justify="right", style="tfi.count")
    table.add_column("for example", overflow="fold")
    for scope, members in by_scope(names, depth).items():
        examples = []
        for name in members[:limit]:
            location = source(name)
            examples.append(f"{name} ({source_text(location)})" if location else name)
        more = f", … (+{len(members) - limit})" if len(members) > limit else ""
        table.add_row(scope, str(len(members)), ", ".join(examples) + more)
    return table


def plan_view(plan: RunPlan, run: RunRecord | None, *, depth: int,
              sources: Mapping[str, SourceLocation]) -> RenderableType:
    label = f"{run.noun.capitalize() if run is not None else 'Run'} #{plan.run_index}" \
        if plan.run_index is not None else f"Signature {plan.signature}" if plan.signature else "Query"
    title = Text(label, style="tfi.title")
    if run is not None and run.source:
        title.append(f" at {source_text(run.source)}", style="tfi.source")
    title.append(f" · fetches {names_text(plan.fetches, 6)}")
    if plan.fed:
        title.append(f" · feeds {names_text(plan.fed, 6)}")
    summary = Text(f"runs {len(plan.ran)} of {plan.op_count} ops; {len(plan.not_run)} not run", style="tfi.count")
    parts: list[RenderableType] = [title, summary]
    if run is not None and run.kind == "call":
        parts.append(Text("a tf.function call runs what its outputs need, and every stateful op of its trace: "
                          "automatic control dependencies make the outputs wait for them (grappler may still prune "
                          "stateless ops nothing needs)", style="tfi.dim"))
    if plan.unfed:
        names = ", ".join(plan.unfed)
        parts.append(Text(f"! nothing feeds {names}: TensorFlow would raise \"You must feed a value for placeholder "
                          f"tensor '{plan.unfed[0]}'\" (feed it with --feed, or fetch what does not need it)",
                          style="tfi.error"))
    source = sources.get
    if plan.fed:
        parts += [Text(""), _cut_text(plan)]
        if plan.cut_off:
            parts.append(_scope_table("Upstream of the feeds, so not run", plan.cut_off, depth, source))
    cut = set(plan.cut_off)
    others = [n for n in plan.not_run if n not in cut]
    if others:
        parts += [Text(""), _scope_table("Not run (nothing fetched depends on them)", others, depth, source)]
    parts += [Text(""), _scope_table("Runs", plan.ran, depth, source, limit=3)]
    return Group(*parts)


def _cut_text(plan: RunPlan) -> Text:
    text = Text("Fed (the graph is cut here): ", style="tfi.title")
    text.append(", ".join(plan.fed), style="tfi.warn")
    return text


def why_view(answer: Why, sources: Mapping[str, SourceLocation]) -> RenderableType:
    if answer.runs:
        head = Text(f"{answer.op} runs", style="tfi.ok")
        head.append(": the chain of edges from the fetch")
    else:
        head = Text(f"{answer.op} does not run", style="tfi.warn")
        head.append(f": {answer.reason}")
    lines = [head]
    for depth, step in enumerate(answer.chain):
        line = Text("  " * depth + ("└─ " if depth else ""))
        line.append(step.op, style="tfi.name")
        line.append(f" ({step.op_type})", style="tfi.dim")
        line.append(f"  {step.edge}")
        location = sources.get(step.op)
        if location:
            line.append(f"  {source_text(location)}", style="tfi.source")
        lines.append(line)
    return Group(*lines)


def unused_view(report: UnusedReport) -> RenderableType:
    if report.executed_runs == 0:
        head = Text("No captured run executed, so no op ran: ", style="tfi.warn")
        head.append(f"all {report.total_ops} ops are unused")
        return head
    head = Text(f"Not run by any of the {report.executed_runs} executed runs: ", style="tfi.title")
    head.append(f"{len(report.ops)} of {report.total_ops} ops", style="tfi.count")
    table = Table(box=None, pad_edge=False)
    for column in ("op", "type", "defined at"):
        table.add_column(column, no_wrap=column != "defined at", overflow="fold")
    for op in report.ops:
        table.add_row(Text(op.name, style="tfi.name"), op.op_type, Text(source_text(op.source), style="tfi.source"))
    return Group(head, table)


def print_renderable(renderable: RenderableType, console: Console | None = None) -> None:
    (console or make_console()).print(renderable)


def plan_json(plan, run=None) -> dict[str, Any]:
    return {
        "run": plan.run_index, "graph": plan.graph, "fetches": list(plan.fetches), "fed": list(plan.fed),
        "ran": list(plan.ran), "not_run": list(plan.not_run), "cut_off": list(plan.cut_off),
        "unfed": list(plan.unfed), "source": source_json(run.source) if run is not None else None,
        **({"signature": plan.signature} if plan.signature else {}),
    }


def why_json(answer) -> dict[str, Any]:
    return {"op": answer.op, "runs": answer.runs, "reason": answer.reason,
            "chain": [{"op": s.op, "type": s.op_type, "edge": s.edge} for s in answer.chain]}


def subgraph_json(source: str, plans: list, runs: list, answer=None) -> dict[str, Any]:
    """``plans`` always; with exactly one plan its fields also stand at the top level."""
    items = [plan_json(p, r) for p, r in zip(plans, runs)]
    document: dict[str, Any] = {"schema_version": SCHEMA_VERSION, "command": "subgraph", "source": source,
                                "plans": items}
    if len(items) == 1:
        document.update({k: items[0][k] for k in ("fetches", "fed", "ran", "not_run", "cut_off", "unfed")})
    if answer is not None:
        document["why"] = why_json(answer)
    return document


def unused_json(report) -> list[dict[str, Any]]:
    return [{"name": op.name, "type": op.op_type, "graph": op.graph, "source": source_json(op.source)}
            for op in report.ops]
