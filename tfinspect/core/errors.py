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


class ArgumentError(UsageError):
    """A value given to a loader or an analysis is invalid.

    Analyses do not know how their caller spells an argument: ``argument`` is its name in the API
    (``run``, ``graph``, ``scope``), and ``{name}`` in the template is where it goes. The CLI phrases
    it with its flag (``--run``); the API shows the parameter name.
    """

    def __init__(self, argument: str, template: str) -> None:
        self.argument = argument
        self.template = template
        super().__init__(self.phrased(argument))

    def phrased(self, name: str) -> str:
        return self.template.replace("{name}", name)
