"""Ordinary, correct TF2 programs (tf.function, GradientTape, tf.Module, Keras fit/evaluate/predict): check is
silent, graph lists their functions, variables (by owner path) and calls, and each runs under plain TensorFlow.

A finding on one of these is a false alarm; "no findings" must also mean something: the lookups of each
program are checked (no TFI006), which the golden file of each shows with its functions.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import each_run, FIXTURES, run_cli_cached

CLEAN = sorted(p.name for p in (FIXTURES / "clean_tf2").glob("*.py"))


def _summary(graph: dict) -> str:
    """What graph says of a TF2 program, one line each: its outcome, each trace of each function (with why it
    was traced again), and its distinct variables with their shapes."""
    lines = [f"outcome {graph['outcome']['status']}", f"tf1_mode {graph['tf1_mode']}"]
    for g in graph["graphs"]:
        f = g["function"]
        if f is not None:
            lines.append(f"function {f['name']} trace {f['trace']}: ({f['signature']})"
                         + (f" again because {f['reason']}" if f["reason"] else ""))
    variables = {v["name"]: v["shape"] for v in graph["variables"]}
    lines += [f"variable {name} {shape}" for name, shape in sorted(variables.items())]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", CLEAN)
def test_no_check_findings(name):
    result = run_cli_cached("check", str(FIXTURES / "clean_tf2" / name), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    assert result.json()["findings"] == [], result.out


@pytest.mark.parametrize("name", CLEAN)
def test_graph_lists_functions_variables_and_calls(name, golden):
    result = run_cli_cached("graph", str(FIXTURES / "clean_tf2" / name), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    data = result.json()
    assert data["outcome"]["status"] == "completed"
    traces = [g for g in data["graphs"] if g["function"] is not None]
    assert traces and all(g["ops"] > 0 for g in traces)
    calls = [r for r in each_run(data) if r["kind"] == "call"]
    assert calls and {r["graph"] for r in calls} <= {g["id"] for g in traces}
    assert sum(g["function"]["calls"] for g in traces) == len(calls)
    golden(f"clean_tf2/{name.removesuffix('.py')}.txt", _summary(data))


@pytest.mark.parametrize("name", CLEAN)
def test_runs_under_plain_tensorflow(name, tmp_path):
    """The oracle: each fixture is a working TF2 program."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([sys.executable, str(FIXTURES / "clean_tf2" / name)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
