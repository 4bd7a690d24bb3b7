"""``tfinspect summary``: the human view and the JSON object.

rich is imported only for the human view: ``summary --format json`` of a large ``.pb`` must start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tfinspect.analyses.summary import GraphStats
from tfinspect.render.formatting import names_text, shape_json, shape_text, size_text
from tfinspect.render.json import SCHEMA_VERSION

if TYPE_CHECKING:
    from rich.console import RenderableType


def summary_view(source: str, stats: tuple[GraphStats, ...], *, top: int = 15) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    from tfinspect.render.theme import titled_table

    parts: list[RenderableType] = [Text(source, style="tfi.name")]
    for g in stats:
        head = Text(f"graph {g.graph}: " if len(stats) > 1 else "", style="tfi.title")
        head.append(f"{g.ops} ops · {len(g.op_types)} op types · {len(g.variables)} variables · "
                    f"{g.parameters:,} parameters · {g.control_edges} control edges", style="tfi.count")
        types = titled_table("Op types")
        types.add_column("type")
        types.add_column("ops", justify="right")
        for name, count in g.op_types[:top]:
            types.add_row(name, str(count))
        if len(g.op_types) > top:
            types.add_row(Text(f"… {len(g.op_types) - top} more types", style="tfi.dim"), "")
        variables = titled_table("Variables")
        for column in ("name", "shape", "dtype", "parameters"):
            variables.add_column(column, justify="right" if column == "parameters" else "left")
        for v in g.variables:
            variables.add_row(Text(v.name, style="tfi.name"), shape_text(v.shape), v.dtype,
                              f"{v.size:,}" if v.size is not None else "?")
        parts += [Text(""), head, Text(""), types, Text("")]
        parts.append(Text(f"Inputs (placeholders): {names_text(g.inputs, 8)}"))
        parts.append(Text(f"Outputs (nothing consumes them): {names_text(g.outputs, 8)}"))
        if g.variables:
            parts += [Text(""), variables]
        if g.large_constants:
            large = ", ".join(f"{name} ({size_text(size)})" for name, size in g.large_constants[:8])
            parts += [Text(""), Text(f"Constants over 1 MiB (stored in the GraphDef): {large}", style="tfi.warn")]
        parts.append(Text("Devices: " + ", ".join(f"{d} ({n})" for d, n in g.devices), style="tfi.dim"))
    return Group(*parts)


def summary_json(source: str, stats) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION, "command": "summary", "source": source,
        "graphs": [{
            "id": g.graph, "ops": g.ops, "op_types": dict(g.op_types), "inputs": list(g.inputs),
            "outputs": list(g.outputs), "parameters": g.parameters, "control_edges": g.control_edges,
            "variables": [{"name": v.name, "shape": shape_json(v.shape), "dtype": v.dtype, "parameters": v.size}
                          for v in g.variables],
            "large_constants": [{"name": n, "bytes": b} for n, b in g.large_constants],
            "devices": dict(g.devices),
        } for g in stats],
    }
