"""Which stack frames are the user's: the innermost frame outside TensorFlow and tfinspect.

Imported by the child process and by ``capture_graph``; it never imports
TensorFlow itself, it only looks where TensorFlow's packages live.
"""

from __future__ import annotations

import importlib.util
import os
import sysconfig
from functools import lru_cache
from typing import Iterable

_TF_PACKAGES = ("tensorflow", "tensorflow.python", "keras", "tf_keras", "tensorboard", "absl", "google", "numpy", "tensorflow_estimator")
_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the tfinspect package
_LECTURES = os.path.join(_HERE, "lectures") + os.sep


@lru_cache(maxsize=1)
def _internal_prefixes() -> tuple[str, ...]:
    """Where TensorFlow and its kin live; call once before ``tensorflow`` is aliased."""
    prefixes = [_HERE + os.sep]
    for name in _TF_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        for location in spec.submodule_search_locations or ():
            location = os.path.abspath(location)
            if name == "tensorflow.python":
                location = os.path.dirname(location)
            prefixes.append(location + os.sep)
    return tuple(prefixes)


@lru_cache(maxsize=1)
def _stdlib_dirs() -> tuple[str, tuple[str, ...]]:
    paths = sysconfig.get_paths()
    stdlib = os.path.abspath(paths["stdlib"]) + os.sep
    site = tuple({os.path.abspath(paths[k]) + os.sep for k in ("purelib", "platlib")})
    return stdlib, site


@lru_cache(maxsize=4096)
def is_user_file(filename: str) -> bool:
    """True for a file that is neither TensorFlow's, tfinspect's machinery nor the stdlib's.

    tfinspect's own lecture builders count as user code: they are the models
    ``tfinspect lecture`` shows, and their lines are what a teacher wants to see.
    """
    if not filename or filename.startswith("<") or os.path.basename(filename).startswith("__autograph_generated"):
        return False  # autograph's rewrite of a tf.function lives in a temporary file: the user's line is mapped
    path = os.path.abspath(filename)
    if path.startswith(_LECTURES):
        return True
    if path.startswith(_internal_prefixes()):
        return False
    stdlib, site = _stdlib_dirs()
    if path.startswith(stdlib) and not path.startswith(site):
        return False
    return True


def warm_up() -> None:
    """Resolve package locations now, while ``import tensorflow`` still means TensorFlow."""
    _internal_prefixes()
    _stdlib_dirs()


# TensorFlow's own variable-creation machinery: frames in these places stand between a user's
# tf.Variable / tf.get_variable call and the variable op, and say nothing about who asked for it.
_MACHINERY_DIRS = tuple(os.sep + os.path.join("tensorflow", "python", d) + os.sep
                        for d in ("framework", "util", "eager", "types", "trackable", "checkpoint"))
_MACHINERY_OPS = frozenset({"variable_scope.py", "variables.py", "variable_v1.py", "ref_variable.py",
                            "resource_variable_ops.py", "state_ops.py", "resource_variables_toggle.py"})
_OPS_DIR = os.sep + os.path.join("tensorflow", "python", "ops") + os.sep


def _is_machinery(filename: str) -> bool:
    path = os.path.abspath(filename)
    if path.startswith(_HERE + os.sep) and not path.startswith(_LECTURES):
        return True  # tfinspect's own hooks
    if any(d in path for d in _MACHINERY_DIRS):
        return True
    if _OPS_DIR in path:
        base = os.path.basename(path)
        return base in _MACHINERY_OPS or base.startswith("gen_")
    return False


def made_on_behalf(frame) -> str | None:
    """Who made a variable for the user, from the live stack at its creation (innermost ``frame``).

    None when the user's own code called ``tf.Variable`` / ``tf.get_variable``
    (only TensorFlow's variable machinery lies in between). Otherwise the
    library object or function that made it: the class of the innermost
    TensorFlow/Keras frame that has a ``self`` (``AdamOptimizer``,
    ``ExponentialMovingAverage``, ``LSTMCell``, ``Dense``), else the
    outermost such function the user called (``get_or_create_global_step``).
    """
    behalf = []
    while frame is not None:
        filename = frame.f_code.co_filename
        if is_user_file(filename):
            break
        if not _is_machinery(filename):
            behalf.append(frame)
        frame = frame.f_back
    if not behalf:
        return None
    for f in behalf:
        owner = f.f_locals.get("self")
        if owner is not None and not isinstance(owner, (int, float, str, bytes, list, dict, tuple)):
            return type(owner).__name__
    return behalf[-1].f_code.co_name


def user_frames(frame, limit: int | None = None) -> list[tuple[str, int, str]]:
    """The user's frames of a live stack, from ``frame`` outwards (innermost first)."""
    found = []
    while frame is not None and (limit is None or len(found) < limit):
        code = frame.f_code
        if is_user_file(code.co_filename):
            found.append((os.path.abspath(code.co_filename), frame.f_lineno, code.co_name))
        frame = frame.f_back
    return found


def innermost_user_frame(frames: Iterable[tuple[str, int, str]]) -> tuple[str, int, str] | None:
    """The last (innermost) ``(file, line, function)`` that belongs to the user.

    Args:
        frames: outermost first, as ``traceback.extract_stack`` and TensorFlow's
            op tracebacks give them.
    """
    found = None
    for filename, line, function in frames:
        if is_user_file(filename):
            found = (os.path.abspath(filename), line, function)
    return found


def _frames(stack) -> list[tuple[str, int, str]]:
    """Convert TensorFlow's C++ stack frames, skipping any it cannot convert.

    TensorFlow raises RuntimeError for frames whose strings it lost (seen with
    frames of ``python -c`` code), which must not cost the whole graph.
    """
    result = []
    for index in range(len(stack)):
        try:
            frame = stack[index]
            result.append((frame.filename, frame.lineno, frame.name))
        except (RuntimeError, ValueError, IndexError):
            continue
    return result


def traced_call_site() -> tuple[str, int, str] | None:
    """The user's innermost line now, with a tf.function's autograph rewrite mapped back to the user's source
    (TensorFlow's own stack extraction applies the source map autograph registers while it traces)."""
    try:
        from tensorflow.python.util import tf_stack

        return innermost_user_frame(_frames(tf_stack.extract_stack()))
    except Exception:  # an older TensorFlow
        return None


def op_frame(op) -> tuple[str, int, str] | None:
    """The user's line that created ``op`` (None when TensorFlow kept no traceback)."""
    try:
        stack = op.traceback
    except Exception:  # ops imported from a GraphDef have no traceback
        return None
    return innermost_user_frame(_frames(stack))
