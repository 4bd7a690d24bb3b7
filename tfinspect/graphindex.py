"""GraphIndex: a GraphDef as arrays, built once, so analyses are array work.

Node names map to integer ids in GraphDef order; every node's inputs (data
and control) are stored as one CSR structure (``indptr``/``indices``) with a
parallel ``is_control`` mask.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


def input_node_name(text: str) -> tuple[str, bool]:
    """``"^init"`` -> (``"init"``, True); ``"x:1"`` -> (``"x"``, False)."""
    if text.startswith("^"):
        return text[1:], True
    return text.split(":", 1)[0], False


def scope_of(name: str) -> str:
    """The name scope of an op name: ``"a/b/MatMul"`` -> ``"a/b"``; top level -> ``""``."""
    head, _, _ = name.rpartition("/")
    return head


@dataclass(frozen=True, eq=False)
class GraphIndex:
    names: tuple[str, ...]
    ids: dict[str, int]
    op_types: tuple[str, ...]
    indptr: np.ndarray  # int64, len(names) + 1
    indices: np.ndarray  # int32, input node ids (-1: an input the graph does not define)
    is_control: np.ndarray  # bool, parallel to indices

    @classmethod
    def build(cls, graph_def) -> GraphIndex:
        nodes = graph_def.node
        names = tuple(n.name for n in nodes)
        ids = {name: i for i, name in enumerate(names)}
        counts = np.fromiter((len(n.input) for n in nodes), dtype=np.int64, count=len(nodes))
        indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        indices = np.empty(int(indptr[-1]), dtype=np.int32)
        control = np.zeros(int(indptr[-1]), dtype=bool)
        k = 0
        for node in nodes:
            for text in node.input:
                name, is_control = input_node_name(text)
                indices[k] = ids.get(name, -1)
                control[k] = is_control
                k += 1
        return cls(names, ids, tuple(n.op for n in nodes), indptr, indices, control)

    def __len__(self) -> int:
        return len(self.names)

    def inputs(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node]:self.indptr[node + 1]]

    @cached_property
    def control_edge_count(self) -> int:
        return int(self.is_control.sum())
