"""``tfinspect collections SOURCE [KEY] [--scope PREFIX]``."""

from __future__ import annotations

import argparse

from tfinspect.readers import SOURCE_HELP
from tfinspect.commands.common import emit, load_source, report_outcome
from tfinspect.commands.options import add_capture_options, add_format_option


def add_parser(commands) -> None:
    parser = commands.add_parser(
        "collections", help="list graph collections and their members, filtered like tf.get_collection",
        description="Every collection key (GraphKeys and your own tf.add_to_collection keys) with its members: "
                    "kind, name, dtype, shape, scope. --scope filters exactly like tf.get_collection(key, scope): "
                    "a regular expression matched at the start of each member's name.",
    )
    parser.add_argument("source", metavar="SOURCE", help=SOURCE_HELP)
    parser.add_argument("key", metavar="KEY", nargs="?", help="only this collection (e.g. trainable_variables)")
    parser.add_argument("--scope", metavar="PREFIX", help="regular expression matched at the start of member names")
    add_format_option(parser)
    add_capture_options(parser)


def run(args: argparse.Namespace) -> int:
    from tfinspect.analyses.collections import collections
    from tfinspect.render.formatting import with_tf2_note
    from tfinspect.render.scopes import collections_json, collections_view

    if args.scope is not None:  # before a script runs for seconds
        import re

        from tfinspect.core.errors import UsageError

        try:
            re.compile(args.scope)
        except re.error as e:
            raise UsageError(f"--scope {args.scope!r} is not a regular expression ({e})") from None
    capture = load_source(args)
    views = collections(capture, args.key, args.scope)
    emit(args, lambda: collections_json(capture.source, views, args.scope),
         lambda: with_tf2_note(capture, collections_view(views, args.scope),
                               "TF2 has no collections (tf.compat.v1 has): a model's variables are "
                               "model.trainable_variables and a tf.Module's module.variables (tfinspect graph lists "
                               "them by owner path)"))
    return report_outcome(capture)
