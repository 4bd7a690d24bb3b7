"""The check table: stable codes, documentation sections, a fixture and a golden file for each."""

from __future__ import annotations

import re

from tests.conftest import FIXTURES, GOLDEN
from tfinspect.checks.registry import DOC_SECTIONS, all_checks, needed, selected


def test_codes_are_stable_unique_and_ordered():
    codes = [c.code for c in all_checks()]
    assert codes == sorted(codes) and len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"TFI\d{3}", code) for code in codes)
    assert codes[:7] == ["TFI001", "TFI002", "TFI003", "TFI004", "TFI005", "TFI006", "TFI007"]


def test_every_check_has_its_doc_sections():
    for check in all_checks():
        sections = check.sections()
        assert list(sections) == list(DOC_SECTIONS), (check.code, list(sections))
        assert all(text.strip() for text in sections.values()), check.code


def test_every_check_has_a_fixture_and_a_golden_file():
    for check in all_checks():
        fixtures = sorted((FIXTURES / "checks").glob(f"{check.code}_*.py"))
        assert fixtures, f"{check.code} needs a fixture: fixtures/checks/{check.code}_<what>.py"
        for fixture in fixtures:  # more than one where a check covers several shapes of the mistake
            assert fixture.read_text().startswith(f"# Should emit {check.code}"), fixture
            assert (GOLDEN / "checks" / f"{fixture.stem}.txt").exists(), fixture


def test_a_check_says_what_it_needs():
    """`check --select` asks the capture for exactly what the selected checks need: the guard for fed ids,
    dataset iteration for dataset ids; static checks need neither."""
    assert needed(selected("TFI001")) == frozenset()
    assert needed(selected("TFI002")) == {"feeds"}
    assert needed(selected("TFI004")) == {"datasets"}
    assert needed(selected(None)) == {"feeds", "datasets"}
    assert needed(selected("TFI00", "TFI002,TFI005")) == {"datasets"}
