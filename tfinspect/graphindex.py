"""GraphIndex: a GraphDef as arrays, built once, so analyses are array work.

Node names map to integer ids in GraphDef order; every node's inputs (data
and control) are stored as one CSR structure (``indptr``/``indices``) with a
parallel ``src_output`` array (the producing output port; -1 for a control
edge). Reachability questions become scipy csgraph traversals.
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


def parse_tensor_name(text: str) -> tuple[str, int]:
    """``"x:1"`` -> (``"x"``, 1); ``"x"`` -> (``"x"``, 0); ``"^x"`` -> (``"x"``, -1)."""
    if text.startswith("^"):
        return text[1:], -1
    name, sep, port = text.rpartition(":")
    if sep and port.isdigit():
        return name, int(port)
    return text, 0


def scope_of(name: str) -> str:
    """The name scope of an op name: ``"a/b/MatMul"`` -> ``"a/b"``; top level -> ``""``."""
    head, _, _ = name.rpartition("/")
    return head


@dataclass(frozen=True, eq=False)
class GraphIndex:
    names: list[str]
    ids: dict[str, int]
    op_types: list[str]
    indptr: np.ndarray  # int64, len(names) + 1
    indices: np.ndarray  # int32, input node ids (-1: an input the graph does not define)
    src_output: np.ndarray  # int32, output port of the input; -1 for a control edge

    @classmethod
    def build(cls, graph_def) -> GraphIndex:
        nodes = graph_def.node
        names = [n.name for n in nodes]
        ids = {name: i for i, name in enumerate(names)}
        inputs = [n.input for n in nodes]
        counts = np.fromiter(map(len, inputs), dtype=np.int64, count=len(nodes))
        indptr = np.zeros(len(nodes) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        flat = [text for node_inputs in inputs for text in node_inputs]
        get = ids.get
        indices = np.empty(len(flat), dtype=np.int32)
        ports = np.zeros(len(flat), dtype=np.int32)
        for k, text in enumerate(flat):
            if ":" in text or text[:1] == "^":
                name, port = parse_tensor_name(text)
                indices[k] = get(name, -1)
                ports[k] = port
            else:  # the common case: a plain node name, output 0
                indices[k] = get(text, -1)
        return cls(names, ids, [n.op for n in nodes], indptr, indices, ports)

    def __len__(self) -> int:
        return len(self.names)

    def inputs(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node]:self.indptr[node + 1]]

    @cached_property
    def is_control(self) -> np.ndarray:
        return self.src_output < 0

    @cached_property
    def control_edge_count(self) -> int:
        return int(self.is_control.sum())

    @cached_property
    def edge_targets(self) -> np.ndarray:
        """For every edge (position in ``indices``), the node that consumes it."""
        return np.repeat(np.arange(len(self.names), dtype=np.int32), np.diff(self.indptr))

    @cached_property
    def consumer_counts(self) -> np.ndarray:
        """How many edges leave each node (data and control)."""
        valid = self.indices[self.indices >= 0]
        return np.bincount(valid, minlength=len(self.names))

    def node_id(self, name: str) -> int | None:
        """The id of an op name or tensor name (``x``, ``x:0``, ``^x``)."""
        node, _ = parse_tensor_name(name)
        return self.ids.get(node)
