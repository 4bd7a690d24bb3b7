"""The human view, rendered at 100 columns without colour, against golden files."""

from __future__ import annotations

import os

import pytest

from tests.conftest import REPO, run_cli


@pytest.mark.parametrize("fixture", ["lectures/add_pow.py", "lectures/two_layers_shared.py",
                                     "lectures/linreg_feed.py", "scripts/raises_after_building.py"])
def test_graph_text(fixture, golden, monkeypatch, tmp_path):
    monkeypatch.chdir(REPO)  # source paths print relative to the working directory
    result = run_cli("graph", os.path.join("fixtures", fixture), "--quiet", "--cwd", str(tmp_path))
    golden(f"graph/{fixture.replace('/', '__').removesuffix('.py')}.txt", result.out)
