"""Generated docs pages are up to date with what tfinspect really prints."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def test_scopes_and_collections_page_is_current():
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    gen_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_docs)
    expected = gen_docs.render()
    assert (REPO / "docs" / "scopes-and-collections.md").read_text() == expected, \
        "docs/scopes-and-collections.md is stale: run python scripts/gen_docs.py"
