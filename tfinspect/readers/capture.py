"""Captures saved with ``--save FILE`` (a zip of a capture directory), and saving them."""

from __future__ import annotations

import dataclasses
import os
import zipfile

from tfinspect.core.errors import SourceError
from tfinspect.record.model import Capture


def save_capture(directory: str, path: str, *, replace: bool = False) -> None:
    """Pack a capture directory into one file (a zip), atomically, through a temporary file of a unique
    name; without ``replace`` an existing ``path`` is never overwritten (FileExistsError)."""
    from tfinspect.core.fileio import write_atomic_with

    def pack(file) -> None:
        with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for root, _, files in os.walk(directory):
                for name in files:
                    if name.startswith(".tmp-"):
                        continue
                    full = os.path.join(root, name)
                    archive.write(full, os.path.relpath(full, directory))

    write_atomic_with(path, pack, replace=replace)


SAVED_CAPTURE_LIMIT = 4 << 30  # what a saved capture may unpack to (a zip bomb is refused before any work)


def load_saved_capture(path: str) -> Capture:
    from tfinspect.record.layout import METADATA
    from tfinspect.record.reader import read_capture_dir

    try:
        with zipfile.ZipFile(path) as archive:
            if METADATA not in archive.namelist():
                raise SourceError(f"{path}: a zip file, but not a tfinspect capture (no {METADATA})")
            members = archive.infolist()
            declared = sum(m.file_size for m in members)
            packed = os.path.getsize(path)
            if declared > SAVED_CAPTURE_LIMIT or len(members) > 100_000 or \
                    (declared > 256 << 20 and declared > 100 * packed):  # a zip bomb
                raise SourceError(f"{path}: the archive unpacks to {declared} bytes in {len(members)} files, "
                                  f"from {packed} bytes: not a capture tfinspect wrote (at most "
                                  f"{SAVED_CAPTURE_LIMIT >> 30} GiB, compressed at most 100 to 1)")
            from tfinspect.core.fileio import temporary_folder

            directory = temporary_folder("saved")
            for info in members:  # zipfile stops each member at its declared size and checks its CRC
                if info.is_dir() or info.filename.startswith("/") or ".." in info.filename.split("/"):
                    continue
                archive.extract(info, directory)
    except zipfile.BadZipFile:
        raise SourceError(f"{path}: not a saved tfinspect capture (a damaged or truncated zip)") from None
    try:
        return dataclasses.replace(read_capture_dir(directory), saved=path)
    except SourceError as e:  # name the file the user gave, not the temporary folder it was unpacked to
        raise SourceError(str(e).replace(directory, path)) from None
