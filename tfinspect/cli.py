"""The command line: parse, call the library, pick a renderer, return an exit code.

Exit codes: 0 clean, 1 findings, 2 usage or load errors (and scripts that
did not run to completion), 3 an internal error (a bug in tfinspect: one
line, the traceback with ``-v`` or ``TFINSPECT_DEBUG=1``). This is the one
place that catches :class:`TfinspectError`, and the one place that turns any
other exception into exit 3, so that a crash never reads as "findings".
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from tfinspect.core.errors import ArgumentError, TfinspectError, UsageError
from tfinspect.core.options import Tf1Mode
from tfinspect.core.version import __version__
from tfinspect.record.options import RunLimit

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
# The commands, in the order --help lists them: each is tfinspect/commands/<name>.py with add_parser(commands)
# and run(args) -> exit code.
COMMANDS = ("graph", "subgraph", "scopes", "collections", "check", "diff", "summary", "dump", "ckpt", "lecture",
            "schema")
# How the CLI spells the arguments that library errors name (errors.ArgumentError).
FLAGS = {"run": "--run", "graph": "--graph", "scope": "--scope", "runs": "--runs", "cwd": "--cwd", "fetch": "--fetch",
         "feed": "--feed", "why": "--why", "script": "--script", "expand": "--expand"}

class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 with usage; keep that, with our prefix
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"tfinspect: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tfinspect",
        description="See and check TensorFlow graph-mode (tf.compat.v1) programs before they run for hours.",
        epilog="Script arguments go after '--': tfinspect graph train.py -- --epochs 5",
    )
    parser.add_argument("--version", action="version", version=f"tfinspect {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:  # each module adds its parser: add_parser(commands)
        importlib.import_module(f"tfinspect.commands.{name}").add_parser(commands)
    return parser


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

    from tfinspect.core import safeio

    streams = safeio.install()  # no control character and no line starting '::' from any name, in any output
    try:
        if threading.current_thread() is not threading.main_thread():
            return _main(argv)
        return _main_with_signals(argv)
    finally:
        safeio.restore(streams)


def _main_with_signals(argv: Sequence[str] | None) -> int:
    import signal

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
        return importlib.import_module(f"tfinspect.commands.{args.command}").run(args)
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
