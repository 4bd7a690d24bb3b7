"""The layer rules of docs/architecture.md, as a test: data flows one way, and no module imports itself back.

Every ``import`` of a tfinspect module (also one inside a function, which still couples the two) is
checked: a module may import its own layer or one below it, never one above.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tfinspect"

# Lowest first: one folder a layer, so that the tree reads the flow. A module belongs to the longest entry its
# dotted name falls under; the package's own modules (the API and the CLI) are the top. Same layer: allowed
# (the cycle tests below still apply).
LAYERS = [
    ("core", ["tfinspect.core"]),  # errors, op types, dtypes, option types, file writing, config
    ("record", ["tfinspect.record"]),  # the capture record: model, layout, options, schema, validating reader
    ("index", ["tfinspect.index"]),  # a graph as arrays: GraphIndex, tensors, a .pb's node columns
    ("readers", ["tfinspect.readers"]),  # graph files in, without TensorFlow
    ("analyses", ["tfinspect.analyses"]),
    ("checks", ["tfinspect.checks"]),
    ("runtime", ["tfinspect.runtime"]),  # code that runs in the user's process: guard(), instrument()
    ("child", ["tfinspect.run.child"]),  # what runs beside the user's script
    ("run", ["tfinspect.run"]),  # running a script: the parent side and the dispatch on the kind of source
    ("lectures", ["tfinspect.lectures"]),
    ("render", ["tfinspect.render"]),
    ("commands", ["tfinspect.commands"]),
    ("top", ["tfinspect"]),  # tfinspect/__init__.py, api.py, cli.py, __main__.py
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
                   if _layer(target) > _layer(name))
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
    parent_side = ("tfinspect.run.runner", "tfinspect.run.sources", "tfinspect.readers", "tfinspect.record.reader")
    wrong = sorted(f"{name} imports {target}" for name, targets in GRAPH.items() if name.startswith("tfinspect.run.child")
                   for target in targets if target.startswith(parent_side))
    assert wrong == []


def _folder(module: str) -> str:
    """The folder a module lies in (a package's __init__ lies in its own folder)."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def test_each_folder_is_one_layer_and_the_folders_import_one_way():
    """The folder picture: every module of a folder is in the folder's layer, the layer list names one prefix
    per folder, and no folder imports a folder above it or imports itself back through others."""
    folders = sorted({_folder(m) for m in MODULES})
    assert sorted(p for _, prefixes in LAYERS for p in prefixes) == folders
    for module in MODULES:
        assert _layer(module) == _layer(_folder(module)), module
    edges = {(_folder(a), _folder(b)) for a, targets in GRAPH.items() for b in targets if _folder(a) != _folder(b)}
    upward = sorted(f"{a} -> {b}" for a, b in edges if _layer(b) > _layer(a))
    assert upward == []
    assert all(_layer(b) < _layer(a) for a, b in edges)  # strictly down: no two folders import each other
