"""``tfinspect schema COMMAND``: print the JSON Schema of a command's ``--format json`` output."""

from __future__ import annotations

import argparse
import sys

from tfinspect.commands.common import EXIT_CLEAN, EXIT_ERROR

SCHEMA_COMMANDS = ("graph", "scopes", "collections", "summary", "subgraph", "ckpt", "check", "lecture")


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "schema", help="print the JSON Schema of a command's --format json output",
        description="Print the JSON Schema (draft 2020-12) of COMMAND's --format json output, as shipped in the "
                    "package (tfinspect/schemas/COMMAND.schema.json), to validate what a pipeline reads. "
                    "docs/json.md describes the same fields.",
    )
    parser.add_argument("name", metavar="COMMAND", choices=SCHEMA_COMMANDS,
                        help=f"one of: {', '.join(SCHEMA_COMMANDS)}")
    parser.add_argument("--path", action="store_true", help="print the schema file's path instead")


def run(args: argparse.Namespace) -> int:
    from importlib import resources

    shipped = resources.files("tfinspect") / "schemas" / f"{args.name}.schema.json"
    if not shipped.is_file():
        print(f"tfinspect: error: this installation lacks {args.name}.schema.json (reinstall tfinspect)",
              file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(f"{shipped}\n" if args.path else shipped.read_text(encoding="utf-8"))
    return EXIT_CLEAN
