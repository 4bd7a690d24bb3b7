"""Collections, filtered exactly as ``tf.get_collection(key, scope)`` filters them.

TensorFlow compiles ``scope`` as a regular expression and keeps the members
whose ``name`` it matches at the start (``re.match``); members without a
name are dropped when a scope is given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tfinspect.core.errors import ArgumentError, UsageError
from tfinspect.record.model import Capture, CollectionMember


@dataclass(frozen=True)
class CollectionView:
    key: str
    graph: int
    members: tuple[CollectionMember, ...]

    @property
    def count(self) -> int:
        return len(self.members)


def get_collection(members: tuple[CollectionMember, ...], scope: str | None) -> tuple[CollectionMember, ...]:
    """``tf.get_collection``'s filter on plain data."""
    if scope is None:
        return members
    try:
        regex = re.compile(scope)
    except re.error as e:
        raise ArgumentError("scope", f"{{name}} {scope!r} is not a regular expression ({e})") from None
    return tuple(m for m in members if m.name is not None and regex.match(m.name))


def collections(capture: Capture, key: str | None = None, scope: str | None = None) -> tuple[CollectionView, ...]:
    """Every collection (or the one named ``key``) of every graph, filtered by ``scope``.

    Raises:
        UsageError: ``key`` names no collection of any graph.
    """
    views = []
    for graph in capture.graphs:
        for name, members in graph.collections.items():
            if key is None or name == key:
                views.append(CollectionView(name, graph.id, get_collection(members, scope)))
    if key is not None and not views:
        known = sorted({k for g in capture.graphs for k in g.collections})
        raise UsageError(f"no collection {key!r}; the graph has: {', '.join(known) or 'none'}")
    return tuple(views)
