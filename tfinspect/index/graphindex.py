"""GraphIndex: a GraphDef as arrays, built once, so analyses are array work.

Node names map to integer ids in GraphDef order; every node's inputs (data
and control) are stored as one CSR structure (``indptr``/``indices``) with a
parallel ``src_output`` array (the producing output port; -1 for a control
edge). Reachability questions become scipy csgraph traversals.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat
from weakref import WeakKeyDictionary

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


# One line per input: "^x" (control), "x:1" (a port), anything else a plain name, as parse_tensor_name reads it.
_TENSOR_NAMES = re.compile(r"^\^(.*)$|^(.*):(\d+)$|^(.*)$", re.M)


def scope_of(name: str) -> str:
    """The name scope of an op name: ``"a/b/MatMul"`` -> ``"a/b"``; top level -> ``""``."""
    head, _, _ = name.rpartition("/")
    return head


@contextmanager
def _no_gc():
    """Building millions of small objects triggers the cyclic GC over and over; none of them form cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True, eq=False)
class GraphIndex:
    names: list[str]
    ids: dict[str, int]
    indptr: np.ndarray  # int64, len(names) + 1
    indices: np.ndarray  # int32, input node ids (-1: an input the graph does not define)
    src_output: np.ndarray  # int32, output port of the input; -1 for a control edge
    source: object = None  # the GraphDef it indexes, or a GraphDefSource that parses it on first use

    @property
    def graph_def(self):
        return getattr(self.source, "graph_def", self.source)  # GraphDef protos have no `graph_def` field

    @classmethod
    def build(cls, graph_def, wire: bytes | None = None, columns=None, *, source=None) -> GraphIndex:
        """Index a GraphDef. ``wire``: its serialized bytes when at hand (else it is serialized here, which
        costs far less than walking the nodes in Python); ``columns``: its NodeColumns when decoded already
        (then ``graph_def`` may be None, with ``source`` the GraphDefSource that parses it when asked)."""
        from tfinspect.index.columns import input_counts, node_columns

        source = source if source is not None else graph_def
        with _no_gc():
            data = wire if wire is not None else graph_def.SerializeToString()
            if columns is None:
                columns = node_columns(data)
            if columns is None:
                return cls._build(source.graph_def if graph_def is None else graph_def)
            counts = input_counts(data, columns)
            index = cls._from_columns(columns.names, columns.inputs, counts, source)
            index.__dict__["op_types"] = columns.ops  # the cached_property, filled from the columns
            return index

    @classmethod
    def _from_columns(cls, names: list[str], inputs: list[str], counts: np.ndarray, graph_def) -> GraphIndex:
        ids = dict(zip(names, range(len(names))))
        indptr = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        total = len(inputs)
        # Most inputs are plain node names (port 0): one dict lookup each. Op
        # names cannot hold ':' or '^', so a miss is "x:1", "^x" or a dangling name.
        get = ids.get
        indices = np.fromiter(map(get, inputs, repeat(-1, total)), dtype=np.int32, count=total)
        ports = np.zeros(total, dtype=np.int32)
        misses = np.flatnonzero(indices < 0)
        if len(misses):
            # parse_tensor_name for all of them in one regex pass: (control, name, port, plain) per input
            texts = [inputs[k] for k in misses.tolist()]
            parsed = _TENSOR_NAMES.findall("\n".join(texts))
            if len(parsed) != len(texts):  # an input holding a newline: not a valid name, but be exact
                parsed = [("", name, str(port), "") if port >= 0 else (name, "", "", "")
                          for name, port in map(parse_tensor_name, texts)]
            # a port beyond int32 is no output of any op (a crafted file): a dangling input, like a missing name
            parsed = [(c, n, p, pl) if len(p) < 10 else ("", "", "", f"{n}:{p}") for c, n, p, pl in parsed]
            indices[misses] = [get(control or name or plain, -1) for control, name, _, plain in parsed]
            ports[misses] = [-1 if control else int(port) if name else 0 for control, name, port, plain in parsed]
        return cls(names, ids, indptr, indices, ports, graph_def)

    @classmethod
    def _build(cls, graph_def) -> GraphIndex:
        """The same index from the protos, node by node (for GraphDefs whose columns do not line up)."""
        nodes = graph_def.node
        names = [n.name for n in nodes]
        inputs = [n.input for n in nodes]
        counts = np.fromiter(map(len, inputs), dtype=np.int64, count=len(nodes))
        return cls._from_columns(names, list(chain.from_iterable(inputs)), counts, graph_def)

    @cached_property
    def op_types(self) -> list[str]:
        return [n.op for n in self.graph_def.node]

    @cached_property
    def type_names(self) -> list[str]:
        """The distinct op types, in order of first appearance (``type_codes`` indexes it)."""
        return list(dict.fromkeys(self.op_types))

    @cached_property
    def type_codes(self) -> np.ndarray:
        """Per node: its op type's position in ``type_names``."""
        codes = dict(zip(self.type_names, range(len(self.type_names))))
        return np.fromiter(map(codes.__getitem__, self.op_types), dtype=np.int32, count=len(self.op_types))

    def __len__(self) -> int:
        return len(self.names)

    def inputs(self, node: int) -> np.ndarray:
        return self.indices[self.indptr[node]:self.indptr[node + 1]]

    @cached_property
    def is_control(self) -> np.ndarray:
        return self.src_output < 0

    @cached_property
    def dangling_count(self) -> int:
        """Inputs naming a node the graph does not define."""
        return int(np.count_nonzero(self.indices < 0))

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

    @cached_property
    def _reverse(self) -> tuple[np.ndarray, np.ndarray]:
        """Consumers as CSR: for each node, the distinct nodes that take it as an input, in id order."""
        valid = np.flatnonzero(self.indices >= 0)
        producers = self.indices[valid].astype(np.int64)
        owners = self.edge_targets[valid].astype(np.int64)
        order = np.lexsort((owners, producers))
        producers, owners = producers[order], owners[order]
        keep = np.ones(len(producers), dtype=bool)
        keep[1:] = (producers[1:] != producers[:-1]) | (owners[1:] != owners[:-1])
        producers, owners = producers[keep], owners[keep]
        indptr = np.zeros(len(self.names) + 1, dtype=np.int64)
        np.cumsum(np.bincount(producers, minlength=len(self.names)), out=indptr[1:])
        return indptr, owners

    def consumers(self, node: int) -> np.ndarray:
        """The ops that take ``node`` as an input (data or control), in id order."""
        indptr, owners = self._reverse
        return owners[indptr[node]:indptr[node + 1]]

    def data_inputs(self, node: int) -> list[tuple[int, int]]:
        """(producer, port) of each data input of ``node``, in order; producer -1 where it dangles."""
        lo, hi = int(self.indptr[node]), int(self.indptr[node + 1])
        return [(int(self.indices[k]), int(self.src_output[k])) for k in range(lo, hi) if self.src_output[k] >= 0]

    def node_id(self, name: str) -> int | None:
        """The id of an op name or tensor name (``x``, ``x:0``, ``^x``)."""
        node, _ = parse_tensor_name(name)
        return self.ids.get(node)


_indexes: "WeakKeyDictionary" = WeakKeyDictionary()


def index_of(graph) -> GraphIndex:
    """The index of a GraphCapture, built once."""
    index = _indexes.get(graph)
    if index is None:
        from tfinspect.index.columns import columns_of
        from tfinspect.record.model import graph_def_source

        columns = columns_of(graph)
        graph_def = None if graph.wire is not None and columns is not None else graph.graph_def
        # The index refers to the GraphDef through the capture's source, never to the capture itself: a
        # value of the weak-keyed cache that referred to its key would keep it alive for ever.
        index = _indexes[graph] = GraphIndex.build(graph_def, graph.wire, columns, source=graph_def_source(graph))
    return index
