"""Run a script in a child process and bring its capture back as data.

The parent never imports TensorFlow. It watches the child for the time
limit and for runaway memory use, kills its whole process group when it
must, and reads whatever the child managed to write.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from typing import IO, Callable

from tfinspect.record.model import Capture, Outcome, OutcomeStatus
from tfinspect.record.options import CaptureOptions
from tfinspect.record.layout import FAILED, METADATA, PROGRESS_PREFIX, descendants, tree_rss_bytes
from tfinspect.record.reader import read_capture_dir
from tfinspect.core.fileio import temporary_folder
from tfinspect.core.errors import ArgumentError, CaptureError, SourceError

_PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
# The child gets this long past --timeout to write its own report before it is killed.
GRACE_SECONDS = 20.0


def default_memory_limit() -> int:
    """Three quarters of the memory this process may use, in bytes: the machine's, or its container's
    (cgroup) limit when lower, so that tfinspect stops a script before the kernel's OOM killer does
    (which would lose the partial graph)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 16 << 30
    container = _cgroup_limit()
    if container is not None:
        total = min(total, container)
    return int(total * 0.75)


def _cgroup_limit(proc_cgroup: str = "/proc/self/cgroup", root: str = "/sys/fs/cgroup") -> int | None:
    """The memory limit of this process's cgroup (v2 ``memory.max``, v1 ``memory.limit_in_bytes``), if any."""
    candidates = [f"{root}/memory.max", f"{root}/memory/memory.limit_in_bytes"]
    try:
        with open(proc_cgroup, encoding="utf-8", errors="replace") as f:
            for line in f.read(1 << 16).splitlines():
                parts = line.split(":", 2)
                if len(parts) == 3 and parts[0] == "0" and parts[2].startswith("/"):
                    candidates.insert(0, f"{root}{parts[2].rstrip('/')}/memory.max")
    except OSError:
        pass
    for path in candidates:
        try:
            with open(path, encoding="ascii", errors="replace") as f:
                text = f.read(64).strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < (1 << 60):  # "max" or a huge number: no limit
            return int(text)
    return None


# TensorFlow's C++ start-up chatter, not the script's output: hidden unless verbose.
_NOISE = re.compile(
    r"^(I\d{4} \S+ +\d+ \S+\] |WARNING: All log messages before absl::InitializeLog"
    r"|.*(oneDNN custom operations are on|cpu_feature_guard|This TensorFlow binary is optimized"
    r"|To enable the following instructions|Unable to register cu(DNN|FFT|BLAS) factory"
    r"|Could not find cuda drivers|TF-TRT Warning|computation placer already registered))"
)


LINE_LIMIT = 1 << 16  # a script printing without newlines is forwarded in pieces, never held whole


def _forward(stream: IO[bytes], sink: IO[str], verbose: bool, progress: Callable[[str], None] | None) -> None:
    for raw in iter(lambda: stream.readline(LINE_LIMIT), b""):
        line = raw.decode("utf-8", "replace")
        if line.startswith(PROGRESS_PREFIX):
            if progress:
                progress(line[len(PROGRESS_PREFIX):].strip())
        elif verbose or not _NOISE.match(line):
            sink.write(line)
            sink.flush()
    stream.close()


TOKEN_VARIABLE = "TFINSPECT_CAPTURE_TOKEN"


KILL_WAIT = 10.0  # seconds to wait for a killed child to be reaped (one stuck in the kernel may take longer)


def _kill_group(process: subprocess.Popen) -> None:
    """Kill the child, everything below it (the child is their subreaper: a double fork or setsid stays
    below it while it lives) and its process group."""
    for pid in descendants(process.pid):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    try:
        process.wait(timeout=KILL_WAIT)
    except subprocess.TimeoutExpired:  # in uninterruptible sleep: it dies when the kernel lets it; do not hang
        pass


def kill_leftovers(process: subprocess.Popen, token: str) -> int:
    """Kill every process the script started that is still alive: its process group, and any process
    that left it (``setsid``, a double fork) but still carries this run's token in its environment.
    Returns how many were killed."""
    killed = 0
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    marker = f"{TOKEN_VARIABLE}={token}".encode()
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return killed
    for entry in entries:
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read(1 << 20)
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _check_script(path: str) -> str:
    if not os.path.exists(path):
        raise SourceError(f"{path}: no such file")
    if os.path.isdir(path):
        raise SourceError(f"{path}: is a directory, not a Python script")
    if not os.access(path, os.R_OK):
        raise SourceError(f"{path}: not readable")
    return os.path.abspath(path)


def run_script(script: str, options: CaptureOptions = CaptureOptions(), *, output: IO[str] | None = None,
               progress: Callable[[str], None] | None = None) -> Capture:
    """Run ``script`` in a child process and return what it built and ran.

    The script's stdout and stderr go to ``output`` (default: our stderr, so
    that a report on stdout stays parseable), or nowhere with ``quiet``.

    Raises:
        SourceError: the script does not exist.
        CaptureError: the child could not even start TensorFlow.
    """
    path = _check_script(script)
    if options.cwd and not os.path.isdir(options.cwd):
        raise ArgumentError("cwd", f"{{name}} {options.cwd}: no such directory")
    options = replace(options, memory_limit=options.memory_limit or default_memory_limit(),
                      label=options.label or script)
    unparsable = _compile_error(path)
    if unparsable is not None:  # the child would say the same after TensorFlow's start-up: say it at once
        return Capture(source=options.label, origin=options.origin, graphs=(), outcome=unparsable)
    out_dir = temporary_folder("capture")
    bootstrap = (
        "import sys; sys.path.insert(0, sys.argv.pop(1)); "
        "from tfinspect.run.child.main import main; sys.path.pop(0); main()"
    )
    command = [sys.executable, "-c", bootstrap, _PACKAGE_ROOT, "--out", out_dir,
               "--options", json.dumps(options.to_json()), "--", path]
    token = uuid.uuid4().hex
    env = dict(os.environ, PYTHONUNBUFFERED="1", **{TOKEN_VARIABLE: token})
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    quiet = subprocess.DEVNULL if options.quiet else subprocess.PIPE
    process = subprocess.Popen(
        command, cwd=options.cwd or os.path.dirname(path), env=env, stdin=subprocess.DEVNULL,
        stdout=quiet, stderr=quiet, start_new_session=True,
    )
    from tfinspect.core.safeio import raw

    # the script's own output (progress bars, colours) is the user's program speaking: passed on as it is
    sink = output or raw(sys.stderr)
    forwarders = [
        threading.Thread(target=_forward, args=(stream, sink, options.verbose, progress), daemon=True)
        for stream in (process.stdout, process.stderr) if stream is not None
    ]
    for thread in forwarders:
        thread.start()
    try:
        outcome = _supervise(process, options)
    finally:  # also when tfinspect itself is told to stop (SIGTERM, SIGHUP, Ctrl-C): nothing outlives it
        if process.poll() is None:
            _kill_group(process)
        kill_leftovers(process, token)
    for thread in forwarders:
        thread.join(timeout=5)
    failed = os.path.join(out_dir, FAILED)
    if os.path.exists(failed):
        with open(failed, encoding="utf-8") as f:
            details = json.load(f)
        raise CaptureError(f"could not start TensorFlow in the child process: {details['message']}")
    code = process.returncode
    died = None
    if outcome is None and code:
        what = f"signal {_signal_name(-code)}" if code < 0 else f"exit code {code}"
        died = Outcome(OutcomeStatus.CRASHED, f"the script's process died ({what})")
    if not os.path.exists(os.path.join(out_dir, METADATA)):
        return Capture(source=options.label, origin=options.origin, graphs=(),
                       outcome=outcome or died or Outcome(OutcomeStatus.CRASHED, "the script captured nothing"))
    return read_capture_dir(out_dir, outcome=outcome, fallback=died)


def _compile_error(path: str) -> Outcome | None:
    """How a script that Python cannot compile fails (a SyntaxError, a NUL byte), or None: it compiles."""
    import traceback

    from tfinspect.record.model import SourceLocation
    from tfinspect.run.child.errortext import error_summary

    try:
        with open(path, "rb") as f:
            compile(f.read(), path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as error:
        location = None
        if isinstance(error, SyntaxError) and error.lineno:
            location = SourceLocation(os.path.abspath(error.filename or path), error.lineno, "")
        return Outcome(OutcomeStatus.ERROR, error_summary(error),
                       traceback="".join(traceback.format_exception_only(type(error), error)), location=location)
    except (OSError, MemoryError, RecursionError):
        return None  # the child meets it and reports it
    return None


def _supervise(process: subprocess.Popen, options: CaptureOptions) -> Outcome | None:
    """Wait for the child; kill it past the time or memory limit. None: it ended by itself."""
    limit = options.memory_limit or default_memory_limit()
    hard_limit = limit + (1 << 30)  # the child stops itself at `limit`; this is the backstop
    deadline = time.monotonic() + options.timeout + GRACE_SECONDS if options.timeout > 0 else None
    try:
        while True:
            try:
                process.wait(timeout=0.1)
                return None
            except subprocess.TimeoutExpired:
                pass
            if deadline is not None and time.monotonic() > deadline:
                _kill_group(process)
                return Outcome(OutcomeStatus.TIMEOUT, f"the script was still running after {options.timeout:g} s "
                               "and did not stop when asked; it was killed")
            if tree_rss_bytes(process.pid) > hard_limit:
                _kill_group(process)
                return Outcome(OutcomeStatus.MEMORY, f"the script used more than {limit / 2**30:.1f} GiB "
                               "of memory; it was killed")
    except KeyboardInterrupt:
        _kill_group(process)
        return Outcome(OutcomeStatus.ERROR, "interrupted (Ctrl-C)")
