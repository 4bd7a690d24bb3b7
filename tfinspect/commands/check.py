"""``tfinspect check SOURCE``: pre-flight checks for CI, with stable codes and exit codes."""

from __future__ import annotations

import argparse
import json
import sys

from tfinspect.load.files import SOURCE_HELP
from tfinspect.render.formats import CheckFormat, choices
from tfinspect.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, load_source, report_outcome



def add_parser(commands, options) -> None:
    parser = commands.add_parser(
        "check", help="pre-flight checks (TFI codes) before an expensive run; exit 1 on errors",
        description="Run the checks (embedding index bounds, ...) on SOURCE and report findings with stable "
                    "TFI codes (docs/checks.md). A script is stopped before any Session.run whose fed ids are out "
                    "of range, so TensorFlow never executes it. Exit 0 when no error-level finding, 1 when there "
                    "is one, 2 for usage errors, unreadable sources and scripts that fail.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("--select", metavar="CODES", help="only these codes or prefixes, comma-separated (TFI001,TFI00)")
    parser.add_argument("--ignore", metavar="CODES", help="leave out these codes or prefixes")
    parser.add_argument("--no-config", action="store_true",
                        help="ignore [tool.tfinspect] in pyproject.toml (select, ignore, severity); the nearest "
                             "pyproject.toml above SOURCE is read otherwise. A '# tfinspect: ignore[TFI0xx]' "
                             "comment on a finding's line silences that code there")
    parser.add_argument("--max-elements", type=int, default=10_000, metavar="N",
                        help="iterate each tf.data dataset up to N elements to check the ids it yields "
                             "(default 10000; 0: do not iterate)")
    parser.add_argument("--format", default="text", choices=choices("check"),
                        help="text (default), json (a list of findings), sarif (2.1.0, for code scanning) "
                             "or github (workflow annotations)")
    options.add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.checks import has_errors, run_checks
    from tfinspect.checks.registry import needed, selected
    from tfinspect.checks.suppress import apply

    config = _config(args)
    select = args.select if args.select is not None else ",".join(config.select) or None
    ignore = args.ignore if args.ignore is not None else ",".join(config.ignore) or None
    checks = selected(select, ignore)  # validate codes before spending seconds on a capture
    from tfinspect.commands.lecture import _ProgressBar

    bar = _ProgressBar("iterating datasets")
    try:
        # What the selected checks need: the run-time guard checks fed arrays as the script runs; datasets
        # are iterated up to --max-elements.
        needs = needed(checks)
        capture = load_source(args, progress=bar, guard="feeds" in needs,
                              datasets=max(0, args.max_elements) if "datasets" in needs else 0)
    finally:
        bar.close()
    findings = apply(run_checks(capture, select=select, ignore=ignore), config)
    explained = has_errors(findings)  # the script's failure is what an error finding reports
    RENDERERS[CheckFormat(args.format)](findings, checks, capture)
    failed = report_outcome(capture, traceback=not explained, shown="checked the graph") == EXIT_ERROR
    _note_stop(capture)
    if explained:
        return EXIT_FINDINGS  # a script that failed because of what the findings report is a finding
    return EXIT_ERROR if failed else EXIT_CLEAN


def _config(args):
    """``[tool.tfinspect]`` of the nearest pyproject.toml above SOURCE (none with --no-config)."""
    from tfinspect.config import CheckConfig, find_pyproject, load_config

    if args.no_config:
        return CheckConfig()
    path = find_pyproject(args.source)
    return load_config(path) if path else CheckConfig()


def _json(findings, checks, capture) -> None:
    from tfinspect.render.findings import finding_json

    json.dump([finding_json(f) for f in findings], sys.stdout, indent=2)
    sys.stdout.write("\n")


def _sarif(findings, checks, capture) -> None:
    from tfinspect.render.findings import sarif

    json.dump(sarif(findings, checks), sys.stdout, indent=2)
    sys.stdout.write("\n")


def _github(findings, checks, capture) -> None:
    from tfinspect.render.findings import github

    sys.stdout.write(github(findings))


def _text(findings, checks, capture) -> None:
    from tfinspect.render.findings import findings_view
    from tfinspect.render.subgraph import print_renderable

    print_renderable(findings_view(findings, capture.source, checked=_what_was_checked(capture)))


# Each --format and what prints it: (findings, the checks that ran, the capture) -> None.
RENDERERS = {CheckFormat.TEXT: _text, CheckFormat.JSON: _json, CheckFormat.SARIF: _sarif, CheckFormat.GITHUB: _github}


def _what_was_checked(capture) -> str | None:
    """For a script that did not finish: what the (empty) findings cover; None when it finished."""
    if capture.outcome.ok:
        return None
    if not capture.graphs:
        return "not checked: the script failed before it built a graph"
    return "no findings in what the script built before it failed"


def _note_stop(capture) -> None:
    """Say so when the run limit (not a finding) ended the script: what came after it was never checked."""
    from tfinspect.load.model import OutcomeStatus, RunStatus

    if capture.outcome.status is not OutcomeStatus.STOPPED:
        return
    stop = next((r for r in capture.runs if r.status is RunStatus.STOPPED), None)
    if stop is None:
        return
    where = f" at {stop.source.file.rsplit('/', 1)[-1]}:{stop.source.line}" if stop.source else ""
    if stop.error:  # stopped by the guard or a static check: a finding says why
        reason = stop.error.removeprefix("not executed: ")
        print(f"tfinspect: note: TensorFlow did not execute run #{stop.index}{where} ({reason}); the script "
              "stopped there, and code after it was not checked", file=sys.stderr)
        return
    why = stop.stop_reason or "the run limit was reached"
    print(f"tfinspect: note: the script was stopped at run #{stop.index}{where} ({why}); code after it did not "
          "run and was not checked (--runs all checks the whole script)", file=sys.stderr)
