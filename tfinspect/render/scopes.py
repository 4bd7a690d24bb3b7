"""``tfinspect scopes`` and ``tfinspect collections``: human views and JSON."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from tfinspect.analyses.collections import CollectionView
from tfinspect.analyses.scopes import ScopeReport
from tfinspect.render.formatting import created_by_text, shape_text, source_text
from tfinspect.render.graph import scope_tree
from tfinspect.render.formatting import source_json
from tfinspect.render.json import SCHEMA_VERSION
from typing import Any
from tfinspect.render.theme import titled_table


def _lines(sites) -> str:
    return ", ".join(source_text(s) for s in sites)


def variables_table(report: ScopeReport) -> Table:
    table = titled_table("Variables")
    for column in ("name", "created by", "name scope", "variable scope", "reused at", "defined at"):
        table.add_column(column, no_wrap=column not in ("name scope", "variable scope"), overflow="fold")
    for v in report.variables:
        table.add_row(
            Text(v.name, style="tfi.name"), created_by_text(v.created_by, v.made_by),
            Text(v.name_scope or "-", style="tfi.scope"), Text(v.variable_scope or "-", style="tfi.scope"),
            Text(_lines(v.reuse_sites) or "-", style="tfi.source"), Text(source_text(v.source), style="tfi.source"),
        )
    return table


def _note_lines(title: str, notes, marker: str, style: str) -> list[RenderableType]:
    parts: list[RenderableType] = [Text(f"{title} ({len(notes)})", style="tfi.title")]
    for note in notes:
        line = Text(f"{marker} ", style=style)
        line.append(note.kind.value, style=style)
        line.append(f"  {note.message}")
        if note.lines:
            line.append(f"  [{_lines(note.lines)}]", style="tfi.source")
        parts.append(line)
    return parts


def notes_view(report: ScopeReport) -> RenderableType:
    parts: list[RenderableType] = []
    if report.explanations:
        parts += _note_lines("Explanations", report.explanations, "i", "tfi.info") + [Text("")]
    if report.notes:
        parts += _note_lines("Notes", report.notes, "!", "tfi.warn")
    elif report.explanations:
        parts.append(Text("No scope problems found.", style="tfi.ok"))
    else:
        parts.append(Text("No scope surprises found.", style="tfi.ok"))
    return Group(*parts)


def scopes_view(report: ScopeReport, *, diff: bool, depth: int | None) -> RenderableType:
    parts: list[RenderableType] = []
    if diff:
        for graph, (names, variables) in enumerate(zip(report.name_scopes, report.variable_scopes)):
            left = Group(Text("Name scopes (ops)", style="tfi.title"), scope_tree(names, depth))
            right = Group(Text("Variable scopes (variables)", style="tfi.title"), scope_tree(variables, depth, "variable"))
            parts += [Columns([left, right], padding=(0, 6)), Text("")]
    else:
        for names in report.name_scopes:
            parts += [Text("Name scopes (ops)", style="tfi.title"), scope_tree(names, depth), Text("")]
    if report.variables:
        parts += [variables_table(report), Text("")]
    parts.append(notes_view(report))
    return Group(*parts)


def collections_view(views: tuple[CollectionView, ...], scope: str | None) -> RenderableType:
    title = Text("Collections" + (f" (scope {scope!r})" if scope is not None else ""))  # Text: no markup in it
    table = titled_table(title)
    multi = len({v.graph for v in views}) > 1
    for column in (["graph"] if multi else []) + ["key", "#", "kind", "name", "dtype", "shape", "scope"]:
        table.add_column(column, no_wrap=column != "name", overflow="fold")
    for view in views:
        if not view.members:
            row = [Text(view.key, style="tfi.name"), "0", "-", Text("(empty)", style="tfi.dim"), "", "", ""]
            table.add_row(*([str(view.graph)] if multi else []), *row)
        for number, member in enumerate(view.members):
            key = Text(view.key, style="tfi.name") if number == 0 else Text("")
            row = [key, str(number), member.kind, Text(member.label, style="tfi.name"),
                   Text(member.dtype or "-", style="tfi.dtype"),
                   Text(shape_text(member.shape) if member.kind in ("variable", "tensor") else "-", style="tfi.shape"),
                   Text(member.scope or "-", style="tfi.scope")]
            table.add_row(*([str(view.graph)] if multi else []), *row)
    members = sum(v.count for v in views)
    total = Text(f"{len(views)} collection{'' if len(views) == 1 else 's'}, {members} member{'' if members == 1 else 's'}",
                 style="tfi.count")
    return Group(table, Text(""), total)


def _note_json(note) -> dict[str, Any]:
    return {"kind": note.kind.value, "message": note.message, "names": list(note.names),
            "lines": [source_json(s) for s in note.lines]}


def scopes_json(source: str, report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "scopes", "source": source,
        "variables": [
            {"name": v.name, "graph": v.graph, "name_scope": v.name_scope, "variable_scope": v.variable_scope,
             "created_by": v.created_by.value, "made_by": v.made_by, "reused": v.reused,
             "reuse_sites": [source_json(s) for s in v.reuse_sites], "source": source_json(v.source)}
            for v in report.variables
        ],
        "ops": [{"name": o.name, "type": o.op_type, "name_scope": o.name_scope, "graph": o.graph,
                 "source": source_json(o.source)} for o in report.ops],
        "notes": [_note_json(n) for n in report.notes],
        "explanations": [_note_json(n) for n in report.explanations],
    }


def collections_json(source: str, views, scope) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "collections", "source": source, "scope": scope,
        "collections": [
            {"key": v.key, "graph": v.graph, "count": v.count,
             "members": [{"kind": m.kind, "name": m.name, "type": m.type, "dtype": m.dtype,
                          "shape": None if m.shape is None else list(m.shape), "scope": m.scope}
                         for m in v.members]}
            for v in views
        ],
    }
