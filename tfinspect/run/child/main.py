"""The child process: run the user's script under the hooks and report back as files.

Started by :mod:`tfinspect.run.runner`; never imported by the parent.
Whatever happens to the script (it ends, raises, exits, hangs), this process
writes ``capture.json`` with an ``outcome`` before it exits. If it dies
without one (a segfault, a kill), the parent uses the last snapshot.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import re
import runpy
import sys
import threading
import time
import traceback
from typing import Any

from tfinspect.run.child.errortext import error_summary
from tfinspect.runtime.frames import is_user_file, user_frames
from tfinspect.run.child.hooks import CaptureStopped, Recorder, install
from tfinspect.record.options import CaptureOptions


_FOREIGN_FRAME_LINE = re.compile(r'^\s*File "(?P<file>[^"]+)", line \d+')


def _user_lines(text: str) -> str:
    """Drop stack lines of non-user files from a message (TensorFlow quotes creation stacks)."""
    kept = []
    for line in text.splitlines(keepends=True):
        match = _FOREIGN_FRAME_LINE.match(line)
        if match and not is_user_file(match.group("file")):
            continue
        kept.append(line)
    return "".join(kept)


def format_user_traceback(error: BaseException) -> str:
    """The traceback of ``error`` with only the user's frames (and the message)."""
    exception = traceback.TracebackException.from_exception(error)
    exception.stack = traceback.StackSummary.from_list(
        [frame for frame in exception.stack if is_user_file(frame.filename)]
    )
    return _user_lines("".join(exception.format(chain=False)))


def _where(frame) -> str:
    found = user_frames(frame, limit=1)
    return f"{found[0][0]}:{found[0][1]}" if found else "inside TensorFlow or Python itself"


def _error_frames(error: BaseException) -> list[dict[str, Any]]:
    """The user frames of the error's traceback, innermost first (a SyntaxError: its own line)."""
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        return [{"file": os.path.abspath(error.filename), "line": error.lineno, "function": ""}]
    frames = [{"file": os.path.abspath(f.filename), "line": f.lineno, "function": f.name}
              for f in traceback.extract_tb(error.__traceback__) if is_user_file(f.filename)]
    return frames[::-1]


PR_SET_CHILD_SUBREAPER = 36  # Linux prctl: orphans below this process are re-parented to it, not to init


def _become_subreaper() -> None:
    """Keep every process the script starts below this one (a double fork or ``setsid`` included), so that
    none outlives the capture: at the end, :func:`_end_descendants` finds them all in /proc."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's process-group kill and token scan remain
        pass


def _end_descendants() -> None:
    """Kill every process the script left running (a server, a data loader, a forgotten child)."""
    import signal

    from tfinspect.record.layout import descendants

    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


class Child:
    def __init__(self, args: argparse.Namespace) -> None:
        self.out: str = args.out
        self.options = CaptureOptions.from_json(json.loads(args.options))
        self.script = os.path.abspath(args.script)
        self.real_exit = os._exit
        self.recorder: Recorder | None = None
        self.finished = threading.Event()

    def start(self) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        faulthandler.enable()
        _become_subreaper()
        legacy = self._legacy_keras()  # before TensorFlow is imported: it reads the variable once
        import tensorflow as tf

        from tfinspect.runtime.frames import warm_up

        warm_up()
        if not self.options.verbose:
            tf.get_logger().setLevel("ERROR")  # TF1 deprecation warnings drown the script's output
        tf1 = self.options.tf1
        evidence = []
        if tf1 is None:
            from tfinspect.run.child.tf1 import tf1_evidence

            evidence = tf1_evidence(self.script, tf, tf.compat.v1)
            tf1 = bool(evidence)
        self.recorder = Recorder(self.out, self.options, script=self.script, tf_version=tf.__version__, tf1_mode=tf1)
        try:
            self.recorder.header["gpus"] = len(tf.config.list_physical_devices("GPU"))
        except Exception:  # pragma: no cover - an odd build: not knowing is fine
            pass
        install(self.recorder)
        from tfinspect.runtime import guard

        guard.CAPTURING = True  # a script's own tfinspect.guard() lets the capture's checks speak
        if self.options.datasets:
            from tfinspect.run.child.datasets import install_dataset_hook

            install_dataset_hook(self.recorder)
        if tf1:
            from tfinspect.run.child.tf1 import enable_tf1_alias

            enable_tf1_alias(tf)
            if evidence and not self.options.quiet:
                print(f"tfinspect: running as TF1 code (uses {evidence[0]}); "
                      "'import tensorflow' means tf.compat.v1", file=sys.stderr)
        if legacy is not None and not self.options.quiet:
            print(f"tfinspect: using the legacy Keras (tf_keras) for {legacy}, which Keras 3 does not have; "
                  "TF_USE_LEGACY_KERAS=0 keeps Keras 3", file=sys.stderr)
        os._exit = self._user_exit  # type: ignore[assignment]
        if self.options.timeout > 0 or self.options.memory_limit:
            threading.Thread(target=self._watchdog, daemon=True, name="tfinspect-watchdog").start()

    def _legacy_keras(self):
        """Where the script uses a TF1 layer API that only the legacy Keras has (tf.layers.dense,
        tf.nn.rnn_cell, ...) and tf_keras is installed, select it, as TF_USE_LEGACY_KERAS=1 would.
        Returns the first such use, or None (also when the user set TF_USE_LEGACY_KERAS themselves)."""
        import importlib.util

        if "TF_USE_LEGACY_KERAS" in os.environ or importlib.util.find_spec("tf_keras") is None:
            return None
        from tfinspect.run.child.tf1 import legacy_keras_use

        found = legacy_keras_use(self.script)
        if found is not None:
            os.environ["TF_USE_LEGACY_KERAS"] = "1"
        return found

    def _finish(self, outcome: dict[str, Any]) -> None:
        if self.recorder is not None and not self.finished.is_set():
            self.finished.set()
            self.recorder.snapshot(outcome)
            _end_descendants()
        sys.stdout.flush()
        sys.stderr.flush()

    def _user_exit(self, code: int = 0) -> None:
        status = "exit" if code else "completed"
        self._finish({"status": status, "exit_code": code, "message": f"the script called os._exit({code})"})
        self.real_exit(code)

    def _watchdog(self) -> None:
        """Stop the script past its time or memory limit, after writing what it built."""
        from tfinspect.record.layout import tree_rss_bytes

        limit = self.options.memory_limit
        deadline = time.monotonic() + self.options.timeout if self.options.timeout > 0 else None
        while not self.finished.wait(0.1):
            main = sys._current_frames().get(threading.main_thread().ident)
            if self.recorder is not None:  # the ops the main thread made since its last snapshot
                self.recorder.build_snapshot()
            if deadline is not None and time.monotonic() >= deadline:
                self._finish({
                    "status": "timeout",
                    "message": f"the script was still running after {self.options.timeout:g} s "
                               f"(at {_where(main)}); it was stopped",
                })
                self.real_exit(0)
            if limit and tree_rss_bytes(os.getpid()) > limit:  # the script's own child processes count too
                self._finish({
                    "status": "memory",
                    "message": f"the script used more than {limit / 2**30:.1f} GiB of memory "
                               f"(at {_where(main)}); it was stopped",
                })
                self.real_exit(0)

    def run(self) -> None:
        sys.argv = [self.script, *self.options.argv]
        sys.path[0] = os.path.dirname(self.script)
        outcome: dict[str, Any]
        try:
            runpy.run_path(self.script, run_name="__main__")
            outcome = {"status": "completed"}
        except CaptureStopped:
            outcome = {"status": "stopped"}
            stopped = self.recorder.stopped_at if self.recorder else None
            if stopped and stopped.get("error"):
                outcome["message"] = f"{stopped.get('kind', 'run')} #{stopped['index']} was {stopped['error']}"
            elif stopped and stopped.get("stop_reason"):
                outcome["message"] = f"{stopped.get('kind', 'run')} #{stopped['index']} was not executed: {stopped['stop_reason']}"
        except SystemExit as e:
            code = e.code
            if code is None or code == 0:
                outcome = {"status": "completed", "exit_code": 0}
            else:
                number = code if isinstance(code, int) else 1
                message = f"the script called sys.exit({code!r})"
                outcome = {"status": "exit", "exit_code": number, "message": message}
        except BaseException as e:  # the user's error, reported as data
            frames = _error_frames(e)
            outcome = {"status": "error", "message": error_summary(e), "traceback": format_user_traceback(e),
                       "location": frames[0] if frames else None, "callers": frames[1:4]}
        if outcome["status"] == "completed" and self.recorder and self.recorder.stopped_at is not None:
            outcome = {"status": "stopped"}  # the script swallowed our stop and went on
        self._finish(outcome)
        if self.options.datasets and self.recorder is not None:
            from tfinspect.run.child.datasets import iterate_datasets

            try:
                iterate_datasets(self.recorder, self.out, self.options.datasets)
            except BaseException as e:  # never lose the capture over it
                print(f"tfinspect: could not iterate the datasets: {e}", file=sys.stderr)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="tfinspect-child")
    parser.add_argument("--out", required=True, help="the capture directory to write")
    parser.add_argument("--options", required=True, help="CaptureOptions as JSON")
    parser.add_argument("script")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    child = Child(parse_args(sys.argv[1:] if argv is None else argv))
    try:
        child.start()
    except BaseException as e:  # TensorFlow failed to import, or the hooks failed
        from tfinspect.record.layout import FAILED, write_atomic

        os.makedirs(child.out, exist_ok=True)
        write_atomic(os.path.join(child.out, FAILED),
                     json.dumps({"message": error_summary(e), "traceback": traceback.format_exc()}).encode())
        child.real_exit(3)
    child.run()
    child.real_exit(0)


if __name__ == "__main__":
    main()
