"""``tfinspect diff OLD NEW`` (or ``diff --git REV SOURCE``): what changed between two versions of a model."""

from __future__ import annotations

import argparse
import sys

from tfinspect.commands.common import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, load_source
from tfinspect.commands.options import add_capture_options
from tfinspect.core.errors import UsageError
from tfinspect.core.options import DIFF_KINDS as KINDS
from tfinspect.render.formatting import printable
from tfinspect.readers import SOURCE_HELP
from tfinspect.render.formats import DiffFormat, choices


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "diff", help="what changed between two versions of a model: ops, variables, signatures, runs, findings",
        description="Compare two SOURCEs (scripts are run, files are read): ops added, removed and changed (names "
                    "TensorFlow uniquified, Add_3 that became Add_4, are matched by structure and are no change), "
                    "scopes renamed, variables added, removed, renamed, reshaped, and whether a checkpoint of OLD "
                    "restores into NEW; placeholders and signatures whose dtype or shape changed; collections; "
                    "what each captured run executes; and check's findings new in NEW. Exit 0: no change of the "
                    "kinds --fail-on names; 1: changes; 2: could not compare.",
    )
    parser.add_argument("sources", nargs="+", metavar="SOURCE",
                        help="OLD and NEW; with --git REV, one SOURCE compared with itself at REV. " + SOURCE_HELP)
    parser.add_argument("--git", metavar="REV", help="OLD is SOURCE as it was at this git revision (taken with "
                                                     "'git archive' into a temporary folder; the work tree is "
                                                     "never touched)")
    parser.add_argument("--format", default="text", choices=choices("diff"),
                        help="text for people (default), json for programs, github or sarif for the findings "
                             "a change introduces; dot, svg or html: NEW's picture with what changed coloured "
                             "(-o FILE)")
    parser.add_argument("-o", "--output", metavar="FILE", help="dot/svg/html: write here (default: stdout)")
    parser.add_argument("--fail-on", default=",".join(KINDS), metavar="KINDS",
                        help=f"the kinds of change that give exit 1, comma-separated (default: all of "
                             f"{','.join(KINDS)})")
    parser.add_argument("--show", default=",".join(KINDS), metavar="KINDS",
                        help="text: the kinds of change shown (default: all); JSON always holds every kind")
    parser.add_argument("--no-check", action="store_true", help="do not run check on both to compare findings")
    add_capture_options(parser)


def _kinds(text: str, flag: str) -> set[str]:
    kinds = {k.strip() for k in text.split(",") if k.strip()}
    unknown = sorted(kinds - set(KINDS))
    if unknown:
        raise UsageError(f"{flag} {', '.join(unknown)}: not a kind of change; the kinds are {', '.join(KINDS)}")
    return kinds


def _sources(args: argparse.Namespace, workdir: str) -> tuple[str, str, str]:
    """(OLD, NEW, how OLD is labelled)."""
    if args.git is None:
        if len(args.sources) != 2:
            raise UsageError(f"diff takes OLD and NEW (or --git REV SOURCE), not {len(args.sources)} SOURCEs")
        return args.sources[0], args.sources[1], args.sources[0]
    if len(args.sources) != 1:
        raise UsageError("with --git REV, give one SOURCE: it is compared with itself at REV")
    return _at_revision(args.git, args.sources[0], workdir), args.sources[0], f"{args.sources[0]}@{args.git}"


def _at_revision(rev: str, source: str, workdir: str) -> str:
    """``source`` as it was at ``rev``: the repository's tree at REV unpacked into ``workdir`` (so that the script's
    local imports and data files are those of REV too)."""
    import io
    import os
    import subprocess
    import tarfile

    if rev.startswith("-"):
        raise UsageError(f"--git {rev!r}: not a revision")
    folder = os.path.dirname(os.path.abspath(source)) or "."
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=folder, capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UsageError(f"--git needs git: {error}") from None
    if top.returncode != 0:
        raise UsageError(f"--git: {source} is not in a git repository")
    root = top.stdout.strip()
    relative = os.path.relpath(os.path.abspath(source), root)
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=root, capture_output=True, timeout=300)
    if archive.returncode != 0:
        raise UsageError(f"--git {rev}: {archive.stderr.decode(errors='replace').strip()[:200]}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(workdir, filter="data")
    old = os.path.join(workdir, relative)
    if not os.path.exists(old):
        raise UsageError(f"--git {rev}: {relative} did not exist at {rev}")
    return old


def run(args: argparse.Namespace) -> int:
    import tempfile

    from dataclasses import replace

    from tfinspect.analyses.diff import diff

    fail_on, show = _kinds(args.fail_on, "--fail-on"), _kinds(args.show, "--show")
    if args.save:
        raise UsageError("--save saves one capture and diff makes two: save each with 'tfinspect graph SOURCE "
                         "--save FILE', then diff the two files")
    with tempfile.TemporaryDirectory(prefix="tfinspect-diff-") as workdir:
        old_source, new_source, old_label = _sources(args, workdir)
        captures = []
        for source, label in ((old_source, old_label), (new_source, new_source)):
            job = argparse.Namespace(**vars(args))
            job.source, job.save = source, None
            capture = load_source(job)
            if not capture.outcome.ok:
                print(f"tfinspect: {printable(label)} did not complete ({capture.outcome.status.value}: "
                      f"{printable(capture.outcome.message or '')}); comparing the graph it built, exit 2", file=sys.stderr)
            captures.append(capture)
        old, new = captures
        result = replace(diff(old, new), old=old_label, new=new_source)
        if not args.no_check:  # the findings NEW has and OLD had not (an op renamed is the same op)
            from tfinspect.checks import findings_at_hand

            before = {(f.code, result.renamed.get(f.op, f.op)) for f in findings_at_hand(old)}
            result = replace(result, findings=tuple(f for f in findings_at_hand(new) if (f.code, f.op) not in before),
                             findings_checked=True)
    RENDERERS[DiffFormat(args.format)](args, result, show, new)
    if not all(c.outcome.ok for c in captures):  # what a script did not build was not compared: never clean
        return EXIT_ERROR
    counts = result.changed()
    return EXIT_FINDINGS if any(counts[kind] for kind in fail_on) else EXIT_CLEAN


def _text(args, result, show, new) -> None:
    from tfinspect.render.diff import diff_view
    from tfinspect.render.theme import make_console

    make_console().print(diff_view(result, show))


def _json(args, result, show, new) -> None:
    from tfinspect.render.diff import diff_json
    from tfinspect.render.json import dump

    dump(diff_json(result), sys.stdout)


def _github(args, result, show, new) -> None:
    from tfinspect.render.findings import github

    from tfinspect.core.safeio import raw

    text = github(result.findings)
    if text:  # workflow commands, each escaped by github(): written as they are
        raw().write(text if text.endswith("\n") else text + "\n")


def _sarif(args, result, show, new) -> None:
    import json

    from tfinspect.checks.registry import all_checks
    from tfinspect.render.findings import sarif

    json.dump(sarif(result.findings, all_checks()), sys.stdout, indent=2)
    sys.stdout.write("\n")


def _marks(result) -> dict[str, str]:
    """NEW's ops that the diff found added, changed or renamed."""
    return {c.new: c.kind for c in result.ops if c.new is not None and c.kind != "removed"}


def _removed_note(result) -> str:
    removed = sum(1 for c in result.ops if c.kind == "removed")
    return f" · {removed} op{'s' if removed != 1 else ''} of OLD removed (not in this picture)" if removed else ""


def _picture(args, result, show, new) -> None:
    """NEW's picture (its first graph), the boxes holding added, changed or renamed ops coloured."""
    from tfinspect.analyses.runs import index_of
    from tfinspect.commands.output import write_picture
    from tfinspect.render.dot import to_dot

    index = index_of(new.graphs[0])
    source = to_dot(index, None, whole_graph=True, title=f"{result.old} → {result.new}{_removed_note(result)}",
                    marks=_marks(result))
    write_picture(source, args.format, args.output, force=args.force, timeout=args.timeout)


def _html(args, result, show, new) -> None:
    from tfinspect.analyses.runs import index_of
    from tfinspect.commands.output import write_output
    from tfinspect.render.html import to_html

    graph = new.graphs[0]
    page = to_html(index_of(graph), title=f"{result.old} → {result.new}{_removed_note(result)}",
                   sources=graph.sources, findings=result.findings, marks=_marks(result)).encode()
    if args.output:
        write_output(args.output, page, force=args.force)
    else:
        sys.stdout.write(page.decode())


# Each --format and what prints it: (args, the diff, the kinds shown, NEW's capture) -> None.
RENDERERS = {DiffFormat.TEXT: _text, DiffFormat.JSON: _json, DiffFormat.GITHUB: _github, DiffFormat.SARIF: _sarif,
             DiffFormat.DOT: _picture, DiffFormat.SVG: _picture, DiffFormat.HTML: _html}
