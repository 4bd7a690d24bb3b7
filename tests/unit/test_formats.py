"""Every --format a command offers has exactly one renderer, and its choices come from its enum."""

from __future__ import annotations

from tfinspect.cli import build_parser
from tfinspect.commands import check, diff, dump, subgraph
from tfinspect.render.formats import FORMATS, CheckFormat, DiffFormat, DumpFormat, SubgraphFormat


def test_every_format_has_a_renderer():
    assert set(check.RENDERERS) == set(CheckFormat)
    assert set(subgraph.RENDERERS) == set(SubgraphFormat)
    assert set(dump.WRITERS) == set(DumpFormat)
    assert set(diff.RENDERERS) == set(DiffFormat)


def test_format_choices_come_from_the_enums():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, enum in FORMATS.items():
        option = next(a for a in commands[name]._actions if a.dest == "format")
        assert list(option.choices) == [m.value for m in enum], name


def test_the_command_table_is_every_command_module():
    """One table in cli.py, one add_parser(commands) and one run(args) per command module."""
    import importlib
    import pkgutil

    import tfinspect.commands
    from tfinspect.cli import COMMANDS

    modules = {m.name for m in pkgutil.iter_modules(tfinspect.commands.__path__)}
    commands = {name for name in modules if hasattr(importlib.import_module(f"tfinspect.commands.{name}"), "run")}
    assert set(COMMANDS) == commands
    for name in COMMANDS:
        module = importlib.import_module(f"tfinspect.commands.{name}")
        assert callable(module.add_parser) and callable(module.run)
    listed = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert list(listed) == list(COMMANDS)
