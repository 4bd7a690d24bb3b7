"""What a ``Session.run`` call names: its fetches and feeds as tensor names, and the user's line that made it.

Shared by the capture hooks (in the child) and the guard (in the user's process).
"""

from __future__ import annotations

import sys

from tfinspect.runtime.frames import user_frames


def user_call_site(skip: int = 1) -> tuple[str, int, str] | None:
    """The innermost frame of the current Python stack that is the user's (``skip`` frames up from the caller)."""
    frames = user_frames(sys._getframe(skip), limit=1)
    return frames[0] if frames else None


def user_callers(skip: int = 1, limit: int = 4) -> list[tuple[str, int, str]]:
    """The user's frames of the current stack, innermost first (at most ``limit``)."""
    return user_frames(sys._getframe(skip), limit=limit)


_SPARSE_PARTS = ("indices", "values", "dense_shape")


def flatten_fetches(graph, fetches, out: list[str]) -> None:
    if fetches is None:
        return
    if isinstance(fetches, dict):
        for value in fetches.values():
            flatten_fetches(graph, value, out)
        return
    if isinstance(fetches, (list, tuple)):
        for value in fetches:
            flatten_fetches(graph, value, out)
        return
    try:
        element = graph.as_graph_element(fetches, allow_tensor=True, allow_operation=True)
        out.append(element.name)
        return
    except Exception:
        pass
    parts = [getattr(fetches, a, None) for a in _SPARSE_PARTS]
    if all(p is not None for p in parts):  # SparseTensor and friends
        for part in parts:
            flatten_fetches(graph, part, out)
    else:
        out.append(str(fetches))


def feed_name(graph, key) -> str:
    name = getattr(key, "name", None)
    if isinstance(name, str):
        return name
    if isinstance(key, str):
        try:
            return graph.as_graph_element(key, allow_tensor=True, allow_operation=False).name
        except Exception:
            return key
    return str(key)


def expand_sparse(feed_dict):
    """Feed items, with a fed SparseTensor split into its three component tensors (as TensorFlow feeds it)."""
    for key, value in feed_dict.items():
        parts = [getattr(key, name, None) for name in _SPARSE_PARTS]
        if isinstance(key, str) or any(p is None for p in parts):
            yield key, value
            continue
        if all(hasattr(value, name) for name in _SPARSE_PARTS):
            components = [getattr(value, name) for name in _SPARSE_PARTS]
        elif isinstance(value, (tuple, list)) and len(value) == 3:
            components = list(value)
        else:
            components = [None, None, None]
        yield from zip(parts, components)
