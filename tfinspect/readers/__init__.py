"""Graph files in, without importing TensorFlow: one reader per format, and the table that picks one.

Parsing uses the protobuf classes that the ``tensorboard`` package ships in
``tensorboard.compat.proto`` (the same wire format as TensorFlow's own).
Every file is untrusted data: whatever goes wrong while reading one is one
SourceError naming it (``load_graph_file``), never a traceback.

A new format is one module here with a ``load(path) -> Capture`` function,
plus one ``Reader`` entry in READERS; the help text of every SOURCE argument
and the "not a file tfinspect reads" message are generated from the table.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import Callable

from tfinspect.core.errors import SourceError
from tfinspect.readers.common import damaged
from tfinspect.record.model import Capture

CAPTURE_SUFFIX = ".tfinspect"


def _is_saved_model(path: str) -> bool:
    return os.path.isdir(path) and os.path.exists(os.path.join(path, "saved_model.pb"))


def _is_events(path: str) -> bool:
    return os.path.isdir(path) and not _is_saved_model(path) or "tfevents" in os.path.basename(path.rstrip("/"))


def _is_saved_capture(path: str) -> bool:
    return path.endswith(CAPTURE_SUFFIX) or (os.path.isfile(path) and zipfile.is_zipfile(path))


def _load_graph_def(path: str) -> Capture:
    from tfinspect.readers.graphdef import load_graph_def

    return load_graph_def(path)


def _load_meta_graph(path: str) -> Capture:
    from tfinspect.readers.metagraph import load_meta_graph

    return load_meta_graph(path)


def _load_saved_model(path: str) -> Capture:
    from tfinspect.readers.savedmodel import load_saved_model

    return load_saved_model(path)


def _load_events(path: str) -> Capture:
    from tfinspect.readers.events import load_events

    return load_events(path)


def _load_saved_capture(path: str) -> Capture:
    from tfinspect.readers.capture import load_saved_capture

    return load_saved_capture(path)


@dataclass(frozen=True)
class Reader:
    """One graph file format: how to recognise it by its name and how to read it."""

    name: str  # as the help text names it
    described: str  # as an error message names it
    suffixes: tuple[str, ...]  # names that are this format; empty when ``recognise`` decides alone
    load: Callable[[str], Capture]
    recognise: Callable[[str], bool] | None = None  # beyond the suffixes (a directory, a zip)

    def reads(self, path: str) -> bool:
        return path.endswith(self.suffixes) or (self.recognise is not None and self.recognise(path))


# First match wins: the order matters where a file could be two things (a directory is a SavedModel when it
# holds saved_model.pb, else a log directory; any zip is tried as a saved capture, not as a GraphDef).
READERS = (
    Reader("SavedModel dir", "a SavedModel directory", (), _load_saved_model, _is_saved_model),
    Reader("events", "an event file or log directory", (), _load_events, _is_events),
    Reader(".meta", ".meta", (".meta",), _load_meta_graph),
    Reader(".tfinspect", "a .tfinspect capture", (CAPTURE_SUFFIX,), _load_saved_capture, _is_saved_capture),
    Reader(".pb", ".pb", (".pb", ".graphdef"), _load_graph_def),
    Reader(".pbtxt", ".pbtxt", (".pbtxt",), _load_graph_def),
)
_SHOWN = sorted(READERS, key=lambda r: (not r.suffixes, r.name == ".tfinspect"))  # plain file names first

# The help of every SOURCE argument, and what a source that is neither a script nor a graph file is told.
SOURCE_HELP = "a model script (.py) or a graph file (" + ", ".join(r.name for r in _SHOWN) + ")"
KNOWN_FILES = ", ".join(r.described for r in _SHOWN)


def is_graph_file(path: str) -> bool:
    """Whether ``path``'s name (or, for a directory, its kind) is one a reader takes."""
    name = path.rstrip("/")
    return any(r.suffixes and name.endswith(r.suffixes) for r in READERS) or "tfevents" in os.path.basename(name) \
        or os.path.isdir(path)


def load_graph_file(path: str) -> Capture:
    """Read any graph file the table knows, by what it is.

    Every file is untrusted data: whatever goes wrong while reading it (a damaged record, a crafted
    archive, nesting that exhausts the parser) is one SourceError naming the file, never a traceback.
    """
    reader = next((r for r in READERS if r.reads(path)), READERS[-2])  # unknown names: try a binary GraphDef
    try:
        return reader.load(path)
    except SourceError:
        raise
    except (MemoryError, RecursionError) as e:
        raise SourceError(f"{path}: too large or too deeply nested to read ({type(e).__name__})") from None
    except Exception as e:
        raise SourceError(damaged(path, e)) from None
