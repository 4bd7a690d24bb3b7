"""``tfinspect diff``: the human view (rich: a summary, the changed scopes as a tree, tables) and the JSON object."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text
from rich.tree import Tree

from tfinspect.analyses.diff import KINDS, ModelDiff
from tfinspect.render.formatting import plural, printable, shape_json, shape_text, source_json, source_text
from tfinspect.render.json import SCHEMA_VERSION
from tfinspect.render.theme import titled_table

MAX_ROWS = 60  # op changes listed in text (JSON lists them all)
STYLE = {"added": "tfi.ok", "removed": "tfi.error", "changed": "tfi.warn", "renamed": "tfi.dim",
         "reshaped": "tfi.warn", "retyped": "tfi.warn"}


def summary_line(d: ModelDiff) -> Text:
    counts = d.changed()
    parts = [f"{d.old_ops} → {d.new_ops} ops"]
    changed = [f"{plural(n, kind.rstrip('s'))}" if kind not in ("ops",) else plural(n, "op change")
               for kind, n in counts.items() if n]
    parts.append(", ".join(changed) if changed else "no change")
    return Text(" · ".join(parts), style="tfi.title")


def _scope_tree(d: ModelDiff) -> Tree | None:
    """Op changes counted by scope, two levels deep: where the model changed."""
    counts: dict[str, dict[str, int]] = {}
    for change in d.ops:
        parts = change.name.split("/")[:-1][:2]
        for level in range(len(parts) + 1):
            path = "/".join(parts[:level])
            bucket = counts.setdefault(path, {})
            bucket[change.kind] = bucket.get(change.kind, 0) + 1
    if not counts:
        return None

    def label(path: str) -> Text:
        text = Text("(graph) " if not path else printable(path.rpartition("/")[2]) + "/ ",
                    style="tfi.dim" if not path else "tfi.scope")
        for kind in ("added", "removed", "changed", "renamed"):
            if counts[path].get(kind):
                text.append(f" {kind} {counts[path][kind]}", style=STYLE[kind])
        return text

    tree = Tree(label(""), guide_style="tfi.dim")
    nodes = {"": tree}
    for path in sorted(p for p in counts if p):
        parent = path.rpartition("/")[0]
        nodes[path] = nodes.get(parent, tree).add(label(path))
    return tree


def diff_view(d: ModelDiff, show=KINDS) -> RenderableType:
    """The summary, and the sections of the kinds in ``show``."""
    parts: list[RenderableType] = [
        Text(printable(d.old), style="tfi.name").append(" → ", style="tfi.dim").append(printable(d.new),
                                                                                      style="tfi.name"),
        summary_line(d)]
    for note in d.notes:
        parts.append(Text(note, style="tfi.dim"))
    tree = _scope_tree(d) if "ops" in show else None
    if tree is not None:
        parts += [Text(""), Text("Ops changed, by scope", style="tfi.title"), tree]
    if d.uniquified and "ops" in show:
        parts.append(Text(f"{plural(d.uniquified, 'op')} only renamed by TensorFlow's _N suffixes (an op added "
                          "or removed before them): not changes", style="tfi.dim"))
    if d.scope_renames and "ops" in show:
        table = titled_table("Scopes renamed (wherever the name occurs)")
        for column in ("ops", "old", "new"):  # a name never starts a line (a "::" one would be a CI command)
            table.add_column(column, overflow="fold")
        for r in d.scope_renames:
            table.add_row(str(r.ops), printable(r.old), printable(r.new))
        parts += [Text(""), table]
    if d.ops and "ops" in show:
        table = titled_table("Ops")
        for column in ("change", "op", "type", "what", "line"):
            table.add_column(column, overflow="fold", no_wrap=column in ("change", "type"))
        for change in d.ops[:MAX_ROWS]:
            name = change.name if change.kind != "renamed" else f"{change.old} → {change.new}"
            table.add_row(Text(change.kind, style=STYLE[change.kind]), printable(name), printable(change.op_type),
                          printable("; ".join(change.details)) or "-", source_text(change.source))
        if len(d.ops) > MAX_ROWS:
            table.caption = f"… and {len(d.ops) - MAX_ROWS} more (--format json lists them all)"
            table.caption_justify = "left"
        parts += [Text(""), table]
    if d.variables and "variables" in show:
        table = titled_table("Variables")
        for column in ("change", "old", "new", "shape", "dtype", "line"):
            table.add_column(column, overflow="fold", no_wrap=column == "change")
        for v in d.variables:
            shape = shape_text(v.new_shape if v.new is not None else v.old_shape)
            if v.kind == "reshaped":
                shape = f"{shape_text(v.old_shape)} → {shape_text(v.new_shape)}"
            dtype = v.new_dtype or v.old_dtype or "-"
            if v.kind == "retyped":
                dtype = f"{v.old_dtype} → {v.new_dtype}"
            table.add_row(Text(v.kind, style=STYLE.get(v.kind, "tfi.warn")), printable(v.old or "-"),
                          printable(v.new or "-"), shape, dtype, source_text(v.source))
        whys: dict[str, list[str]] = {}
        for v in d.variables:
            if v.kind == "renamed" and v.why:
                whys.setdefault(v.why, []).append(printable(v.new))
        if whys:
            table.caption = "\n".join(f"renamed ({', '.join(names)}): {why}" for why, names in whys.items())
            table.caption_justify = "left"
        parts += [Text(""), table]
    if d.restore is not None and "variables" in show:
        parts.append(_restore_line(d))
    for title, changes in (("Placeholders", d.placeholders), ("Signatures", d.signatures)):
        if changes and title.lower() in show:
            table = titled_table(title)
            for column in ("change", "where", "name", "old", "new"):
                table.add_column(column, overflow="fold")
            for c in changes:
                table.add_row(Text(c.kind, style=STYLE[c.kind]), c.what, printable(c.name), c.old or "-",
                              c.new or "-")
            parts += [Text(""), table]
    if d.collections and "collections" in show:
        table = titled_table("Collections")
        for column in ("change", "key", "members"):  # a name never starts a line
            table.add_column(column, overflow="fold")
        for c in d.collections:
            for kind, members in (("added", c.added), ("removed", c.removed)):
                if members:
                    table.add_row(Text(kind, style=STYLE[kind]), printable(c.key), printable(", ".join(members)))
        parts += [Text(""), table]
    if d.runs and "runs" in show:
        table = titled_table("Runs that execute other ops")
        for column in ("called at", "fetches", "ops", "now also runs"):
            table.add_column(column, overflow="fold")
        for r in d.runs:
            more = f" (+{r.added_count - len(r.added)})" if r.added_count > len(r.added) else ""
            table.add_row(source_text(r.source), printable(", ".join(r.fetches)), f"{r.old_ops} → {r.new_ops}",
                          printable(", ".join(r.added)) + more if r.added else "-")
        parts += [Text(""), table]
    if "findings" not in show:
        pass
    elif d.findings:
        from tfinspect.render.findings import findings_view

        parts += [Text(""), Text("Findings new in NEW", style="tfi.title"), findings_view(list(d.findings), d.new)]
    elif not d.findings_checked:
        parts.append(Text("findings were not compared (--no-check)", style="tfi.dim"))
    return Group(*parts)


def _restore_line(d: ModelDiff) -> Text:
    r = d.restore
    broken = len(r.missing) + len(r.shape_mismatches) + len(r.dtype_mismatches)
    if not broken:
        return Text("a checkpoint of OLD restores into NEW (every variable NEW saves is in it, with its shape)",
                    style="tfi.ok")
    what = []
    if r.missing:
        what.append(f"{len(r.missing)} not in it ({printable(', '.join(r.missing[:4]))}"
                    f"{', …' if len(r.missing) > 4 else ''})")
    if r.shape_mismatches:
        what.append(f"{len(r.shape_mismatches)} of another shape")
    if r.dtype_mismatches:
        what.append(f"{len(r.dtype_mismatches)} of another dtype")
    return Text(f"a checkpoint of OLD would not restore into NEW: {plural(broken, 'key')} ({'; '.join(what)})",
                style="tfi.error")


def diff_json(d: ModelDiff) -> dict[str, Any]:
    from tfinspect.render.findings import finding_json

    restore = None
    if d.restore is not None:
        r = d.restore
        restore = {"ok": r.ok, "missing": list(r.missing),
                   "shape_mismatches": [{"variable": n, "new": shape_json(a), "checkpoint": list(b)}
                                        for n, a, b in r.shape_mismatches],
                   "dtype_mismatches": [{"variable": n, "new": a, "checkpoint": b} for n, a, b in r.dtype_mismatches]}
    return {
        "schema_version": SCHEMA_VERSION, "command": "diff", "old": d.old, "new": d.new,
        "old_ops": d.old_ops, "new_ops": d.new_ops, "changed": d.changed(), "uniquified": d.uniquified,
        "ops": [{"change": c.kind, "old": c.old, "new": c.new, "type": c.op_type, "details": list(c.details),
                 "source": source_json(c.source)} for c in d.ops],
        "scope_renames": [{"old": r.old, "new": r.new, "ops": r.ops} for r in d.scope_renames],
        "variables": [{"change": v.kind, "old": v.old, "new": v.new, "old_shape": shape_json(v.old_shape),
                       "new_shape": shape_json(v.new_shape), "old_dtype": v.old_dtype, "new_dtype": v.new_dtype,
                       "why": v.why, "source": source_json(v.source)} for v in d.variables],
        "restore": restore,
        "placeholders": [_tensor(c) for c in d.placeholders], "signatures": [_tensor(c) for c in d.signatures],
        "collections": [{"key": c.key, "added": list(c.added), "removed": list(c.removed)} for c in d.collections],
        "runs": [{"source": source_json(r.source), "fetches": list(r.fetches), "old_ops": r.old_ops,
                  "new_ops": r.new_ops, "added": list(r.added), "added_count": r.added_count,
                  "removed_count": r.removed_count} for r in d.runs],
        "findings": [finding_json(f) for f in d.findings] if d.findings_checked else None,
        "notes": list(d.notes),
    }


def _tensor(c) -> dict[str, Any]:
    return {"change": c.kind, "where": c.what, "name": c.name, "old": c.old or None, "new": c.new or None}


__all__ = ["KINDS", "diff_json", "diff_view", "summary_line"]
