"""A table's title is never wrapped to its table's width (rich does that to a title wider than its columns)."""

from __future__ import annotations

import io

from rich.console import Console

from tfinspect.render.subgraph import _scope_table
from tfinspect.render.theme import THEME, titled_table


def _render(renderable) -> list[str]:
    out = io.StringIO()
    Console(file=out, width=100, theme=THEME, color_system=None).print(renderable)
    return [line.rstrip() for line in out.getvalue().splitlines()]


def test_a_long_title_over_a_narrow_table_stays_on_one_line():
    lines = _render(_scope_table("Upstream of the feeds, so not run", ["x"], 1, lambda name: None))
    assert lines[0] == "Upstream of the feeds, so not run"
    assert lines[1].split() == ["scope", "ops", "for", "example"]


def test_a_title_with_brackets_is_not_markup():
    table = titled_table("Collections (scope 'model/[wb]')")
    table.add_column("key")
    table.add_row("w")
    assert _render(table)[0] == "Collections (scope 'model/[wb]')"
