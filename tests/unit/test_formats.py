"""Every --format a command offers has exactly one renderer, and its choices come from its enum."""

from __future__ import annotations

from tfinspect.cli import build_parser
from tfinspect.commands import check, dump, subgraph
from tfinspect.render.formats import FORMATS, CheckFormat, DumpFormat, SubgraphFormat


def test_every_format_has_a_renderer():
    assert set(check.RENDERERS) == set(CheckFormat)
    assert set(subgraph.RENDERERS) == set(SubgraphFormat)
    assert set(dump.SERIALIZERS) | {DumpFormat.DOT, DumpFormat.SVG, DumpFormat.HTML} == set(DumpFormat)


def test_format_choices_come_from_the_enums():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, enum in FORMATS.items():
        option = next(a for a in commands[name]._actions if a.dest == "format")
        assert list(option.choices) == [m.value for m in enum], name
