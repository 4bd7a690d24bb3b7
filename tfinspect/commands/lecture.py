"""``tfinspect lecture list`` and ``tfinspect lecture NAME [--train]``."""

from __future__ import annotations

import argparse
import sys

from tfinspect.commands.options import add_format_option
from tfinspect.core.errors import UsageError
from tfinspect.core.options import seconds_value
from tfinspect.lectures import DRIVER, LECTURES, find
from tfinspect.record.options import RunLimit


def add_parser(commands) -> None:
    names = ", ".join(lecture.name for lecture in LECTURES)
    parser = commands.add_parser(
        "lecture", help="build (and train) one of the lecture models and show it as 'graph' does",
        description=f"Build one lecture model and show its graph, scopes, variables and runs (the *_tf2 "
                    f"models: their traced functions and calls). NAME is 'list' or one of: {names}.",
    )
    parser.add_argument("name", metavar="NAME", help="'list', or a lecture name")
    parser.add_argument("--train", action="store_true", help="train it for real, with a progress bar")
    parser.add_argument("--data", metavar="FILE",
                        help="linreg*: a birth-rate/life-expectancy table (tab-separated, with its header); "
                             "word2vec: any text file. Default: a generated stand-in")
    parser.add_argument("--loss", choices=("squared", "huber"), default="squared", help="linreg* loss")
    parser.add_argument("--steps", type=int, metavar="N", help="epochs (linreg*) or steps (word2vec) to train")
    parser.add_argument("--checkpoints", metavar="DIR", help="word2vec: save and restore Saver checkpoints here")
    parser.add_argument("--depth", type=int, default=3, metavar="N", help="name-scope levels shown (default 3)")
    parser.add_argument("--timeout", type=seconds_value, default=0, metavar="SECONDS",
                        help="stop after this long (0: no limit)")
    parser.add_argument("-q", "--quiet", action="store_true", help="hide the model's own output")
    parser.add_argument("-v", "--verbose", action="store_true", help="also show TensorFlow's start-up log lines")
    add_format_option(parser)


def list_lectures() -> int:
    from rich.table import Table

    from tfinspect.render.theme import make_console

    table = Table(box=None, pad_edge=False)
    for column in ("name", "model", "what it shows", "twin"):
        table.add_column(column)
    for lecture in LECTURES:
        table.add_row(f"[tfi.name]{lecture.name}[/]", lecture.title, lecture.shows,
                      f"[tfi.name]{lecture.twin}[/]" if lecture.twin else "")
    make_console().print(table)
    return 0


class _ProgressBar:
    """Turns the model's progress lines into a rich progress bar on stderr."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.progress = None
        self.task = None

    def __call__(self, line: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        from tfinspect.render.theme import make_console

        from rich.markup import escape

        try:
            done, total, loss = line.split(maxsplit=2)
            done, total = int(done), int(total)
        except ValueError:  # not one of the child's progress lines (a script printing the marker): ignored
            return
        loss = escape(loss)  # dataset and op names are the user's: never rich markup
        if self.progress is None:
            self.progress = Progress(
                TextColumn("[tfi.name]{task.description}"), BarColumn(), MofNCompleteColumn(),
                TextColumn("[tfi.count]{task.fields[loss]}"), TimeRemainingColumn(),
                console=make_console(sys.stderr, width=None), transient=False,
            )
            self.progress.start()
            self.task = self.progress.add_task(escape(self.label), total=total, loss="-")
        self.progress.update(self.task, completed=done, loss=loss if not loss[:1].isdigit() else f"loss {loss}")

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()


def _check_data(name: str, path: str) -> None:
    from tfinspect.lectures.data import check_vocabulary, read_birth_life, read_words

    if name.startswith("linreg"):
        read_birth_life(path)
    elif name.startswith("word2vec"):
        check_vocabulary(path, read_words(path))


def run(args: argparse.Namespace) -> int:
    if args.name == "list":
        return list_lectures()
    lecture = find(args.name)
    if lecture is None:
        names = ", ".join(lecture.name for lecture in LECTURES)
        raise UsageError(f"no lecture named {args.name!r}; one of: {names} (or 'list')")
    if args.data is not None:
        _check_data(lecture.name, args.data)  # a bad file is one clear line now, not a traceback from the child
    argv = [lecture.name]
    if args.train:
        argv.append("--train")
    for option in ("data", "steps", "checkpoints"):
        value = getattr(args, option)
        if value is not None:
            argv += [f"--{option}", str(value)]
    argv += ["--loss", args.loss]
    from tfinspect.record.options import CaptureOptions
    from tfinspect.run.runner import run_script

    bar = _ProgressBar(f"training {lecture.name}")
    try:
        capture = run_script(DRIVER, CaptureOptions(
            argv=tuple(argv), runs=RunLimit(unlimited=True), tf1=False, timeout=args.timeout,
            quiet=args.quiet, verbose=args.verbose, origin="lecture", label=f"lecture {lecture.name}", cwd=".",
        ), progress=bar)
    finally:
        bar.close()
    from tfinspect.commands.graph import show_graph

    code = show_graph(capture, args)
    if lecture.twin and getattr(args, "format", "text") == "text" and not args.quiet:
        other = "TensorFlow 2 (tf.function, GradientTape)" if lecture.twin.endswith("_tf2") else \
            "TF1 (a graph built by hand, run in a Session)"
        print(f"its twin in {other}: tfinspect lecture {lecture.twin}", file=sys.stderr)
    return code
