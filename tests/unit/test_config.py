"""[tool.tfinspect] in pyproject.toml and per-line '# tfinspect: ignore[...]' comments."""

from __future__ import annotations

import pytest

from tfinspect.checks.finding import Finding, Severity
from tfinspect.checks.suppress import apply
from tfinspect.core.config import CheckConfig, find_pyproject, ignored_on_line, load_config
from tfinspect.core.errors import UsageError
from tfinspect.record.model import SourceLocation


def test_the_nearest_pyproject_with_a_tfinspect_table_is_found(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.tfinspect]\nignore = ["TFI006"]\n')
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text("[tool.black]\nline-length = 100\n")  # not ours: go on up
    script = tmp_path / "pkg" / "sub" / "model.py"
    script.write_text("")
    assert find_pyproject(str(script)) == str(tmp_path / "pyproject.toml")
    config = load_config(str(tmp_path / "pyproject.toml"))
    assert config.ignore == ("TFI006",) and config.select == ()


@pytest.mark.parametrize("text, message", [
    ("[tool.tfinspect]\nselect = 3\n", "select must be a list of codes"),
    ("[tool.tfinspect]\nseverity = { TFI009 = 'fatal' }\n", "severity maps codes to one of error, warning, info"),
    ("[tool.tfinspect]\nselct = ['TFI001']\n", "has no setting 'selct'"),
    ("[tool.tfinspect\n", "cannot read it as TOML"),
])
def test_a_bad_configuration_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(UsageError, match=message):
        load_config(str(path))


def test_line_comments():
    assert ignored_on_line("x = lookup(ids)  # tfinspect: ignore[TFI002]", "TFI002")
    assert ignored_on_line("x = lookup(ids)  # tfinspect: ignore[tfi001, TFI002]", "TFI002")
    assert ignored_on_line("x = lookup(ids)  # tfinspect: ignore", "TFI009")
    assert not ignored_on_line("x = lookup(ids)  # tfinspect: ignore[TFI001]", "TFI002")
    assert ignored_on_line("x = f()  # tfinspect: ignore[TFI00]", "TFI009")  # a prefix, as --ignore takes


def test_findings_are_silenced_on_their_line_and_take_the_configured_severity(tmp_path):
    script = tmp_path / "model.py"
    script.write_text("a = 1\nb = 2  # tfinspect: ignore[TFI009]\n")
    found = [Finding("Add", "grows", source=SourceLocation(str(script), 1, ""), code="TFI009", severity=Severity.WARNING),
             Finding("Add_1", "grows", source=SourceLocation(str(script), 2, ""), code="TFI009",
                     severity=Severity.WARNING)]
    kept = apply(found, CheckConfig(severity={"TFI009": "error"}))
    assert [(f.op, f.severity) for f in kept] == [("Add", Severity.ERROR)]
