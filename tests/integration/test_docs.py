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


def test_json_page_and_shipped_schemas_are_current():
    gen_docs = _gen_docs()
    assert (REPO / "docs" / "json.md").read_text() == gen_docs.render_json_docs(), \
        "docs/json.md is stale: run python scripts/gen_docs.py"
    for path, text in gen_docs.schema_files().items():
        with open(path, encoding="utf-8") as f:
            assert f.read() == text, f"{path} is stale: run python scripts/gen_docs.py"


def test_readme_examples_are_what_tfinspect_prints():
    gen_docs = _gen_docs()
    assert (REPO / "README.md").read_text() == gen_docs.render_readme(), \
        "README.md's example outputs are stale: run python scripts/gen_docs.py"


def test_diff_page_examples_are_what_tfinspect_prints():
    gen_docs = _gen_docs()
    assert (REPO / "docs" / "diff.md").read_text() == gen_docs.render_readme(path=gen_docs.DIFF_PAGE), \
        "docs/diff.md's example outputs are stale: run python scripts/gen_docs.py"
