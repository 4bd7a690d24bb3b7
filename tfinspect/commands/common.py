"""Pieces every subcommand shares: loading with the CLI's options, reporting how a script ended."""

from __future__ import annotations

import argparse
import sys

from tfinspect.record.model import Capture, OutcomeStatus, RunStatus
from tfinspect.core.options import Tf1Mode
from tfinspect.record.options import CaptureOptions
from tfinspect.run.sources import load

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def load_options(args: argparse.Namespace) -> CaptureOptions:
    """The capture options a command's arguments give: every CaptureOptions field that has a flag of the same
    name (``--memory-limit`` is ``memory_limit``), so a new capture option is its field, its flag and its use."""
    from dataclasses import fields

    given = {f.name: getattr(args, f.name) for f in fields(CaptureOptions)
             if f.name not in ("argv", "tf1") and hasattr(args, f.name)}
    return CaptureOptions(argv=tuple(args.script_args), tf1=Tf1Mode(args.tf1).as_flag(), **given)


class _ConsoleWriter:
    """A file-like object printing through a rich console, so a live spinner stays below the text."""

    def __init__(self, console) -> None:
        self.console = console

    def write(self, text: str) -> int:
        self.console.print(text, end="", markup=False, highlight=False, soft_wrap=True)
        return len(text)

    def flush(self) -> None:
        self.console.file.flush()


def load_source(args: argparse.Namespace, progress=None, **overrides) -> Capture:
    """Load ``args.source`` (and ``--save`` it). Every output the arguments name is checked first."""
    from tfinspect.commands.output import check_outputs
    from tfinspect.core.errors import UsageError

    check_outputs(args)
    if getattr(args, "save", None) and not args.source.endswith(".py") and not getattr(args, "script", False):
        raise UsageError("--save saves what a script run captured; this source is a file already")
    capture = _load(args, progress, **overrides)
    if getattr(args, "save", None):
        from tfinspect.readers.capture import save_capture

        if capture.directory is None:
            raise UsageError("--save saves what a script run captured; this source is a file already")
        try:
            save_capture(capture.directory, args.save, replace=args.force)
        except FileExistsError:
            raise UsageError(f"--save {args.save} appeared while the script ran (another run?); add --force "
                             "to overwrite it") from None
    return capture


def _load(args: argparse.Namespace, progress=None, **overrides) -> Capture:
    """On a terminal, with a spinner while the script runs (unless a progress bar shows instead)."""
    from dataclasses import replace

    options = replace(load_options(args), **overrides)
    if not sys.stderr.isatty() or progress is not None:
        return load(args.source, options, progress=progress)
    from tfinspect.render.theme import make_console

    console = make_console(sys.stderr)
    from rich.markup import escape

    with console.status(f"running {escape(args.source)} (TensorFlow takes a few seconds to start)…"):
        return load(args.source, options, output=_ConsoleWriter(console))


def report_outcome(capture: Capture, *, traceback: bool = True, shown: str = "showing the partial graph",
                   stop_noted: bool = False) -> int:
    """Tell on stderr how the script ended when it did not finish; the exit code that follows.

    ``traceback=False`` leaves out the script's traceback (when a finding already explains the failure);
    ``shown`` says what the report covers (``check``: what it checked).
    """
    outcome = capture.outcome
    if outcome.status is OutcomeStatus.STOPPED:
        stop = next((r for r in capture.runs if r.status is RunStatus.STOPPED and r.error), None)
        if stop is not None:  # not executed because it would have failed: never a clean exit
            if not stop_noted:
                where = f" at {stop.source.short()}" if stop.source else ""
                print(f"tfinspect: {capture.source}: {stop.noun} #{stop.index}{where} would fail ({stop.error}); "
                      f"the script was stopped there, as that {stop.noun} would have stopped it", file=sys.stderr)
            return EXIT_ERROR
    if outcome.ok:
        return EXIT_CLEAN
    if outcome.traceback and traceback and not capture.saved:  # a saved capture's was shown when it was made
        sys.stderr.write(outcome.traceback if outcome.traceback.endswith("\n") else outcome.traceback + "\n")
    what = {
        OutcomeStatus.ERROR: "raised an error",
        OutcomeStatus.EXIT: "exited",
        OutcomeStatus.TIMEOUT: "timed out",
        OutcomeStatus.CRASHED: "crashed",
        OutcomeStatus.MEMORY: "ran out of memory",
    }.get(outcome.status, outcome.status.value)
    graphs = len(capture.graphs)
    partial = f"; {shown}{'s' if graphs > 1 else ''} it built" if graphs else "; no graph was built"
    print(f"tfinspect: {capture.source} {what}: {outcome.message}{partial}", file=sys.stderr)
    from tfinspect.analyses.migration import hints_for

    for hint in hints_for(f"{outcome.message}\n{outcome.traceback}"):
        print(f"tfinspect: hint: {hint}", file=sys.stderr)
    return EXIT_ERROR


def _print_json(document) -> None:
    from tfinspect.render.json import dump

    dump(document(), sys.stdout)


def _print_view(view) -> None:
    from tfinspect.render.theme import make_console

    make_console().print(view())


def emit(args: argparse.Namespace, document, view) -> None:
    """Print a text/json report (render.formats.ReportFormat): ``document()`` as JSON, or the rich
    renderable ``view()``. Both are callables, so only the chosen output is built."""
    from tfinspect.render.formats import ReportFormat

    renderers = {ReportFormat.JSON: lambda: _print_json(document), ReportFormat.TEXT: lambda: _print_view(view)}
    renderers[ReportFormat(getattr(args, "format", "text"))]()
