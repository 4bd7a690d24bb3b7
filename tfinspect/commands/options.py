"""The option groups that several commands share: running a script, and the report format."""

from __future__ import annotations

import argparse

from tfinspect.core.options import Tf1Mode, seconds_value
from tfinspect.record.options import AUTO_MAX_RUNS, AUTO_STEPS, DEFAULT_TIMEOUT
from tfinspect.render.formats import ReportFormat

RUNS_HELP = (
    f"which Session.run calls execute: 'auto' (default: the first {AUTO_STEPS} runs of each line execute, at most "
    f"{AUTO_MAX_RUNS} in all; later runs fetching the same are skimmed: they return the line's last real result "
    "without executing, so the script reaches its end in seconds; fed ids are still checked), 'stop' (the first "
    f"{AUTO_STEPS} of each line, then stop the script), a number N (N runs, then stop; 0: build only), or 'all'"
)


def add_capture_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("running a script")
    group.add_argument("--runs", default="auto", metavar="auto|stop|N|all", help=RUNS_HELP)
    group.add_argument("--tf1", dest="tf1", default="auto", choices=[m.value for m in Tf1Mode],
                       help="run as TF1 code, where 'import tensorflow' gives tf.compat.v1 with v2 behaviour "
                            "disabled (default: auto, detected from TF1-only names such as tf.placeholder; "
                            "a bare --tf1 means on)")
    group.add_argument("--timeout", type=seconds_value, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"stop a script still running after this long and report its partial graph "
                            f"(default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    group.add_argument("--cwd", metavar="DIR", help="working directory for the script (default: its own folder)")
    group.add_argument("-q", "--quiet", action="store_true", help="hide the script's own output")
    group.add_argument("-v", "--verbose", action="store_true", help="also show TensorFlow's start-up log lines (and the traceback of an internal error)")
    group.add_argument("--save", metavar="FILE", help="also save the capture (graphs, runs, source lines, fed arrays) "
                                                      "to FILE (.tfinspect), to inspect or check later without "
                                                      "TensorFlow")
    group.add_argument("--force", action="store_true", help="overwrite output files that exist")
    group.add_argument("--script", action="store_true",
                       help="run SOURCE as a Python script although its name does not end in .py (any other "
                            "file is read as data and never executed)")


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", default="text", choices=[m.value for m in ReportFormat],
                        help="text for people (default), json for programs (see docs/json.md)")
