"""Scripts that fight back: whatever they do, nothing they start outlives tfinspect, nothing is left in
the temp directory, and tfinspect's own memory stays bounded."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _alive(marker: str) -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    if marker.encode() in f.read():
                        found.append(entry)
            except OSError:
                pass
    return found


def _script(tmp_path, body: str):
    path = tmp_path / "hostile.py"
    path.write_text("import os, subprocess, sys, time\nimport tensorflow as tf\n"
                    "x = tf.placeholder(tf.float32, name='x')\n" + textwrap.dedent(body))
    return path


FORKS = """
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # {marker}-child"])
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)  # {marker}-daemon"])
    os._exit(0)
time.sleep(1)
"""


def test_forked_and_setsid_processes_do_not_outlive_the_capture(tmp_path):
    marker = f"tfi-fork-{os.getpid()}"
    result = run_cli("graph", str(_script(tmp_path, FORKS.format(marker=marker))), "--quiet", "--format", "json")
    assert result.code == 0, result.err
    time.sleep(0.5)
    assert _alive(marker) == []


CLEAN_ENVIRONMENT = """
subprocess.Popen(["/usr/bin/env", "-i", sys.executable, "-c", "import time; time.sleep(300)  # {marker}-clean"],
                 start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execve(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)  # {marker}-bare"], {{}})
    os._exit(0)
time.sleep(1)
"""


def test_processes_started_with_a_clean_environment_do_not_outlive_the_capture(tmp_path):
    """No token in their environment to find them by: the child is their subreaper, and ends its tree."""
    marker = f"tfi-clean-{os.getpid()}"
    result = run_cli("graph", str(_script(tmp_path, CLEAN_ENVIRONMENT.format(marker=marker))), "--quiet",
                     "--format", "json")
    assert result.code == 0, result.err
    time.sleep(0.5)
    assert _alive(marker) == []


SPIN = """
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # {marker}-child"])
print("ready", flush=True)
while True:
    pass
"""


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_to_tfinspect_stops_everything_it_started(tmp_path, stop):
    marker = f"tfi-spin-{os.getpid()}-{stop}"
    script = _script(tmp_path, SPIN.format(marker=marker))
    temp = tmp_path / "temp"
    temp.mkdir()
    env = dict(os.environ, TMPDIR=str(temp))
    # As from a terminal: SIGINT at its default (a pytest-xdist worker ignores it, and children inherit that).
    process = subprocess.Popen([sys.executable, "-m", "tfinspect.cli", "graph", str(script)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not _alive(f"{marker}-child") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _alive(f"{marker}-child"), "the script did not start"
    process.send_signal(stop)
    _, err = process.communicate(timeout=60)
    assert process.returncode in (128 + stop, 2), err  # Ctrl-C reports the partial graph, exit 2
    time.sleep(0.5)
    assert _alive(marker) == [] and _alive(str(script)) == []
    assert list(temp.iterdir()) == []
    assert "Traceback" not in err


def _peak_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0


def test_endless_output_without_newline_keeps_tfinspect_small(tmp_path):
    script = _script(tmp_path, """
        chunk = "x" * (1 << 20)
        for _ in range(600):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        time.sleep(1)
    """)
    process = subprocess.Popen([sys.executable, "-m", "tfinspect.cli", "graph", str(script), "--format", "json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_kib(process.pid))
        time.sleep(0.05)
    assert process.returncode == 0
    assert 0 < peak < 300 * 1024, f"tfinspect itself peaked at {peak} KiB for 600 MiB of output in one line"


def test_a_script_holding_the_gil_keeps_its_partial_graph(tmp_path):
    """The watchdog cannot write the final snapshot while a regex holds the GIL; the snapshots taken while
    the graph grew (from the main thread at op creation, and by the watchdog) are what the parent reads."""
    script = _script(tmp_path, """
        import re
        w = tf.get_variable("w", [3, 1])
        time.sleep(0.5)
        y = tf.matmul(tf.reshape(x, [-1, 3]), w, name="y")
        time.sleep(0.5)
        re.match(r"(a+)+$", "a" * 40 + "b")  # catastrophic backtracking: holds the GIL for hours
    """)
    result = run_cli("graph", str(script), "--timeout", "3", "--quiet", "--format", "json")
    assert result.code == 2
    data = result.json()
    assert data["outcome"]["status"] == "timeout"
    assert [v["name"] for v in data["variables"]] == ["w"] and data["ops"] >= 10


@pytest.mark.fast
def test_folders_of_a_killed_tfinspect_are_swept_by_the_next_run_and_nothing_else(tmp_path, monkeypatch):
    """Only a folder with tfinspect's marker, whose lock no process holds, older than a minute, is swept: not a
    user's folder of a similar name, not one a live run (in any PID namespace) still holds."""
    import tempfile
    import time

    from tfinspect.core.fileio import MARKER, temporary_folder

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old = time.time() - 3600

    def folder(name: str, marker: bool) -> "os.PathLike":
        path = tmp_path / name
        path.mkdir()
        (path / "capture.json").write_text("{}")
        if marker:
            (path / MARKER).write_text("")
        os.utime(path, (old, old))
        return path

    stale = folder("tfinspect-capture-424242-abc", marker=True)  # its process was killed: its lock is free
    users = folder("tfinspect-notes-424243-keep", marker=False)  # the user's own: no marker
    held = folder("tfinspect-capture-424244-xyz", marker=True)  # a live run elsewhere holds its lock
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, sys, time; f = open(sys.argv[1]); "
                               "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)",
                               str(held / MARKER)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        young = folder("tfinspect-capture-424245-new", marker=True)
        os.utime(young)  # just made: its owner may not have locked it yet
        mine = temporary_folder("capture")
        assert not stale.exists() and users.exists() and held.exists() and young.exists()
        assert os.path.isfile(os.path.join(mine, MARKER))
    finally:
        holder.kill()
        holder.wait()


IGNORES_SIGNALS = """
import signal
for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(number, signal.SIG_IGN)
subprocess.Popen([sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                  "time.sleep(300)  # {marker}-child"])
while True:
    time.sleep(0.01)
"""


def test_a_script_that_ignores_signals_is_still_stopped(tmp_path):
    marker = f"tfi-ignores-{os.getpid()}"
    result = run_cli("graph", str(_script(tmp_path, IGNORES_SIGNALS.format(marker=marker))), "--timeout", "2",
                     "--quiet", "--format", "json")
    assert result.code == 2 and result.json()["outcome"]["status"] == "timeout"
    time.sleep(0.5)
    assert _alive(marker) == []
