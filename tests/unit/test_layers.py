"""The layer rules of docs/architecture.md, as a test: data flows one way, and no module imports itself back.

Every ``import`` of a tfinspect module (also one inside a function, which still couples the two) is
checked: a module may import its own layer or one below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tfinspect"

# Lowest first. A module belongs to the first entry its dotted name falls under (an entry names a module or
# a package). Same layer: allowed (the cycle test below still applies).
LAYERS = [
    ("base", ["tfinspect.errors", "tfinspect.dtypes", "tfinspect.optypes", "tfinspect.options",
              "tfinspect.fileio", "tfinspect.version", "tfinspect.config"]),
    ("protocol", ["tfinspect.load.protocol"]),  # the layout and the options record, which the child imports
    ("model", ["tfinspect.load.model"]),
    ("readers", ["tfinspect.load.protocol.reader", "tfinspect.load.protocol.schema", "tfinspect.load.files",
                 "tfinspect.tensors"]),
    ("index", ["tfinspect.graphindex"]),
    ("analyses", ["tfinspect.analyses"]),
    ("checks", ["tfinspect.checks"]),
    ("runtime", ["tfinspect.runtime"]),
    ("capture", ["tfinspect.load.child", "tfinspect.load.script", "tfinspect.load.sources", "tfinspect.lectures"]),
    ("render", ["tfinspect.render"]),
    ("api", ["tfinspect.api", "tfinspect"]),
    ("commands", ["tfinspect.commands"]),
    ("cli", ["tfinspect.cli", "tfinspect.__main__"]),
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    best = None
    for rank, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[1]:
                    best = (rank, len(prefix))
    assert best is not None, f"{module} is in no layer of {__file__}"
    return best[0]


def _imports(name: str, path: Path) -> set[str]:
    """The tfinspect modules ``name`` imports (``from tfinspect.x import y`` is tfinspect.x.y when y is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("tfinspect"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if not base.startswith("tfinspect"):
                continue
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
    return {m for m in found if m in MODULES and m != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def test_every_module_has_a_layer():
    for name in MODULES:
        _layer(name)


def test_no_import_against_the_flow():
    wrong = sorted(f"{name} ({LAYERS[_layer(name)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
                   for name, targets in GRAPH.items() for target in targets
                   if _layer(target) > _layer(name) and not (name == "tfinspect" and target == "tfinspect.api"))
    assert wrong == []


def test_no_import_loop():
    # a package's __init__ may import its own submodules (the reader table imports its readers): that is
    # not a loop, since a submodule's import of its package is implicit and not counted
    def edges(name):
        return {t for t in GRAPH[name] if not (name != "tfinspect" and t.startswith(name + "."))}

    state: dict[str, int] = {}
    loops = []

    def visit(node, stack):
        state[node] = 1
        stack.append(node)
        for target in sorted(edges(node)):
            if state.get(target) == 1:
                loops.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [])
    assert loops == []


def test_the_child_imports_only_the_protocol_of_the_load_side():
    """What runs beside the user's script shares the layout and the options with the parent through
    load/protocol, and nothing of the parent's side (the runner, the readers)."""
    parent_side = ("tfinspect.load.script", "tfinspect.load.sources", "tfinspect.load.files",
                   "tfinspect.load.protocol.reader")
    wrong = sorted(f"{name} imports {target}" for name, targets in GRAPH.items() if name.startswith("tfinspect.load.child")
                   for target in targets if target.startswith(parent_side))
    assert wrong == []
