"""The exception hierarchy: one root, specific subclasses.

The CLI catches :class:`TfinspectError` (and only it) and turns it into one
clear message and exit code 2.
"""

from __future__ import annotations


class TfinspectError(Exception):
    """Root of every error tfinspect raises on purpose."""


class UsageError(TfinspectError):
    """A command-line or API argument is invalid."""


class SourceError(TfinspectError):
    """A source (script, graph file, capture) cannot be read or run."""


class CaptureError(TfinspectError):
    """Running a script in the child process failed before anything was captured."""
