"""What changed between two versions of a model: ops, variables, placeholders, signatures, collections, runs.

Ops are matched in three passes, so that names TensorFlow uniquified (``Add_3`` that became ``Add_4`` because
an op was added earlier) are not changes:

1. **structure**: every op gets a hash of its type, its name without scope and ``_N`` suffix, and (over
   ``ROUNDS`` rounds, as Weisfeiler-Lehman refines labels) the hashes of its inputs in order, computed on the
   index's arrays, no Python loop per op. Ops of the same name and the same hash are the same op.
2. ops of equal hash are paired in creation order: a name that differs only in its ``_N`` suffix is a
   uniquifier shift (no change); one under another scope is a rename (reported by scope).
3. ops of the same name left over are compared (type, inputs through the matching, device): the same op,
   changed, or unchanged where only something upstream changed. The rest are added or removed.

Every matched pair's attributes are compared too (a structure hash does not cover them): the serialized
NodeDefs of both are compared as bytes in one pass, and only pairs whose bytes differ are parsed.

Variables are matched by name, then as their ops were matched (a renamed scope), then by shape, dtype and a
similar name; "a checkpoint of OLD would not restore into NEW" is what ``ckpt --against`` would say of a
checkpoint holding OLD's saved variables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain, count, repeat
from operator import eq, itemgetter
from typing import Iterable, Mapping

import numpy as np

from tfinspect.analyses.overview import PlaceholderInfo, placeholders_of
from tfinspect.analyses.restore import RestoreReport, _why_renamed, compare, saved_variables
from tfinspect.core.errors import ArgumentError
from tfinspect.core.options import DIFF_KINDS
from tfinspect.index.graphindex import GraphIndex, index_of
from tfinspect.core.dtypes import dtype_name
from tfinspect.index.tensors import shape_of, shape_text
from tfinspect.record.model import Capture, CheckpointEntry, GraphCapture, SignatureTensor, SourceLocation

ROUNDS = 4  # input hops an op's structural hash covers
SCOPE_MOVE = 3  # ops renamed by the same change of a scope's name: a renamed scope (fewer: renamed ops)
_SUFFIX = re.compile(r"_\d+$")
KINDS = DIFF_KINDS


@dataclass(frozen=True)
class OpChange:
    kind: str  # "added", "removed", "changed", "renamed"
    old: str | None
    new: str | None
    op_type: str
    details: tuple[str, ...] = ()  # for "changed": what differs
    source: SourceLocation | None = None  # the line that created it (NEW's, or OLD's for a removed op)

    @property
    def name(self) -> str:
        return self.new if self.new is not None else self.old or ""


@dataclass(frozen=True)
class ScopeRename:
    """A name part of scopes that changed wherever it occurs (``dense1`` -> ``layer1``, also in
    ``gradients/dense1/...``): the ops it renamed are the same ops."""

    old: str
    new: str
    ops: int


@dataclass(frozen=True)
class VariableChange:
    kind: str  # "added", "removed", "renamed", "reshaped", "retyped"
    old: str | None
    new: str | None
    old_shape: tuple | None = None
    new_shape: tuple | None = None
    old_dtype: str | None = None
    new_dtype: str | None = None
    why: str = ""  # for a rename: why the two are taken for one variable
    source: SourceLocation | None = None


@dataclass(frozen=True)
class TensorChange:
    """A placeholder or a signature's input or output that was added, removed or changed dtype or shape."""

    kind: str  # "added", "removed", "changed"
    what: str  # "placeholder", or "signature NAME input KEY"
    name: str
    old: str = ""  # "float32 (?, 3)"
    new: str = ""


@dataclass(frozen=True)
class CollectionChange:
    key: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


@dataclass(frozen=True)
class RunChange:
    """A captured run of NEW (matched to OLD's run at the same line fetching the same) that executes other ops."""

    source: SourceLocation | None
    fetches: tuple[str, ...]
    old_ops: int  # ops OLD's run executed (0: no such run in OLD)
    new_ops: int
    added: tuple[str, ...]  # ops NEW's run executes that OLD's did not (matched), a few
    added_count: int
    removed_count: int


@dataclass(frozen=True)
class ModelDiff:
    old: str
    new: str
    old_ops: int
    new_ops: int
    ops: tuple[OpChange, ...]
    scope_renames: tuple[ScopeRename, ...]
    uniquified: int  # ops whose name moved only by a _N suffix: not changes
    variables: tuple[VariableChange, ...]
    restore: RestoreReport | None  # a checkpoint of OLD's saved variables restored into NEW
    placeholders: tuple[TensorChange, ...]
    signatures: tuple[TensorChange, ...]
    collections: tuple[CollectionChange, ...]
    runs: tuple[RunChange, ...]
    findings: tuple = ()  # findings of check on NEW that OLD does not have
    findings_checked: bool = False
    notes: tuple[str, ...] = field(default=())
    renamed: Mapping[str, str] = field(default_factory=dict, repr=False)  # every OLD op name NEW calls otherwise

    def changed(self) -> dict[str, int]:
        """How many changes of each kind (see KINDS)."""
        return {"ops": len(self.ops) + sum(r.ops for r in self.scope_renames), "variables": len(self.variables),
                "placeholders": len(self.placeholders), "signatures": len(self.signatures),
                "collections": len(self.collections), "runs": len(self.runs), "findings": len(self.findings)}


# ---- matching ---------------------------------------------------------------------------------------------

def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = (a * np.uint64(0x9E3779B97F4A7C15)) ^ (b + np.uint64(0x632BE59BD9B4E019))
        x ^= x >> np.uint64(29)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(32)
    return x


def _joint_codes(old: list[str], new: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of two lists of strings, equal strings equal codes across both."""
    table = dict(zip(dict.fromkeys(chain(old, new)), count()))  # built in C, as is each lookup below
    return (np.fromiter(map(table.__getitem__, old), dtype=np.uint64, count=len(old)),
            np.fromiter(map(table.__getitem__, new), dtype=np.uint64, count=len(new)))


def _leaf_codes(old: list[str], new: list[str], named: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes of each name's last part without a ``_N`` suffix (``a/b/Add_3`` -> ``Add``), equal across both
    lists; all in C. ``named``: per OLD name, the position of the same name in NEW (-1: none); a NEW name
    that OLD has takes OLD's code, so only the names new in NEW are split."""
    last = itemgetter(2)
    old_leaves = list(map(last, map(str.rpartition, old, repeat("/"))))
    at_old = np.flatnonzero(named >= 0)
    unnamed = np.ones(len(new), dtype=bool)
    unnamed[named[at_old]] = False
    rest = np.flatnonzero(unnamed)
    new_leaves = [new[j].rpartition("/")[2] for j in rest.tolist()]
    distinct = list(dict.fromkeys(chain(old_leaves, new_leaves)))
    # trailing digits and underscores go (``Add_3`` -> ``Add``; also ``conv2`` -> ``conv``: a hash feature
    # may be coarse, never finer than the uniquifier), two C calls per distinct leaf
    bases = list(map(str.rstrip, map(str.rstrip, distinct, repeat("0123456789")), repeat("_")))
    codes = dict(zip(dict.fromkeys(bases), count()))
    table = dict(zip(distinct, map(codes.__getitem__, bases)))
    old_codes = np.fromiter(map(table.__getitem__, old_leaves), dtype=np.uint64, count=len(old))
    new_codes = np.empty(len(new), dtype=np.uint64)
    new_codes[named[at_old]] = old_codes[at_old]
    new_codes[rest] = np.fromiter(map(table.__getitem__, new_leaves), dtype=np.uint64, count=len(new_leaves))
    return old_codes, new_codes


def same_names(old: GraphIndex, new: GraphIndex) -> np.ndarray:
    """Per OLD op: the NEW op of the same name (-1: none). Two versions of a model mostly keep their ops'
    order: a name at the same position is compared in C first, and only the others are looked up."""
    common = min(len(old), len(new))
    here = np.fromiter(map(eq, old.names, new.names), dtype=bool, count=common)
    named = np.full(len(old), -1, dtype=np.int64)
    at = np.flatnonzero(here)
    named[at] = at
    rest = np.concatenate((np.flatnonzero(~here), np.arange(common, len(old)))).tolist()
    if rest:
        names = old.names
        named[rest] = np.fromiter(map(new.ids.get, [names[i] for i in rest], repeat(-1)), dtype=np.int64,
                                  count=len(rest))
    return named


def structural_hashes(old: GraphIndex, new: GraphIndex, named: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per op of each graph: a hash of its type, its name's last part without a _N suffix, and its inputs'
    hashes in order (``ROUNDS`` hops), equal for equal structure in either graph. ``named``: same_names."""
    old_types, new_types = _joint_codes(old.type_names, new.type_names)
    old_leaves, new_leaves = _leaf_codes(old.names, new.names, named)
    return (_hashes(old, _mix(old_types[old.type_codes], old_leaves)),
            _hashes(new, _mix(new_types[new.type_codes], new_leaves)))


def _hashes(index: GraphIndex, base: np.ndarray) -> np.ndarray:
    n = len(index)
    sources = index.indices.astype(np.int64)
    valid = sources >= 0
    position = np.arange(len(sources), dtype=np.int64) - index.indptr[:-1].astype(np.int64)[index.edge_targets]
    salt = _mix(index.src_output.astype(np.int64).astype(np.uint64), position.astype(np.uint64))
    starts = index.indptr[:-1].astype(np.int64)
    has_inputs = np.diff(index.indptr) > 0
    hashes = base
    for _ in range(ROUNDS):
        contribution = np.zeros(len(sources), dtype=np.uint64)
        contribution[valid] = _mix(hashes[sources[valid]], salt[valid])
        summed = np.zeros(n, dtype=np.uint64)
        if len(sources):
            with np.errstate(over="ignore"):
                summed[has_inputs] = np.add.reduceat(contribution, starts[has_inputs])
        hashes = _mix(base, summed)
    return hashes


@dataclass
class _Matching:
    old_to_new: np.ndarray  # per OLD op: its NEW op (-1: none)
    new_to_old: np.ndarray
    shifted: int = 0
    renamed: list[tuple[int, int]] = field(default_factory=list)
    compared: list[tuple[int, int]] = field(default_factory=list)  # the same name, another structure
    moved: list[tuple[int, int]] = field(default_factory=list)  # every pair of two names (shifted or renamed)


def match_ops(old: GraphIndex, new: GraphIndex) -> _Matching:
    named = same_names(old, new)
    h_old, h_new = structural_hashes(old, new, named)
    matching = _Matching(np.full(len(old), -1, dtype=np.int64), np.full(len(new), -1, dtype=np.int64))
    # 1. same name, same structure
    at_old = np.flatnonzero(named >= 0)
    at_new = named[at_old]
    same = h_old[at_old] == h_new[at_new]
    matching.old_to_new[at_old[same]] = at_new[same]
    matching.new_to_old[at_new[same]] = at_old[same]
    # 2. the same structure under another name (or a name that now means another op), in creation order
    left_old = np.flatnonzero(matching.old_to_new < 0)
    left_new = np.flatnonzero(matching.new_to_old < 0)
    by_hash: dict[int, list[int]] = {}
    for j in left_new.tolist():
        by_hash.setdefault(int(h_new[j]), []).append(j)
    for i in left_old.tolist():
        candidates = by_hash.get(int(h_old[i]))
        if candidates:
            j = candidates.pop(0)
            matching.old_to_new[i], matching.new_to_old[j] = j, i
            matching.moved.append((i, j))
            if _unsuffixed(old.names[i]) == _unsuffixed(new.names[j]):
                matching.shifted += 1
            else:
                matching.renamed.append((i, j))
    # 3. the same name, something changed: matched, compared by the caller
    for i in np.flatnonzero(matching.old_to_new < 0).tolist():
        j = new.ids.get(old.names[i])
        if j is not None and matching.new_to_old[j] < 0:
            matching.old_to_new[i], matching.new_to_old[j] = j, i
            matching.compared.append((i, j))
    return matching


def _unsuffixed(name: str) -> str:
    """A name with every ``_N`` uniquifier gone from each of its parts (``h_1/Add_3`` -> ``h/Add``)."""
    return "/".join(_SUFFIX.sub("", part) for part in name.split("/"))


def _inputs(index: GraphIndex, node: int) -> list[tuple[int, int]]:
    start, end = int(index.indptr[node]), int(index.indptr[node + 1])
    return list(zip(index.indices[start:end].tolist(), index.src_output[start:end].tolist()))


def _op_changes(old: GraphCapture, new: GraphCapture, o: GraphIndex, n: GraphIndex,
                matching: _Matching) -> tuple[list[OpChange], list[ScopeRename]]:
    changes: list[OpChange] = []
    details: dict[tuple[int, int], list[str]] = {}
    for i, j in matching.compared:  # the same name and another structure: what differs (maybe nothing of its own)
        found = []
        if o.op_types[i] != n.op_types[j]:
            found.append(f"type {o.op_types[i]} -> {n.op_types[j]}")
        before = [(int(matching.old_to_new[s]) if s >= 0 else -2, p) for s, p in _inputs(o, i)]
        after = [(s if s >= 0 else -2, p) for s, p in _inputs(n, j)]
        if before != after:
            found.append("inputs " + _tensor_list(o, _inputs(o, i)) + " -> " + _tensor_list(n, _inputs(n, j)))
        details[(i, j)] = found
    # devices (for ops matched under their own name: a device is not part of the structure) and attributes
    for (i, j), found in _record_changes(old, new, o, n, matching).items():
        details.setdefault((i, j), []).extend(found)
    for (i, j), found in sorted(details.items()):
        if found:
            changes.append(OpChange("changed", o.names[i], n.names[j], n.op_types[j], tuple(found),
                                    new.sources.get(n.names[j])))
    for i in np.flatnonzero(matching.old_to_new < 0).tolist():
        changes.append(OpChange("removed", o.names[i], None, o.op_types[i], (), old.sources.get(o.names[i])))
    for j in np.flatnonzero(matching.new_to_old < 0).tolist():
        changes.append(OpChange("added", None, n.names[j], n.op_types[j], (), new.sources.get(n.names[j])))
    # ops renamed the same way (a scope's name part changed: dense1 -> layer1, wherever it occurs) are one rename
    moves: dict[tuple[tuple[str, str], ...], list[tuple[int, int]]] = {}
    for i, j in matching.renamed:
        before, after = o.names[i].split("/"), n.names[j].split("/")
        key: tuple[tuple[str, str], ...] = ()
        if len(before) == len(after) and before[-1] == after[-1]:
            key = tuple(dict.fromkeys((a, b) for a, b in zip(before[:-1], after[:-1]) if a != b))
        moves.setdefault(key, []).append((i, j))
    scopes: dict[tuple[str, str], int] = {}
    for key, pairs in moves.items():
        if key and len(pairs) >= SCOPE_MOVE:
            scopes[(", ".join(a for a, _ in key), ", ".join(b for _, b in key))] = len(pairs)
            continue
        changes += [OpChange("renamed", o.names[i], n.names[j], n.op_types[j], (), new.sources.get(n.names[j]))
                    for i, j in pairs]
    order = {"changed": 0, "added": 1, "removed": 2, "renamed": 3}
    changes.sort(key=lambda c: (order[c.kind], c.name))
    return changes, [ScopeRename(a, b, count) for (a, b), count in sorted(scopes.items())]


ATTR_LIMIT = 48  # characters of an attribute's value shown


def _node_records(graph: GraphCapture, size: int):
    """Each op's serialized NodeDef, in the index's order, and where they lie in the serialized GraphDef
    (NodeColumns.record_spans, or None); (None, None) when the columns do not line up."""
    from tfinspect.index.columns import columns_of

    columns = columns_of(graph)
    if columns is None or columns.records is None or len(columns.records.node) != size:
        return None, None
    return columns.records.node, columns.record_spans()


_CHUNK = 64  # matched pairs compared record by record once a run of them holds a difference


def _differing(pairs: np.ndarray, targets: np.ndarray, records_old, records_new, spans_old, spans_new) -> list[int]:
    """The OLD ops among ``pairs`` whose record differs from their NEW op's (``targets``). Where both sides'
    records lie in their files one after another, a run of pairs that step by one on both sides is compared as
    two byte ranges at once (equal bytes and equal record lengths: equal records), split in halves where they
    differ; short runs are compared record by record. A diff of two versions of one model, mostly unchanged,
    compares a few ranges instead of making a bytes object per op."""
    if spans_old is None or spans_new is None:
        before = np.array(list(records_old), dtype=object)[pairs]  # object arrays: indexed and compared in C
        after = np.array(list(records_new), dtype=object)[targets]
        return pairs[before != after].tolist()
    (buf_o, ends_o, len_o), (buf_n, ends_n, len_n) = spans_old, spans_new
    found: list[int] = []

    def compare(a: int, b: int) -> None:  # pairs[a:b] step by one on both sides
        i0, i1, j0, j1 = int(pairs[a]), int(pairs[b - 1]), int(targets[a]), int(targets[b - 1])
        so, eo = int(ends_o[i0] - len_o[i0]), int(ends_o[i1])
        sn, en = int(ends_n[j0] - len_n[j0]), int(ends_n[j1])
        if eo - so == en - sn and np.array_equal(len_o[i0:i1 + 1], len_n[j0:j1 + 1]) \
                and np.array_equal(buf_o[so:eo], buf_n[sn:en]):
            return
        if b - a <= _CHUNK:
            found.extend(int(pairs[k]) for k in range(a, b)
                         if records_old[int(pairs[k])] != records_new[int(targets[k])])
            return
        middle = (a + b) // 2
        compare(a, middle)
        compare(middle, b)

    if len(pairs):
        breaks = (np.flatnonzero((np.diff(pairs) != 1) | (np.diff(targets) != 1)) + 1).tolist()
        for a, b in zip([0, *breaks], [*breaks, len(pairs)]):
            compare(a, b)
    return found


def _record_changes(old: GraphCapture, new: GraphCapture, o: GraphIndex, n: GraphIndex,
                    matching: _Matching) -> dict[tuple[int, int], list[str]]:
    """``device A -> B`` (for ops matched under their own name) and ``attr NAME: before -> after`` of every
    matched pair whose serialized NodeDefs differ (a device or an attribute changes the record's bytes)."""
    pairs = np.flatnonzero(matching.old_to_new >= 0)
    targets = matching.old_to_new[pairs]
    records_old, spans_old = _node_records(old, len(matching.old_to_new))
    records_new, spans_new = _node_records(new, len(matching.new_to_old))
    if records_old is None or records_new is None:
        differ = pairs.tolist()
        node_old, node_new = old.graph_def.node.__getitem__, new.graph_def.node.__getitem__
    else:
        from tensorboard.compat.proto.node_def_pb2 import NodeDef

        differ = _differing(pairs, targets, records_old, records_new, spans_old, spans_new)

        def node_old(i):
            return NodeDef.FromString(records_old[i])

        def node_new(j):
            return NodeDef.FromString(records_new[j])
    found: dict[tuple[int, int], list[str]] = {}
    for i in differ:
        j = int(matching.old_to_new[i])
        before_node, after_node = node_old(i), node_new(j)
        texts = []
        if before_node.device != after_node.device and o.names[i] == n.names[j]:
            texts.append(f"device {before_node.device or '(none)'} -> {after_node.device or '(none)'}")
        a, b = before_node.attr, after_node.attr
        if a != b:
            for key in sorted(set(a) | set(b)):
                if key.startswith("_") or (key in a and key in b and a[key] == b[key]):
                    continue  # "_" attributes are TensorFlow's annotations (colocation with a name, inferred shapes)
                before = _attr_text(a[key]) if key in a else "(none)"
                after = _attr_text(b[key]) if key in b else "(none)"
                texts.append(f"attr {key}: {before} -> {after}" if before != after else f"attr {key}: other values")
        if texts:
            found[(i, j)] = texts
    return found


def _attr_text(value) -> str:
    """An AttrValue in a few characters: ``float32``, ``(?, 3)``, ``0.5``, ``[1, 2, 2, 1]``, ``tensor int32 (3,)``."""
    kind = value.WhichOneof("value")
    if kind == "type":
        text = dtype_name(value.type)
    elif kind == "shape":
        text = shape_text(shape_of(value.shape))
    elif kind == "tensor":
        text = f"tensor {dtype_name(value.tensor.dtype)} {shape_text(shape_of(value.tensor.tensor_shape))}"
        strings = value.tensor.string_val
        if strings and len(strings) <= 16:  # names (a Saver's checkpoint keys): the strings say what changed
            text = "[" + ", ".join(repr(x.decode("utf-8", "replace")) for x in strings) + "]"
    elif kind == "list":
        items = [dtype_name(t) for t in value.list.type] or [shape_text(shape_of(s)) for s in value.list.shape] \
            or [repr(x) for x in (*value.list.i, *value.list.f, *value.list.b)] \
            or [repr(x.decode("utf-8", "replace")) for x in value.list.s]
        text = "[" + ", ".join(items) + "]"
    elif kind == "s":
        text = repr(value.s.decode("utf-8", "replace"))
    elif kind == "func":
        text = f"function {value.func.name}"
    elif kind is None:
        text = "(empty)"
    else:
        text = repr(getattr(value, kind))
    return text if len(text) <= ATTR_LIMIT else text[:ATTR_LIMIT - 1] + "…"


def _tensor_list(index: GraphIndex, inputs: list[tuple[int, int]]) -> str:
    shown = []
    for source, port in inputs:
        name = index.names[source] if source >= 0 else "?"
        shown.append(f"^{name}" if port < 0 else name if port == 0 else f"{name}:{port}")
    return "(" + ", ".join(shown) + ")"


# ---- variables, tensors, collections, runs ----------------------------------------------------------------

def _variable_changes(old: Capture, new: Capture, renamed_ops: dict[str, str]) -> list[VariableChange]:
    olds = {v.name: v for g in old.graphs for v in g.variables}
    news = {v.name: v for g in new.graphs for v in g.variables}
    changes = []
    for name in olds.keys() & news.keys():
        a, b = olds[name], news[name]
        if a.shape is not None and b.shape is not None and tuple(a.shape) != tuple(b.shape):
            changes.append(VariableChange("reshaped", name, name, a.shape, b.shape, a.dtype, b.dtype, source=b.source))
        elif a.dtype != b.dtype and "unknown" not in (a.dtype, b.dtype):
            changes.append(VariableChange("retyped", name, name, a.shape, b.shape, a.dtype, b.dtype, source=b.source))
    gone = [n for n in olds if n not in news]
    came = [n for n in news if n not in olds]
    for name in list(gone):
        target = renamed_ops.get(name)
        why = "matched by structure (the same ops read and write it)" if target in came else None
        if why is None:
            a = olds[name]
            for candidate in sorted(came):
                b = news[candidate]
                if tuple(a.shape or ()) == tuple(b.shape or ()) and a.dtype == b.dtype:
                    why = _why_renamed(candidate, name) or _why_flattened(name, candidate)
                    if why:
                        target = candidate
                        break
        if why:
            a, b = olds[name], news[target]
            changes.append(VariableChange("renamed", name, target, a.shape, b.shape, a.dtype, b.dtype, why,
                                          b.source))
            gone.remove(name)
            came.remove(target)
    changes += [VariableChange("removed", n, None, olds[n].shape, None, olds[n].dtype, None, source=olds[n].source)
                for n in gone]
    changes += [VariableChange("added", None, n, None, news[n].shape, None, news[n].dtype, source=news[n].source)
                for n in came]
    order = {"added": 0, "removed": 1, "renamed": 2, "reshaped": 3, "retyped": 4}
    return sorted(changes, key=lambda c: (order[c.kind], c.new or c.old or ""))


def _why_flattened(old: str, new: str) -> str | None:
    """``two_layers/h1/weights`` and ``h1_weights``: the same name with scopes folded into it, or out of it."""
    a, b = old.replace("/", "_"), new.replace("/", "_")
    if a != b and (a.endswith("_" + b) or b.endswith("_" + a) or a == b):
        return "the same name with its scope folded into it or out of it"
    if a == b:
        return "the same name with '/' for '_'"
    return None


def _placeholder_changes(old: Capture, new: Capture) -> list[TensorChange]:
    olds = {p.name: p for g in old.graphs for p in placeholders_of(g)}
    news = {p.name: p for g in new.graphs for p in placeholders_of(g)}
    return _tensor_changes("placeholder", {k: _spec(v) for k, v in olds.items()},
                           {k: _spec(v) for k, v in news.items()})


def _spec(tensor: PlaceholderInfo | SignatureTensor) -> str:
    return f"{tensor.dtype} {shape_text(tensor.shape)}"


def _tensor_changes(what: str, olds: dict[str, str], news: dict[str, str]) -> list[TensorChange]:
    changes = [TensorChange("changed", what, k, olds[k], news[k]) for k in olds.keys() & news.keys()
               if olds[k] != news[k]]
    changes += [TensorChange("removed", what, k, olds[k], "") for k in olds.keys() - news.keys()]
    changes += [TensorChange("added", what, k, "", news[k]) for k in news.keys() - olds.keys()]
    return sorted(changes, key=lambda c: (c.what, c.name, c.kind))


def _signature_changes(old: Capture, new: Capture) -> list[TensorChange]:
    def flat(capture: Capture) -> dict[tuple[str, str], str]:
        found = {}
        for s in capture.signatures:
            for direction, tensors in (("input", s.inputs), ("output", s.outputs)):
                for t in tensors:
                    found[(f"signature {s.name} {direction}", t.key)] = _spec(t)
        return found

    olds, news = flat(old), flat(new)
    changes = []
    for what in sorted({w for w, _ in olds} | {w for w, _ in news}):
        changes += _tensor_changes(what, {k: v for (w, k), v in olds.items() if w == what},
                                   {k: v for (w, k), v in news.items() if w == what})
    return changes


def _collection_changes(old: Capture, new: Capture, renamed: dict[str, str]) -> list[CollectionChange]:
    def members(capture: Capture) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for g in capture.graphs:
            for key, items in g.collections.items():
                found.setdefault(key, set()).update(m.label for m in items)
        return found

    olds, news = members(old), members(new)
    changes = []
    for key in sorted(olds.keys() | news.keys()):
        before = {_renamed_tensor(m, renamed) for m in olds.get(key, set())}
        after = news.get(key, set())
        if before != after:
            changes.append(CollectionChange(key, tuple(sorted(after - before)), tuple(sorted(before - after))))
    return changes


def _renamed_tensor(label: str, renamed: dict[str, str]) -> str:
    op, sep, port = label.partition(":")
    return renamed.get(op, op) + sep + port


def _run_changes(old: Capture, new: Capture, o: GraphIndex, n: GraphIndex, matching: _Matching,
                 graph_old: int, graph_new: int) -> list[RunChange]:
    if not old.runs or not new.runs:  # graph files: nothing ran
        return []
    from tfinspect.analyses.runs import distinct_runs, plan_for_run

    def key(run, capture):
        line = run.source.line if run.source else None
        return (line, run.fetches)

    olds = {key(r, old): r for r in distinct_runs(old) if r.graph == graph_old}
    changes = []
    for run in distinct_runs(new):
        if run.graph != graph_new:
            continue
        plan_new = plan_for_run(new, run)
        before = olds.get(key(run, new))
        if before is None:
            continue  # a run of a new line: its ops are among the added ones
        plan_old = plan_for_run(old, before)
        ran_old = np.zeros(len(n), dtype=bool)
        mapped = matching.old_to_new[np.flatnonzero(plan_old.mask)]
        ran_old[mapped[mapped >= 0]] = True
        added = np.flatnonzero(plan_new.mask & ~ran_old)
        new_in_old = np.zeros(len(o), dtype=bool)
        back = matching.new_to_old[np.flatnonzero(plan_new.mask)]
        new_in_old[back[back >= 0]] = True
        removed = int((plan_old.mask & ~new_in_old).sum())
        if len(added) or removed:
            changes.append(RunChange(run.source, run.fetches, int(plan_old.mask.sum()), int(plan_new.mask.sum()),
                                     tuple(n.names[k] for k in added[:8].tolist()), int(len(added)), removed))
    return changes


# ---- the diff -----------------------------------------------------------------------------------------------

def diff(old: Capture, new: Capture, *, findings: Iterable | None = None) -> ModelDiff:
    """What changed from ``old`` to ``new`` (their first graphs, or the graphs of the same position).
    ``findings``: check's findings of NEW that OLD does not have, when they were computed."""
    if not old.graphs or not new.graphs:
        which = "OLD" if not old.graphs else "NEW"
        raise ArgumentError("new" if which == "NEW" else "old",
                            f"{{name}}: {(old if which == 'OLD' else new).source} has no graph to compare")
    ops: list[OpChange] = []
    scope_renames: list[ScopeRename] = []
    runs: list[RunChange] = []
    renamed_ops: dict[str, str] = {}
    shifted = 0
    notes = []
    if len(old.graphs) != len(new.graphs):
        notes.append(f"OLD has {len(old.graphs)} graphs and NEW {len(new.graphs)}: graphs are compared by position")
    for g_old, g_new in zip(old.graphs, new.graphs):
        o, n = index_of(g_old), index_of(g_new)
        matching = match_ops(o, n)
        changes, scopes = _op_changes(g_old, g_new, o, n, matching)
        ops += changes
        scope_renames += scopes
        shifted += matching.shifted
        renamed_ops.update((o.names[i], n.names[j]) for i, j in matching.moved)
        runs += _run_changes(old, new, o, n, matching, g_old.id, g_new.id)
    restore = None
    saved_old = saved_variables(old)
    if saved_old:
        entries = [CheckpointEntry(v.name, tuple(d if d is not None else -1 for d in (v.shape or ())), v.dtype)
                   for v in saved_old]
        restore = compare(entries, saved_variables(new))
    variables = _variable_changes(old, new, renamed_ops)
    renamed_ops.update({v.old: v.new for v in variables if v.kind == "renamed"})
    return ModelDiff(
        old=old.source, new=new.source, old_ops=sum(len(index_of(g)) for g in old.graphs),
        new_ops=sum(len(index_of(g)) for g in new.graphs), ops=tuple(ops), scope_renames=tuple(scope_renames),
        uniquified=shifted, variables=tuple(variables), restore=restore,
        placeholders=tuple(_placeholder_changes(old, new)), signatures=tuple(_signature_changes(old, new)),
        collections=tuple(_collection_changes(old, new, renamed_ops)), runs=tuple(runs),
        findings=tuple(findings or ()), findings_checked=findings is not None, notes=tuple(notes),
        renamed=renamed_ops)
