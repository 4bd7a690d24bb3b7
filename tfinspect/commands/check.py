"""``tfinspect check SOURCE [SOURCE ...]``: pre-flight checks for CI, with stable codes and exit codes.

Several sources (a pre-commit hook passes every changed file) give one report, one exit code, one SARIF
run.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass

from tfinspect.readers import SOURCE_HELP
from tfinspect.render.formats import CheckFormat, choices
from tfinspect.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, load_source, report_outcome
from tfinspect.commands.options import add_capture_options



def add_parser(commands) -> None:
    parser = commands.add_parser(
        "check", help="pre-flight checks (TFI codes) before an expensive run; exit 1 on errors",
        description="Run the checks (embedding index bounds, ...) on each SOURCE and report findings with stable "
                    "TFI codes (docs/checks.md). A script is stopped before any Session.run whose fed ids are out "
                    "of range, so TensorFlow never executes it. Exit 0 when no error-level finding, 1 when there "
                    "is one, 2 for usage errors, unreadable sources and scripts that fail. Several sources give "
                    "one report and one exit code.",
    )
    parser.add_argument("sources", metavar="SOURCE", nargs="+", help=SOURCE_HELP + "; one or more")
    parser.add_argument("--select", metavar="CODES", help="only these codes or prefixes, comma-separated (TFI001,TFI00)")
    parser.add_argument("--ignore", metavar="CODES", help="leave out these codes or prefixes")
    parser.add_argument("--no-config", action="store_true",
                        help="ignore [tool.tfinspect] in pyproject.toml (select, ignore, severity); the nearest "
                             "pyproject.toml above SOURCE is read otherwise. A '# tfinspect: ignore[TFI0xx]' "
                             "comment on a finding's line silences that code there")
    parser.add_argument("--strict", action="store_true", default=None,
                        help="exit 2 when any part of any source was not checked (a script that failed or was "
                             "stopped before its end, one that built no graph); also 'strict = true' in "
                             "[tool.tfinspect]")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                        help="the lowest severity that gives exit 1 (default: error; also 'fail-on' in "
                             "[tool.tfinspect])")
    parser.add_argument("--max-elements", type=int, default=10_000, metavar="N",
                        help="iterate each tf.data dataset up to N elements to check the ids it yields "
                             "(default 10000; 0: do not iterate). A pipeline that calls Python (from_generator, "
                             "py_func) is never iterated again: each element the script reads is checked instead")
    parser.add_argument("--format", default="text", choices=choices("check"),
                        help="text (default), json (one object: the sources and their findings; docs/json.md), "
                             "sarif (2.1.0, for code scanning) "
                             "or github (workflow annotations)")
    add_capture_options(parser)


@dataclass
class _Checked:
    """One source's part of the report."""

    source: str
    capture: object
    findings: list


def run(args: argparse.Namespace) -> int:
    from tfinspect.checks import has_errors
    from tfinspect.core.errors import UsageError

    sources = list(dict.fromkeys(args.sources))  # a file given twice is checked once
    if len(sources) > 1 and getattr(args, "save", None):
        raise UsageError("--save saves one capture: give one SOURCE with it")
    args.source = sources[0]  # what messages name when no single source is meant
    plan = [(source, _selection(args, source)) for source in sources]  # every code checked before any capture
    results = [_one(args, source, *selection) for source, selection in plan]
    checks = _union(selection[3] for _, selection in plan)
    RENDERERS[CheckFormat(args.format)](results, checks)
    findings = unchecked = False
    for result, (_, (config, *_)) in zip(results, plan):
        explained = has_errors(result.findings)  # the script's failure is what an error finding reports
        failed = report_outcome(result.capture, traceback=not explained, shown="checked the graph",
                                stop_noted=True) == EXIT_ERROR
        _note_stop(result.capture)
        coverage, _ = coverage_of(result.capture)
        strict = args.strict if args.strict is not None else config.strict
        threshold = args.fail_on or config.fail_on or "error"
        findings = findings or explained or _at_least(result.findings, threshold)
        # a script that failed because of what the findings report is a finding; one that built nothing, or
        # (--strict) one only partly checked, is not checked
        unchecked = unchecked or (failed and not explained) or coverage == "none" or (strict and coverage != "all")
    # a source that could not be checked outweighs findings elsewhere: nothing vouches for it
    return EXIT_ERROR if unchecked else EXIT_FINDINGS if findings else EXIT_CLEAN


def _at_least(findings, threshold: str) -> bool:
    from tfinspect.checks import SEVERITY_ORDER
    from tfinspect.checks.finding import Severity

    return any(SEVERITY_ORDER[f.severity] <= SEVERITY_ORDER[Severity(threshold)] for f in findings)


def _selection(args: argparse.Namespace, source: str):
    """(config, select, ignore, checks) for one source: its pyproject.toml, unless the command line says."""
    from tfinspect.checks.registry import selected

    config = _config(args, source)
    select = args.select if args.select is not None else ",".join(config.select) or None
    ignore = args.ignore if args.ignore is not None else ",".join(config.ignore) or None
    return config, select, ignore, selected(select, ignore)


def _union(groups) -> list:
    seen: dict[str, object] = {}
    for checks in groups:
        for check in checks:
            seen.setdefault(check.code, check)
    return sorted(seen.values(), key=lambda c: c.code)


def _one(args: argparse.Namespace, source: str, config, select, ignore, checks) -> _Checked:
    from tfinspect.checks import run_checks
    from tfinspect.checks.registry import needed
    from tfinspect.checks.suppress import apply
    from tfinspect.commands.lecture import _ProgressBar

    one = argparse.Namespace(**vars(args))
    one.source = source
    bar = _ProgressBar("iterating datasets")
    try:
        # What the selected checks need: the run-time guard checks fed arrays as the script runs; datasets
        # are iterated up to --max-elements.
        needs = needed(checks)
        capture = load_source(one, progress=bar, guard="feeds" in needs,
                              datasets=max(0, args.max_elements) if "datasets" in needs else 0)
    finally:
        bar.close()
    return _Checked(source, capture, apply(run_checks(capture, select=select, ignore=ignore), config))


def _config(args, source: str):
    """``[tool.tfinspect]`` of the nearest pyproject.toml above ``source`` (none with --no-config)."""
    from tfinspect.core.config import CheckConfig, find_pyproject, load_config

    if args.no_config:
        return CheckConfig()
    path = find_pyproject(source)
    return load_config(path) if path else CheckConfig()


def _all(results) -> list:
    return [f for r in results for f in r.findings]


def _json(results, checks) -> None:
    from tfinspect.render.findings import check_json
    from tfinspect.render.json import dump

    dump(check_json([(r.source, r.capture.outcome, coverage_of(r.capture)[1], r.findings) for r in results]),
         sys.stdout)


def _sarif(results, checks) -> None:
    from tfinspect.render.findings import sarif

    # what was not checked, as tool notifications (SARIF 2.1.0 3.20): code scanning must not show it as clean
    notes = [(r.source, coverage_of(r.capture), r.capture.outcome) for r in results]
    unchecked = [(source, coverage, text, outcome) for source, (coverage, text), outcome in notes if coverage != "all"]
    invocation = {"executionSuccessful": not any(c == "none" or not o.ok for _, (c, _), o in notes),
                  "toolExecutionNotifications": [
                      {"level": "error" if not outcome.ok or coverage == "none" else "warning",
                       "message": {"text": f"{source}: {text}" + (f" ({outcome.status.value}: {outcome.message})"
                                                                   if outcome.message else "")}}
                      for source, coverage, text, outcome in unchecked]}
    json.dump(sarif(_all(results), checks, invocation=invocation), sys.stdout, indent=2)
    sys.stdout.write("\n")


def _github(results, checks) -> None:
    from tfinspect.render.findings import github

    from tfinspect.core.safeio import raw

    raw().write(github(_all(results)))  # workflow commands, each escaped by github(): written as they are


def _text(results, checks) -> None:
    from rich.text import Text

    from tfinspect.render.findings import findings_view
    from tfinspect.render.subgraph import print_renderable

    for number, r in enumerate(results):
        if number:
            print_renderable(Text(""))
        print_renderable(findings_view(r.findings, r.source, checked=coverage_of(r.capture)[1]))
    if len(results) > 1:  # the grand total, after each source's own line
        from tfinspect.render.formatting import plural

        counts = {}
        for r in results:
            for finding in r.findings:
                counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
        totals = [plural(counts[s], s) if s != "info" else f"{counts[s]} info" for s in ("error", "warning", "info")
                  if s in counts]
        unchecked = sum(1 for r in results if coverage_of(r.capture)[0] != "all")
        line = f"{len(results)} sources: {', '.join(totals) if totals else 'no findings'}"
        if unchecked:
            line += f" ({unchecked} not wholly checked)"
        print_renderable(Text(""))
        print_renderable(Text(line, style="tfi.title"))


# Each --format and what prints it: (each source's results, the checks that ran) -> None.
RENDERERS = {CheckFormat.TEXT: _text, CheckFormat.JSON: _json, CheckFormat.SARIF: _sarif, CheckFormat.GITHUB: _github}


def coverage_of(capture) -> tuple[str, str | None]:
    """How much of a source the findings cover: ("all", None), ("part", why) or ("none", why)."""
    from tfinspect.record.model import OutcomeStatus, RunStatus

    outcome = capture.outcome
    if not capture.graphs:
        if outcome.ok:
            return "none", ("not checked: the script built no graph (it ran eagerly and called no tf.function; "
                            "tfinspect checks tf.compat.v1 graphs and the traces of tf.function and Keras)")
        return "none", "not checked: the script failed before it built a graph"
    if outcome.status is OutcomeStatus.STOPPED:
        stop = next((r for r in capture.runs if r.status is RunStatus.STOPPED), None)
        where = f" at {stop.noun} #{stop.index}" if stop is not None else ""
        return "part", f"partly checked: the script was stopped{where}; what would have followed was not checked"
    if not outcome.ok:
        how = {"error": "raised an error", "exit": "exited", "timeout": "timed out", "crashed": "crashed",
               "memory": "ran out of memory"}.get(outcome.status.value, outcome.status.value)
        return "part", f"partly checked: what the script built before it {how}"
    return "all", None


def _note_stop(capture) -> None:
    """Say so when the run limit (not a finding) ended the script: what came after it was never checked."""
    from tfinspect.record.model import OutcomeStatus, RunStatus

    if capture.outcome.status is not OutcomeStatus.STOPPED:
        return
    stop = next((r for r in capture.runs if r.status is RunStatus.STOPPED), None)
    if stop is None:
        return
    where = f" at {stop.source.file.rsplit('/', 1)[-1]}:{stop.source.line}" if stop.source else ""
    if stop.error:  # stopped by the guard or a static check: a finding says why
        reason = stop.error.removeprefix("not executed: ")
        print(f"tfinspect: note: TensorFlow did not execute {stop.noun} #{stop.index}{where} ({reason}); the script "
              "stopped there, and code after it was not checked", file=sys.stderr)
        return
    why = stop.stop_reason or "the run limit was reached"
    print(f"tfinspect: note: the script was stopped at {stop.noun} #{stop.index}{where} ({why}); code after it did not "
          "run and was not checked (--runs all checks the whole script)", file=sys.stderr)
