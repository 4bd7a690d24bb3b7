"""Recognise unmodified TF1 scripts and make ``import tensorflow`` mean ``tf.compat.v1``.

A script is TF1 code when it imports ``tensorflow`` itself (not
``tensorflow.compat.v1``) and uses an attribute through that name which
TensorFlow 2 does not have but ``tf.compat.v1`` does (``tf.placeholder``,
``tf.Session``, ``tf.train.GradientDescentOptimizer``, ...). The check
resolves every ``tf.a.b`` chain of the script, and of the modules beside it
that it imports, against the installed TensorFlow, so it needs no list of
TF1 names.
"""

from __future__ import annotations

import ast
import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    expression: str
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.expression} ({os.path.basename(self.file)}:{self.line})"


def _tensorflow_aliases(tree: ast.AST) -> set[str]:
    aliases = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "tensorflow":
                    aliases.add(alias.asname or "tensorflow")
    return aliases


def _chain(node: ast.Attribute) -> list[str] | None:
    parts = []
    current: ast.AST = node
    while isinstance(current, ast.Attribute):
        parts.append(current.attr)
        current = current.value
    if isinstance(current, ast.Name):
        parts.append(current.id)
        return parts[::-1]
    return None


def _resolves(module, path: list[str]) -> bool:
    current = module
    for name in path:
        try:
            current = getattr(current, name)
        except Exception:
            return False
    return True


def _local_imports(tree: ast.AST, directory: str) -> list[str]:
    paths = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        for name in names:
            candidate = os.path.join(directory, *name.split(".")) + ".py"
            if os.path.isfile(candidate):
                paths.append(candidate)
    return paths


def _parse(path: str) -> ast.AST | None:
    try:
        with open(path, "rb") as f:
            return ast.parse(f.read(), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _script_trees(script: str):
    """(path, syntax tree) of ``script`` and of the modules beside it that it imports, transitively."""
    todo = [os.path.abspath(script)]
    done: set[str] = set()
    while todo:
        path = todo.pop(0)
        if path in done:
            continue
        done.add(path)
        tree = _parse(path)
        if tree is None:
            continue
        yield path, tree
        todo.extend(_local_imports(tree, os.path.dirname(path)))


def tf1_evidence(script: str, tf_module, v1_module, *, limit: int = 5) -> list[Evidence]:
    """Uses of TF1-only names in ``script`` and the local modules it imports.

    Args:
        script: path of the user's script.
        tf_module: the real ``tensorflow`` module (TF2 API).
        v1_module: ``tensorflow.compat.v1``.
        limit: stop after this many pieces of evidence.
    """
    found: list[Evidence] = []
    for path, tree in _script_trees(script):
        aliases = _tensorflow_aliases(tree)
        seen: set[tuple[str, ...]] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            chain = _chain(node)
            if not chain or chain[0] not in aliases or tuple(chain) in seen:
                continue
            seen.add(tuple(chain))
            path_in_tf = chain[1:]
            # Only the longest chain matters: tf.train.X also visits tf.train.
            if not _resolves(tf_module, path_in_tf) and _resolves(v1_module, path_in_tf):
                found.append(Evidence(".".join(chain), path, node.lineno))
                if len(found) >= limit:
                    return found
    return found


# TF1 layer APIs that TensorFlow 2.16 and later only provide through the legacy Keras (the tf_keras package):
# with Keras 3 they raise "`dense` is not available with Keras 3".
_LEGACY_KERAS_APIS = (("layers",), ("nn", "rnn_cell"), ("compat", "v1", "layers"), ("compat", "v1", "nn", "rnn_cell"))


def _tensorflow_prefixes(tree: ast.AST) -> dict[str, tuple[str, ...]]:
    """Local name -> the path inside ``tensorflow`` it stands for (``tf`` -> (), ``v1`` -> (compat, v1))."""
    prefixes: dict[str, tuple[str, ...]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "tensorflow" and (alias.asname or len(parts) == 1):
                    prefixes[alias.asname or "tensorflow"] = tuple(parts[1:])
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            parts = node.module.split(".")
            if parts[0] == "tensorflow":
                for alias in node.names:
                    prefixes[alias.asname or alias.name] = (*parts[1:], alias.name)
    return prefixes


def legacy_keras_use(script: str) -> Evidence | None:
    """The first use of a TF1 layer API (``tf.layers.dense``, ``tf.nn.rnn_cell.LSTMCell``, ...) in ``script``
    and the local modules it imports: what needs the legacy Keras with TensorFlow 2.16 and later."""
    for path, tree in _script_trees(script):
        prefixes = _tensorflow_prefixes(tree)
        for node in ast.walk(tree):
            chain = _chain(node) if isinstance(node, ast.Attribute) else None
            if not chain or chain[0] not in prefixes:
                continue
            inside = (*prefixes[chain[0]], *chain[1:])
            if any(inside[:len(api)] == api and len(inside) > len(api) for api in _LEGACY_KERAS_APIS):
                return Evidence(".".join(chain), path, node.lineno)
    return None


def enable_tf1_alias(tf_module) -> None:
    """Make ``import tensorflow`` give ``tf.compat.v1`` with TF2 behaviour disabled."""
    v1 = tf_module.compat.v1
    v1.disable_v2_behavior()
    sys.modules["tensorflow"] = v1
