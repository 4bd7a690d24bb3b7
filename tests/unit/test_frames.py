from __future__ import annotations

import os

import numpy
import tfinspect
from tfinspect.runtime.frames import innermost_user_frame, is_user_file


def test_user_files_and_not():
    assert is_user_file("/home/me/model.py")
    assert not is_user_file(numpy.__file__)
    assert not is_user_file(os.__file__)  # the standard library
    assert not is_user_file("<frozen runpy>")
    assert not is_user_file(os.path.join(os.path.dirname(tfinspect.__file__), "load", "hooks.py"))
    assert is_user_file(os.path.join(os.path.dirname(tfinspect.__file__), "lectures", "linreg.py"))


def test_innermost_user_frame():
    frames = [("/home/me/main.py", 10, "<module>"), ("/home/me/lib.py", 4, "build"),
              (os.__file__, 1, "inner")]
    assert innermost_user_frame(frames) == ("/home/me/lib.py", 4, "build")
    assert innermost_user_frame([(os.__file__, 1, "x")]) is None
