"""Pieces every subcommand shares: loading with the CLI's options, reporting how a script ended."""

from __future__ import annotations

import argparse
import sys

from tfinspect.load.model import Capture, OutcomeStatus
from tfinspect.options import Tf1Mode
from tfinspect.load.sources import LoadOptions, load

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def load_options(args: argparse.Namespace) -> LoadOptions:
    return LoadOptions(
        argv=tuple(args.script_args), runs=args.runs, tf1=Tf1Mode(args.tf1).as_flag(),
        timeout=args.timeout, quiet=args.quiet, verbose=args.verbose, cwd=args.cwd,
    )


def load_source(args: argparse.Namespace) -> Capture:
    return load(args.source, load_options(args))


def report_outcome(capture: Capture) -> int:
    """Tell on stderr how the script ended when it did not finish; the exit code that follows."""
    outcome = capture.outcome
    if outcome.ok:
        return EXIT_CLEAN
    if outcome.traceback:
        sys.stderr.write(outcome.traceback if outcome.traceback.endswith("\n") else outcome.traceback + "\n")
    what = {
        OutcomeStatus.ERROR: "raised an error",
        OutcomeStatus.EXIT: "exited",
        OutcomeStatus.TIMEOUT: "timed out",
        OutcomeStatus.CRASHED: "crashed",
        OutcomeStatus.MEMORY: "ran out of memory",
    }.get(outcome.status, outcome.status.value)
    graphs = len(capture.graphs)
    partial = f"; showing the partial graph{'s' if graphs > 1 else ''} it built" if graphs else "; no graph was built"
    print(f"tfinspect: {capture.source} {what}: {outcome.message}{partial}", file=sys.stderr)
    return EXIT_ERROR
