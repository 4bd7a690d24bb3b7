"""The check table: stable codes, documentation sections, a fixture and a golden file for each."""

from __future__ import annotations

import re

from tests.conftest import FIXTURES, GOLDEN, expected_findings
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
            assert fixture.read_text().startswith("# Should emit TFI"), fixture
            assert check.code in [code for code, _, _ in expected_findings(fixture)[1]], fixture
            assert (GOLDEN / "checks" / f"{fixture.stem}.txt").exists(), fixture


def test_a_check_says_what_it_needs():
    """`check --select` asks the capture for exactly what the selected checks need: the guard for fed ids,
    dataset iteration for dataset ids; static checks need neither."""
    assert needed(selected("TFI001")) == frozenset()
    assert needed(selected("TFI002")) == {"feeds"}
    assert needed(selected("TFI004")) == {"datasets"}
    assert needed(selected(None)) == {"feeds", "datasets"}
    assert needed(selected("TFI00", "TFI002,TFI005")) == {"datasets"}


def test_a_check_stamps_its_code_and_severity_and_declares_its_evidence():
    """A check function yields findings without code or severity; @check stamps them (a finding may escalate its
    own severity), and evidence it does not declare is refused."""
    from tfinspect.checks.check import Check
    from tfinspect.checks.finding import Finding, Severity, Status

    def found(context):
        yield Finding("a", "one", evidence={"ids": [1]})
        yield Finding("b", "two", severity=Severity.ERROR)

    made = Check("TFI999", "test", Severity.WARNING, Status.PREVIEW, "test", found, evidence={"ids": "the ids"})
    assert [(f.code, f.severity, f.op) for f in made.run(None)] == [("TFI999", Severity.WARNING, "a"),
                                                                    ("TFI999", Severity.ERROR, "b")]
    undeclared = Check("TFI999", "test", Severity.WARNING, Status.PREVIEW, "test", found)
    try:
        list(undeclared.run(None))
    except ValueError as error:
        assert "does not declare: ['ids']" in str(error)
    else:
        raise AssertionError("undeclared evidence was accepted")
