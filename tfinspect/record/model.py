"""The Capture: plain data describing what a source built and ran.

Everything here is plain Python data plus GraphDef protos from
``tensorboard.compat.proto`` (the same wire format as TensorFlow's own), so a
Capture can be built from a script, a graph file or a live graph, saved,
loaded and analysed without importing TensorFlow.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Mapping

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from tensorboard.compat.proto.graph_pb2 import GraphDef

Shape = tuple[int | None, ...] | None  # None: unknown rank; None dim: unknown size


@dataclass(frozen=True)
class SourceLocation:
    """A line of the user's code."""

    file: str
    line: int
    function: str = ""

    def short(self, base: str | None = None) -> str:
        """``file:line`` with the file relative to ``base`` (or the cwd) when below it."""
        path = self.file
        try:
            rel = os.path.relpath(path, base or os.getcwd())
            if not rel.startswith(".."):
                path = rel
        except ValueError:  # different drive (Windows)
            pass
        return f"{path}:{self.line}"

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> SourceLocation | None:
        if not data:
            return None
        return cls(str(data["file"]), int(data["line"]), str(data.get("function", "")))


class VariableKind(StrEnum):
    REF = "ref"  # TF1 VariableV2
    RESOURCE = "resource"  # VarHandleOp


class CreatedBy(StrEnum):
    VARIABLE = "tf.Variable"
    GET_VARIABLE = "get_variable"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class VariableInfo:
    """One variable of a graph."""

    name: str  # the variable op's name, e.g. "two_layers/h1/weights"
    shape: Shape
    dtype: str
    trainable: bool | None  # None: unknown (a bare GraphDef has no collections to say)
    kind: VariableKind
    created_by: CreatedBy
    collections: tuple[str, ...] = ()
    source: SourceLocation | None = None
    variable_scope: str | None = None  # active when it was created (None: not known)
    made_by: str | None = None  # the library object that made it for the user (AdamOptimizer, LSTMCell, ...)

    @property
    def size(self) -> int | None:
        """Number of elements, or None when the shape is not fully known."""
        if self.shape is None or any(d is None for d in self.shape):
            return None
        n = 1
        for d in self.shape:
            n *= int(d)  # type: ignore[arg-type]
        return n


DTYPE_BYTES = {"float16": 2, "bfloat16": 2, "float32": 4, "float64": 8, "int8": 1, "uint8": 1, "int16": 2,
               "int32": 4, "int64": 8, "bool": 1}


@dataclass(frozen=True)
class CheckpointEntry:
    """One variable a checkpoint holds (its key, shape and dtype)."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    key: str = ""  # a TF2 checkpoint's object-based key, when ``name`` is the variable's saved name

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def bytes(self) -> int:
        """Bytes of its values (0 for dtypes without a fixed width, such as strings)."""
        return self.size * DTYPE_BYTES.get(self.dtype, 0)


@dataclass(frozen=True)
class VariableCall:
    """One call of ``get_variable``: which name it asked for, created or reused."""

    name: str
    reused: bool
    name_scope: str
    variable_scope: str
    source: SourceLocation | None = None
    callers: tuple[SourceLocation, ...] = ()  # the user's frames that led there, innermost first
    made_by: str | None = None  # the library object that asked for it (AdamOptimizer, LSTMCell, ...)


@dataclass(frozen=True)
class GradientCall:
    """One ``Optimizer.apply_gradients`` (``minimize`` calls it): the variables it was given, and those
    whose gradient was None (no path from the loss, so TensorFlow silently leaves them out)."""

    variables: tuple[str, ...]
    missing: tuple[str, ...]
    optimizer: str = ""
    source: SourceLocation | None = None
    # TF2: where each variable without a gradient was created (a trace need not capture a variable it never
    # reads: such a variable has no op in the graph to name its line)
    sites: Mapping[str, SourceLocation] = field(default_factory=dict)


@dataclass(frozen=True)
class SignatureTensor:
    """One input or output of a SavedModel signature."""

    key: str  # the signature's name for it ("x", "scores")
    tensor: str  # the graph's tensor ("x:0")
    dtype: str
    shape: Shape


@dataclass(frozen=True)
class Signature:
    """A SavedModel (or MetaGraph) signature: what a caller such as TF Serving feeds and fetches."""

    name: str  # "serving_default"
    graph: int
    method: str  # "tensorflow/serving/predict"
    inputs: tuple[SignatureTensor, ...]
    outputs: tuple[SignatureTensor, ...]


@dataclass(frozen=True)
class CollectionMember:
    kind: str  # "variable" | "tensor" | "operation" | "other"
    name: str | None  # None for Python objects without a name (tf.get_collection(key, scope) skips them)
    dtype: str | None = None
    shape: Shape = None
    type: str | None = None  # the Python type, for "other" members

    @property
    def scope(self) -> str:
        """The name scope of its name (``"model/dense/kernel:0"`` -> ``"model/dense"``); ``""`` without one."""
        return self.name.split(":")[0].rpartition("/")[0] if self.name else ""

    @property
    def label(self) -> str:
        """The name, or ``<Type>`` for an object without one."""
        return self.name if self.name is not None else f"<{self.type or 'object'}>"


@dataclass(frozen=True)
class FeedInfo:
    name: str  # tensor name, e.g. "X:0"
    dtype: str
    shape: tuple[int, ...]


class RunStatus(StrEnum):
    OK = "ok"
    ERROR = "error"  # the run raised (OutOfRangeError at the end of a dataset, ...)
    STOPPED = "stopped"  # tfinspect stopped the script here: this run did not execute
    RUNNING = "running"  # still running when the script was stopped or died (a hang, a crash)
    SKIMMED = "skimmed"  # not executed: it returned its line's last real result (its input ops did run)


@dataclass(frozen=True)
class RunRecord:
    """One ``Session.run`` call the script made."""

    index: int
    graph: int
    fetches: tuple[str, ...]
    feeds: tuple[FeedInfo, ...]
    source: SourceLocation | None
    status: RunStatus
    ops_before: int  # how many ops the graph had when the run was called
    error: str | None = None
    values_kept: bool = False
    metadata_kept: bool = False  # TensorFlow's RunMetadata of this run is in the capture
    # With tracing on: the nodes TensorFlow's own partition graphs held for this run.
    traced_nodes: tuple[str, ...] | None = None
    stop_reason: str | None = None  # why tfinspect stopped the script at this run (not a finding)
    soft_placement: bool | None = None  # the session's allow_soft_placement (None: not known)
    kind: str = "run"  # "run": a Session.run; "call": a call of a tf.function trace (TF2)
    data: tuple[FeedInfo, ...] = ()  # ids a call's tf.data iterator yields, read ahead (kept with the values)
    data_unread: str | None = None  # why the data of the call's iterator was not read ahead (Python in it)

    @property
    def executed(self) -> bool:
        return self.status not in (RunStatus.STOPPED, RunStatus.SKIMMED)

    @property
    def skimmed(self) -> bool:
        return self.status is RunStatus.SKIMMED

    @property
    def noun(self) -> str:
        """"run" (a Session.run) or "call" (a tf.function call), for messages: "call #3"."""
        return "call" if self.kind == "call" else "run"


class OutcomeStatus(StrEnum):
    COMPLETED = "completed"  # the script ran to its end
    STOPPED = "stopped"  # tfinspect stopped it after the runs it was allowed
    ERROR = "error"  # it raised (or failed to compile / import)
    EXIT = "exit"  # it called sys.exit(n != 0) or os._exit
    TIMEOUT = "timeout"
    CRASHED = "crashed"  # the child process died (segfault, killed)
    MEMORY = "memory"  # it went over the memory limit and was killed


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    message: str = ""
    traceback: str = ""  # the user's frames only
    exit_code: int | None = None
    location: SourceLocation | None = None  # the user's line where it failed
    callers: tuple[SourceLocation, ...] = ()  # the user's frames that led there, innermost first
    @property
    def ok(self) -> bool:
        """True when the source was captured as a whole (clean exit or a planned stop)."""
        return self.status in (OutcomeStatus.COMPLETED, OutcomeStatus.STOPPED)


@dataclass(frozen=True)
class FunctionTrace:
    """What a TF2 graph is: one trace of a ``tf.function``."""

    name: str  # the Python function's qualified name ("train_step", "Model.call")
    library_name: str  # TensorFlow's name of the trace ("__inference_train_step_42")
    trace: int  # 1 for the function's first trace, 2 for the next, ...
    source: SourceLocation | None = None  # the ``def`` line
    signature: str = ""  # "ids: int32 (4,), n: 3"
    reason: str | None = None  # why it was traced again ("n is a Python value: 3 (was 2)")
    function: int = 0  # which tf.function object (traces of one function share it)
    side_effects: tuple[tuple[int, str], ...] = ()  # (line, "print(...)"): Python that runs only while tracing


@dataclass(frozen=True, eq=False)
class GraphCapture:
    """One ``tf.Graph`` with what only the live graph could tell."""

    id: int
    graph_def: GraphDef = field(repr=False)  # None with `wire`: parsed from it on first use (a property below)
    sources: Mapping[str, SourceLocation] = field(default_factory=dict)
    variables: tuple[VariableInfo, ...] = ()
    collections: Mapping[str, tuple[CollectionMember, ...]] = field(default_factory=dict)
    variable_calls: tuple[VariableCall, ...] = ()
    gradients: tuple[GradientCall, ...] = ()  # the optimizers' apply_gradients calls (None: not recorded)
    seed: int | None = None  # the graph-level seed (tf.set_random_seed) when the script ended; None: unset/unknown
    wire: bytes | None = field(default=None, repr=False, compare=False)  # the serialized GraphDef, when read as one
    wire_origin: str = field(default="", repr=False, compare=False)  # where `wire` came from, for messages
    function: FunctionTrace | None = None  # a TF2 trace: which function; None for a tf.Graph

    @property
    def op_count(self) -> int:
        return len(self.graph_def.node)


class GraphDefSource:
    """A GraphDef, or its serialized bytes parsed on first use.

    A GraphCapture and its GraphIndex share one, so the parse happens once, and the index holds no
    reference to the capture (the index cache is keyed weakly by the capture).
    """

    __slots__ = ("_graph_def", "wire", "origin")

    def __init__(self, graph_def=None, wire: bytes | None = None, origin: str = "") -> None:
        self._graph_def, self.wire, self.origin = graph_def, wire, origin

    @property
    def graph_def(self):
        if self._graph_def is None and self.wire is not None:
            # Commands that only need names and edges (subgraph, summary) read the node columns and never
            # pay for the full parse of a large GraphDef.
            from tfinspect.core.errors import SourceError
            from tfinspect.record.layout import graph_def_from_bytes

            try:
                self._graph_def = graph_def_from_bytes(self.wire, self.origin)
            except (RecursionError, MemoryError) as e:  # crafted nesting or sizes: still one clear error
                raise SourceError(f"{self.origin}: too large or too deeply nested to read ({type(e).__name__})") \
                    from None
        return self._graph_def


def graph_def_source(graph: GraphCapture) -> GraphDefSource:
    """The GraphDefSource behind ``graph.graph_def``."""
    source = graph.__dict__.get("_source")
    if source is None:
        source = graph.__dict__["_source"] = GraphDefSource(None, graph.wire, graph.wire_origin or f"graph {graph.id}")
    return source


def _graph_def(graph: GraphCapture) -> GraphDef:
    return graph_def_source(graph).graph_def


def _set_graph_def(graph: GraphCapture, value) -> None:
    # Called by the dataclass __init__, before `wire` is set: with None, graph_def_source() makes the
    # source from `wire` on first use.
    graph.__dict__["_source"] = GraphDefSource(value) if value is not None else None


GraphCapture.graph_def = property(_graph_def, _set_graph_def, doc="The GraphDef (parsed from `wire` on first use).")


class FeedValues:
    """Fed arrays, loaded on demand: they can be large and most reports never need them."""

    def __init__(self, directory: str | None = None, arrays: Mapping[int, Mapping[str, Any]] | None = None):
        self._directory = directory
        self._arrays: dict[int, dict[str, Any]] = {k: dict(v) for k, v in (arrays or {}).items()}

    def for_run(self, index: int) -> Mapping[str, np.ndarray]:
        """The arrays fed to run ``index`` (tensor name -> array); empty when not kept."""
        if index not in self._arrays and self._directory:
            from tfinspect.record.layout import feed_file, load_arrays, unescape_feed_key

            path = os.path.join(self._directory, feed_file(index))
            if os.path.isfile(path):
                self._arrays[index] = {unescape_feed_key(k): v for k, v in load_arrays(path).items()}
        return self._arrays.get(index, {})


@dataclass(frozen=True)
class DatasetSample:
    """What iterating one dataset (the one an initializable iterator is made from) yielded."""

    graph: int
    make_iterator: str
    iterator: str  # the iterator op IteratorGetNext reads from
    elements: int
    complete: bool  # the dataset ended before the element limit
    error: str | None = None
    file: str | None = None  # integer components, by output index "c0", "c1", ...
    unfed: str | None = None  # why it could not be iterated outside the script (an unfed placeholder, variables)
    python: str | None = None  # the stage that calls Python: not iterated again; `elements` are what the script read


@dataclass(frozen=True, eq=False)
class Capture:
    """Everything tfinspect knows about one source."""

    source: str
    origin: str  # "script" | "lecture" | "live" | a file kind
    graphs: tuple[GraphCapture, ...]
    runs: tuple[RunRecord, ...] = ()
    outcome: Outcome = Outcome(OutcomeStatus.COMPLETED)
    tf_version: str | None = None
    tf1_mode: bool | None = None
    feed_values: FeedValues = field(default_factory=FeedValues)
    datasets: tuple[DatasetSample, ...] = ()
    directory: str | None = None  # where the child wrote it (fed arrays, dataset samples)
    saved: str | None = None  # the .tfinspect file it was read from (a capture made earlier)
    signatures: tuple[Signature, ...] = ()  # a SavedModel's or MetaGraph's signatures
    gpus: int | None = None  # GPUs TensorFlow saw on the machine that ran the script (None: not known)

    def run_metadata(self, run: RunRecord) -> bytes | None:
        """The serialized RunMetadata (step stats, partition graphs) TensorFlow returned for ``run``, if kept."""
        if not run.metadata_kept or not self.directory:
            return None
        try:
            from tfinspect.record.layout import run_metadata_file

            with open(os.path.join(self.directory, run_metadata_file(run.index)), "rb") as f:
                return f.read()
        except OSError:
            return None

    def dataset_values(self, sample: DatasetSample, component: int):
        """The integer values one dataset component yielded (flattened), or None."""
        if not sample.file or not self.directory:
            return None
        from tfinspect.record.layout import DATASETS, load_arrays, member_path

        arrays = load_arrays(member_path(os.path.join(self.directory, DATASETS), sample.file, "a dataset sample"))
        return arrays.get(f"c{component}")

    def graph(self, graph_id: int) -> GraphCapture:
        for g in self.graphs:
            if g.id == graph_id:
                return g
        raise KeyError(graph_id)
