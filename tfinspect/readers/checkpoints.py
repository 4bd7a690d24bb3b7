"""Reading checkpoints. This uses TensorFlow's own reader (``tf.train.load_checkpoint``): the bundle
format (index + data shards) has no reader outside TensorFlow, so ``tfinspect ckpt`` imports it."""

from __future__ import annotations

import contextlib
import os

from tfinspect.record.model import CheckpointEntry
from tfinspect.core.errors import SourceError


def resolve(path: str) -> str:
    """A checkpoint prefix from a prefix, an .index/.data file, or a directory with a ``checkpoint`` file."""
    if os.path.isdir(path):
        state = os.path.join(path, "checkpoint")
        if os.path.isfile(state):
            try:  # a text proto TensorFlow wrote; read a bounded amount, whatever bytes it holds
                with open(state, encoding="utf-8", errors="replace") as f:
                    lines = f.read(1 << 20).splitlines()
            except OSError as e:
                raise SourceError(f"{state}: cannot read ({e.strerror})") from None
            for line in lines:
                if line.startswith("model_checkpoint_path:"):
                    name = line.split(":", 1)[1].strip().strip('"')
                    if "\ufffd" in name or "\x00" in name:
                        raise SourceError(f"{state}: a damaged checkpoint state file (model_checkpoint_path is "
                                          "not a file name)")
                    return name if os.path.isabs(name) else os.path.join(path, name)
        indexes = sorted(f for f in os.listdir(path) if f.endswith(".index"))
        if indexes:
            return os.path.join(path, indexes[-1][: -len(".index")])
        raise SourceError(f"{path}: a directory without a checkpoint (no 'checkpoint' file, no *.index)")
    for suffix in (".index", ".meta"):
        if path.endswith(suffix):
            return path[: -len(suffix)]
    if ".data-" in path:
        return path.split(".data-")[0]
    if os.path.exists(path + ".index"):
        return path
    raise SourceError(f"{path}: no checkpoint here (expected {path}.index)")


@contextlib.contextmanager
def _quiet_fd2():
    """TensorFlow's C++ start-up lines go straight to file descriptor 2; hide them while it loads."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def read_checkpoint(path: str) -> tuple[str, list[CheckpointEntry]]:
    prefix = resolve(path)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _quiet_fd2():
        import tensorflow as tf

    try:
        reader = tf.train.load_checkpoint(prefix)
    except Exception as e:  # DataLossError, NotFoundError, ...
        message = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise SourceError(f"{path}: not a readable checkpoint ({message})") from None
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    names = _object_names(reader) if OBJECT_GRAPH in shapes else {}
    entries = [CheckpointEntry(names.get(key, key), tuple(int(d) for d in shapes[key]), dtypes[key].name,
                               key=key if key in names else "")
               for key in sorted(shapes) if not key.startswith(OBJECT_GRAPH)]
    return prefix, sorted(entries, key=lambda e: e.name)


OBJECT_GRAPH = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _object_names(reader) -> dict[str, str]:
    """A TF2 (object-based) checkpoint's keys -> the names of the variables saved under them.

    ``tf.train.Checkpoint`` keys a variable by the path of attributes that reach it
    (``model/_functional/_operations/1/_kernel/.ATTRIBUTES/VARIABLE_VALUE``); its object graph also records each
    variable's name when it was saved (``full_name``: Keras 3's owner path, ``sequential/dense/kernel``), which
    is what a script's variables are matched by.
    """
    from tensorboard.compat.proto.trackable_object_graph_pb2 import TrackableObjectGraph

    graph = TrackableObjectGraph()
    try:
        graph.ParseFromString(reader.get_tensor(OBJECT_GRAPH))
    except Exception:  # a damaged object graph: the keys stay as they are
        return {}
    names = {}
    for node in graph.nodes:
        for attribute in node.attributes:
            if attribute.full_name and attribute.checkpoint_key and attribute.name == "VARIABLE_VALUE":
                names[attribute.checkpoint_key] = attribute.full_name
    if len(set(names.values())) != len(names):  # two variables saved under one name: keys are kept
        return {}
    return names
