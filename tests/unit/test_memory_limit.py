"""The script's memory limit respects a container's cgroup limit."""

from __future__ import annotations

from tfinspect.run.runner import _cgroup_limit


def test_cgroup_v2_limit_of_this_process(tmp_path):
    (tmp_path / "cgroup").write_text("0::/ci/job\n")
    (tmp_path / "sys" / "ci" / "job").mkdir(parents=True)
    (tmp_path / "sys" / "ci" / "job" / "memory.max").write_text("4294967296\n")
    assert _cgroup_limit(str(tmp_path / "cgroup"), str(tmp_path / "sys")) == 4 << 30


def test_no_limit_and_v1(tmp_path):
    (tmp_path / "cgroup").write_text("0::/\n")
    (tmp_path / "sys").mkdir()
    (tmp_path / "sys" / "memory.max").write_text("max\n")
    assert _cgroup_limit(str(tmp_path / "cgroup"), str(tmp_path / "sys")) is None
    (tmp_path / "sys" / "memory.max").unlink()
    (tmp_path / "sys" / "memory").mkdir()
    (tmp_path / "sys" / "memory" / "memory.limit_in_bytes").write_text("1073741824")
    assert _cgroup_limit(str(tmp_path / "missing"), str(tmp_path / "sys")) == 1 << 30
