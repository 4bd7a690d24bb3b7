"""The command line: parse, call the library, pick a renderer, return an exit code.

Exit codes: 0 clean, 1 findings, 2 usage or load errors (and scripts that
did not run to completion), 3 an internal error (a bug in tfinspect: one
line, the traceback with ``-v`` or ``TFINSPECT_DEBUG=1``). This is the one
place that catches :class:`TfinspectError`, and the one place that turns any
other exception into exit 3, so that a crash never reads as "findings".
"""

from __future__ import annotations

from tfinspect.readers import SOURCE_HELP

import argparse
import sys
from typing import Sequence

from tfinspect.core.version import __version__
from tfinspect.record.options import AUTO_MAX_RUNS, AUTO_STEPS, DEFAULT_TIMEOUT, RunLimit
from tfinspect.core.errors import ArgumentError, TfinspectError, UsageError
from tfinspect.core.options import Tf1Mode, depth_value
from tfinspect.render.formats import ReportFormat

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
# How the CLI spells the arguments that library errors name (errors.ArgumentError).
FLAGS = {"run": "--run", "graph": "--graph", "scope": "--scope", "runs": "--runs", "cwd": "--cwd", "fetch": "--fetch",
         "feed": "--feed", "why": "--why", "script": "--script", "expand": "--expand"}

RUNS_HELP = (
    f"which Session.run calls execute: 'auto' (default: the first {AUTO_STEPS} runs of each line execute, at most "
    f"{AUTO_MAX_RUNS} in all; later runs fetching the same are skimmed: they return the line's last real result "
    "without executing, so the script reaches its end in seconds; fed ids are still checked), 'stop' (the first "
    f"{AUTO_STEPS} of each line, then stop the script), a number N (N runs, then stop; 0: build only), or 'all'"
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 with usage; keep that, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"tfinspect: error: {message}\n")


def add_capture_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("running a script")
    group.add_argument("--runs", default="auto", metavar="auto|stop|N|all", help=RUNS_HELP)
    group.add_argument("--tf1", dest="tf1", default="auto", choices=[m.value for m in Tf1Mode],
                       help="run as TF1 code, where 'import tensorflow' gives tf.compat.v1 with v2 behaviour "
                            "disabled (default: auto, detected from TF1-only names such as tf.placeholder; "
                            "a bare --tf1 means on)")
    group.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tfinspect",
        description="See and check TensorFlow graph-mode (tf.compat.v1) programs before they run for hours.",
        epilog="Script arguments go after '--': tfinspect graph train.py -- --epochs 5",
    )
    parser.add_argument("--version", action="version", version=f"tfinspect {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    graph = commands.add_parser(
        "graph", help="run a model script and show the graphs it builds and the Session.run calls it makes",
        description="Run SOURCE (a Python script) in a separate process, capture every tf.Graph it builds "
                    "and every Session.run it makes, and show scopes, variables, placeholders and runs.",
    )
    graph.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    graph.add_argument("--depth", type=depth_value, default=3, metavar="N",
                       help="name-scope levels shown in the tree (default 3; 0: no limit)")
    graph.add_argument("--unused", action="store_true",
                       help="also list the ops that no captured Session.run executes, with their source lines")
    add_format_option(graph)
    add_capture_options(graph)

    from tfinspect.commands import check, ckpt, collections, dump, lecture, schema, scopes, subgraph, summary

    subgraph.add_parser(commands, add_capture_options)
    scopes.add_parser(commands, _Options)
    collections.add_parser(commands, _Options)
    check.add_parser(commands, _Options)
    summary.add_parser(commands, _Options)
    dump.add_parser(commands, _Options)
    ckpt.add_parser(commands, _Options)
    lecture.add_parser(commands, add_capture_options, add_format_option)
    schema.add_parser(commands, _Options)
    return parser


class _Options:
    """The shared option groups, handed to command modules."""

    add_capture_options = staticmethod(add_capture_options)
    add_format_option = staticmethod(add_format_option)


def _split_script_args(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        at = argv.index("--")
        return argv[:at], argv[at + 1:]
    return argv, []


def _bare_tf1(argv: list[str]) -> list[str]:
    """``--tf1`` given as a bare flag (``graph --tf1 script.py``) means ``--tf1 on``."""
    values = {m.value for m in Tf1Mode}
    result = []
    for k, word in enumerate(argv):
        result.append(word)
        if word == "--tf1" and (k + 1 == len(argv) or argv[k + 1] not in values):
            result.append("on")
    return result


class Terminated(BaseException):
    """SIGTERM or SIGHUP reached tfinspect: unwind, so that the script's processes and temp files go too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return _main(argv)
    previous = {s: signal.signal(s, _raise_terminated) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        return _main(argv)
    except Terminated as stop:
        print(f"tfinspect: stopped by {signal.Signals(stop.signum).name}", file=sys.stderr)
        return 128 + stop.signum
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _main(argv: Sequence[str] | None) -> int:
    own, script_args = _split_script_args(list(sys.argv[1:] if argv is None else argv))
    own = _bare_tf1(own)
    parser = build_parser()
    try:  # argparse exits for --help, --version and usage errors; main returns the code instead
        args, extra = parser.parse_known_args(own)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else EXIT_ERROR
    # argparse cannot take an optional positional after an option (`collections m.py -q KEY`)
    if extra and getattr(args, "command", None) == "collections" and args.key is None \
            and len(extra) == 1 and not extra[0].startswith("-"):
        args.key, extra = extra[0], []
    if extra:
        try:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        except SystemExit as done:
            return done.code if isinstance(done.code, int) else EXIT_ERROR
    if args.command is None:
        parser.print_help()
        return EXIT_ERROR
    args.script_args = script_args
    try:
        if hasattr(args, "runs"):
            args.runs = RunLimit.parse(args.runs)
        if args.command == "graph":
            from tfinspect.commands.graph import run_graph

            return run_graph(args)
        if args.command == "subgraph":
            from tfinspect.commands.subgraph import run_subgraph

            return run_subgraph(args)
        if args.command in ("scopes", "collections", "check", "summary", "dump", "ckpt", "schema"):
            import importlib

            return importlib.import_module(f"tfinspect.commands.{args.command}").run(args)
        from tfinspect.commands.lecture import run_lecture

        return run_lecture(args)
    except ArgumentError as e:  # an analysis names the argument; the CLI names its flag
        print(f"tfinspect: error: {e.phrased(FLAGS.get(e.argument, e.argument))}", file=sys.stderr)
        return EXIT_ERROR
    except UsageError as e:
        print(f"tfinspect: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except TfinspectError as e:
        print(f"tfinspect: {e}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:  # `tfinspect graph x.py | head`
        sys.stderr.close()
        return EXIT_CLEAN
    except KeyboardInterrupt:
        print("tfinspect: interrupted", file=sys.stderr)
        return 130
    except (MemoryError, RecursionError) as e:
        print(f"tfinspect: error: {getattr(args, 'source', 'the input')}: too large or too deeply nested to "
              f"process ({type(e).__name__})", file=sys.stderr)
        return EXIT_ERROR
    except Exception as e:  # a bug in tfinspect: never a traceback by default, never the findings code
        return _internal_error(e, args)


def _internal_error(error: Exception, args: argparse.Namespace) -> int:
    import os
    import traceback

    if getattr(args, "verbose", False) or os.environ.get("TFINSPECT_DEBUG"):
        traceback.print_exception(error, file=sys.stderr)
    detail = str(error).splitlines()[0][:300] if str(error) else ""
    print(f"tfinspect: internal error: {type(error).__name__}{': ' + detail if detail else ''} "
          f"(a bug in tfinspect, not in your input; -v or TFINSPECT_DEBUG=1 shows the traceback)", file=sys.stderr)
    return EXIT_INTERNAL


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())
if __name__ == "__main__":
    main_exit()
