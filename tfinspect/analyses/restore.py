"""What ``saver.restore`` would do: checkpoint keys against a graph's variables."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from tfinspect.record.model import Capture, CheckpointEntry, VariableInfo

Shape = tuple[int, ...]


@dataclass(frozen=True)
class Rename:
    variable: str  # in the graph
    key: str  # in the checkpoint
    why: str


@dataclass(frozen=True)
class RestoreReport:
    matched: tuple[str, ...]
    missing: tuple[str, ...]  # graph variables the checkpoint lacks: restore fails ("Key ... not found")
    unused: tuple[str, ...]  # checkpoint keys the graph does not have
    shape_mismatches: tuple[tuple[str, Shape | None, Shape], ...]
    dtype_mismatches: tuple[tuple[str, str, str], ...]
    renames: tuple[Rename, ...]
    # A TF2 checkpoint restored object by object (tf.train.Checkpoint): a variable it lacks keeps its initial
    # value (only status.assert_consumed() complains); a shape or dtype that differs fails the restore.
    object_based: bool = False

    @property
    def ok(self) -> bool:
        if self.object_based:
            return not (self.shape_mismatches or self.dtype_mismatches)
        return not (self.missing or self.shape_mismatches or self.dtype_mismatches)


_SUFFIX = re.compile(r"_\d+$")


def _why_renamed(variable: str, key: str) -> str | None:
    if _SUFFIX.sub("", variable) == _SUFFIX.sub("", key):
        return "the same name up to a _N suffix (a second tf.Variable of the same name, or a function called twice)"
    if variable.rpartition("/")[2] == key.rpartition("/")[2]:
        before, after = key.rpartition("/")[0] or "(none)", variable.rpartition("/")[0] or "(none)"
        return f"the same variable name under another scope ({before} in the checkpoint, {after} in the graph)"
    if difflib.SequenceMatcher(None, variable, key).ratio() >= 0.6:
        return "a similar name"
    return None


def saved_variables(capture: Capture) -> list[VariableInfo]:
    """The variables a default ``tf.train.Saver()`` saves: the global ones (all, when collections are unknown)."""
    result = []
    seen = set()
    for graph in capture.graphs:
        known = any(v.collections for v in graph.variables)
        for v in graph.variables:
            if (not known or "variables" in v.collections) and \
                    not (graph.function is not None and v.name in seen):  # TF2: traces capture the same variables
                result.append(v)
                seen.add(v.name)
    return result


def compare(entries: list[CheckpointEntry], variables: list[VariableInfo]) -> RestoreReport:
    keys = {e.name: e for e in entries}
    names = {v.name: v for v in variables}
    matched = [n for n in names if n in keys]
    missing = [n for n in names if n not in keys]
    unused = [k for k in keys if k not in names]
    shapes = []
    dtypes = []
    for name in matched:
        v, e = names[name], keys[name]
        if v.shape is not None and None not in v.shape and tuple(v.shape) != e.shape:
            shapes.append((name, v.shape, e.shape))
        if v.dtype != "unknown" and v.dtype != e.dtype:
            dtypes.append((name, v.dtype, e.dtype))
    renames = []
    free = list(unused)
    for name in missing:
        v = names[name]
        candidates = [k for k in free if (v.shape is None or tuple(v.shape) == keys[k].shape)
                      and (v.dtype in ("unknown", keys[k].dtype))]
        ranked = sorted(((k, _why_renamed(name, k)) for k in candidates), key=lambda kw: (kw[1] is None, kw[0]))
        if ranked and ranked[0][1] is not None:
            key, why = ranked[0]
            renames.append(Rename(name, key, why))
            free.remove(key)
    return RestoreReport(tuple(matched), tuple(missing), tuple(unused), tuple(shapes), tuple(dtypes), tuple(renames),
                         object_based=any(e.key for e in entries))
