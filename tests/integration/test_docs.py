"""Generated docs pages are up to date with what tfinspect really prints."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def _gen_docs():
    spec = importlib.util.spec_from_file_location("gen_docs", REPO / "scripts" / "gen_docs.py")
    gen_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_docs)
    return gen_docs


def test_checks_page_is_current():
    assert (REPO / "docs" / "checks.md").read_text() == _gen_docs().render_checks(), \
        "docs/checks.md is stale: run python scripts/gen_docs.py"


def test_scopes_and_collections_page_is_current():
    expected = _gen_docs().render()
    assert (REPO / "docs" / "scopes-and-collections.md").read_text() == expected, \
        "docs/scopes-and-collections.md is stale: run python scripts/gen_docs.py"
