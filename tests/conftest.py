"""Shared test helpers: run the CLI in-process, fixture flavours, golden files, shared data."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED_DATA = REPO.parent / "shared" / "data"

TF1_IMPORT = "import tensorflow as tf\n"
# Same line count, so the source lines tests expect hold for both flavours.
COMPAT_IMPORT = "import tensorflow.compat.v1 as tf; tf.disable_v2_behavior()\n"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from current output")


_CACHE_VARIABLE = "TFINSPECT_TEST_CACHE"


def pytest_configure(config):
    """The session's capture cache: one folder, made by the process that starts the workers (pytest-xdist's
    workers inherit its environment), shared by every test file on every worker."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None and _CACHE_VARIABLE not in os.environ:
        import tempfile

        os.environ[_CACHE_VARIABLE] = tempfile.mkdtemp(prefix="tfinspect-test-cache-")
        config._tfinspect_cache = os.environ[_CACHE_VARIABLE]


def pytest_unconfigure(config):
    folder = getattr(config, "_tfinspect_cache", None)
    if folder:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(_CACHE_VARIABLE, None)


def pytest_collection_modifyitems(config, items):
    """The fast tier (``pytest -m fast``, well under a minute): every unit test (no TensorFlow child
    process), and integration tests marked ``fast`` one by one."""
    unit = Path(__file__).resolve().parent / "unit"
    for item in items:
        if Path(str(item.fspath)).resolve().is_relative_to(unit):
            item.add_marker(pytest.mark.fast)


@pytest.fixture(autouse=True)
def _the_fast_tier_starts_no_tensorflow_child(request, monkeypatch):
    """A test of the fast tier that would run a script in a TensorFlow child process fails, saying so."""
    if request.node.get_closest_marker("fast") is None:
        return

    def refused(*args, **kwargs):
        raise AssertionError(f"{request.node.nodeid} is in the fast tier (pytest -m fast) but runs a script in a "
                             "TensorFlow child process: move it to tests/integration/")

    monkeypatch.setattr("tfinspect.run.runner.run_script", refused)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run_cli(*argv: str) -> CliResult:
    """Run ``tfinspect`` in-process, capturing its stdout and stderr (and the script's output)."""
    from tfinspect.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return CliResult(code, out.getvalue(), err.getvalue())


_cache: dict[tuple, CliResult] = {}


def run_cli_cached(*argv: str) -> CliResult:
    """Like run_cli, once per argument list (and working directory) per test session, across test files and
    workers: captures take seconds. The first worker to ask runs it; another asking meanwhile waits for it."""
    key = (os.getcwd(), *argv)
    if key in _cache:
        return _cache[key]
    folder = os.environ.get(_CACHE_VARIABLE)
    if not folder or not os.path.isdir(folder):
        _cache[key] = run_cli(*argv)
        return _cache[key]
    import fcntl
    import hashlib

    stem = os.path.join(folder, hashlib.sha256(json.dumps(key).encode()).hexdigest())
    with open(stem + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(stem + ".json", encoding="utf-8") as f:
                result = CliResult(**json.load(f))
        except (OSError, ValueError):
            result = run_cli(*argv)
            with open(stem + ".tmp", "w", encoding="utf-8") as f:
                json.dump(result.__dict__, f)
            os.replace(stem + ".tmp", stem + ".json")
    _cache[key] = result
    return result


def fixture_path(relative: str, flavour: str = "tf1", workdir: Path | None = None) -> str:
    """A fixture script, as written ("tf1") or rewritten as tf.compat.v1 code ("compat")."""
    path = FIXTURES / relative
    if flavour == "tf1":
        return str(path)
    text = path.read_text()
    assert TF1_IMPORT in text, f"{relative} has no plain 'import tensorflow as tf' line"
    target_dir = workdir or Path(os.environ.get("TFINSPECT_TEST_TMP", "/tmp")) / "tfinspect-compat"
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / path.name
    target.write_text(text.replace(TF1_IMPORT, COMPAT_IMPORT, 1))
    return str(target)


def skip_without_legacy_keras(script: Path | str) -> None:
    """Skip, saying why, a test of a script that uses tf.layers / tf.nn.rnn_cell where tf_keras is not installed
    (TensorFlow 2.16+ ships Keras 3, which has neither; the README says when users need tf_keras)."""
    import importlib.util

    from tfinspect.run.child.tf1 import legacy_keras_use

    found = legacy_keras_use(str(script))
    if found is not None and importlib.util.find_spec("tf_keras") is None:
        pytest.skip(f"{Path(script).name} uses {found.expression}, which needs tf_keras "
                    "beside TensorFlow 2.16+ (pip install --no-deps tf_keras)")


_SHOULD_EMIT = re.compile(r"^# Should emit (?P<items>.+?) \(exit (?P<exit>\d)[;)]", re.M)
_EMITTED = re.compile(r"^(TFI\d{3}) (\S+):(\d+)$")


def expected_findings(fixture: Path | str) -> tuple[int, list[tuple[str, str, int]]]:
    """A check fixture's exit code and findings (code, op, line), read from its header:
    ``# Should emit TFI002 embed/embedding:22, TFI005 sampler:25 (exit 1): why...`` or ``# Should emit nothing
    (exit 0)``."""
    match = _SHOULD_EMIT.search(Path(fixture).read_text(encoding="utf-8"))
    assert match, f"{fixture}: its header needs '# Should emit CODE OP:LINE, ... (exit N)' or '# Should emit nothing'"
    items = match.group("items")
    found = []
    for item in ([] if items == "nothing" else items.split(", ")):
        parsed = _EMITTED.match(item)
        assert parsed, f"{fixture}: {item!r} is not 'CODE OP:LINE'"
        found.append((parsed.group(1), parsed.group(2), int(parsed.group(3))))
    return int(match.group("exit")), found


def shared_data(name: str) -> Path:
    """A file of ../shared/data; skips the test, saying why, when it is absent."""
    path = SHARED_DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared/data is only beside the repo in the team's checkout)")
    return path


def normalise(text: str) -> str:
    """Make rendered output stable: TensorFlow's version, trailing spaces."""
    text = re.sub(r"TensorFlow \d+\.\d+\.\d+\S*", "TensorFlow X.Y.Z", text)
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


@pytest.fixture
def golden(request):
    """``golden(name, text)`` compares with tests/golden/name, or rewrites it with --update-golden."""

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        text = normalise(text)
        if request.config.getoption("--update-golden") or not path.exists():
            if not request.config.getoption("--update-golden"):
                pytest.fail(f"{path} does not exist; run pytest --update-golden to create it")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert text == path.read_text(), f"output differs from {path} (pytest --update-golden rewrites it)"

    return check


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")


def each_run(document: dict) -> list[dict]:
    """graph's JSON runs one per run, in index order: an entry standing for several skimmed runs (schema 2's
    ``count`` and ``indexes``) is repeated for each, with its index."""
    runs = []
    for entry in document["runs"]:
        for first, last, step in entry["indexes"]:
            runs.extend({**entry, "index": index} for index in range(first, last + 1, step))
    return sorted(runs, key=lambda r: r["index"])
