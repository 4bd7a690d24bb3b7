"""Ordinary, correct TF1 models as tutorials write them: no scope notes, no check warnings.

A note or finding on one of these is a false alarm; the only ones allowed are listed here with the
reason a senior TensorFlow engineer would agree with them. Every fixture also runs under plain
TensorFlow (the oracle): it must finish, so each is a real, working model.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import FIXTURES, run_cli_cached

CLEAN = sorted(p.name for p in (FIXTURES / "clean").glob("*.py"))

# Explanations (not notes) that correct code still gets, and why they are right.
EXPLANATIONS = {
    # discriminator(fake, reuse=True) re-enters variable_scope("discriminator"): the shared variables
    # are read by ops in the new name scope discriminator_1/, which is what TensorBoard shows.
    "gan.py": ["reuse_in_new_name_scope:discriminator/w1"],
    # tower_loss() calls get_variable inside name_scope("tower_0"): the variables are "w" and "b",
    # not "tower_0/w"; the second tower reuses them from name scope tower_1/.
    "multi_tower.py": ["get_variable_ignores_name_scope:w", "get_variable_ignores_name_scope:b",
                       "reuse_in_new_name_scope:w"],
    # The AUTO_REUSE tower's second call lands its ops in siamese_1/.
    "siamese_shared.py": ["reuse_in_new_name_scope:siamese/w1"],
    # The output layer's get_variable("W") inside name_scope("output") makes "W", not "output/W".
    "text_cnn.py": ["get_variable_ignores_name_scope:W"],
}

NEEDS_LEGACY_KERAS = {"layers_batch_norm.py", "lstm_classifier.py", "seq2seq.py", "ema_eval.py"}


def _skip_without_legacy_keras(name: str) -> None:
    if name in NEEDS_LEGACY_KERAS:
        pytest.importorskip("tf_keras", reason="tf.layers / tf.nn.rnn_cell need tf_keras beside TensorFlow 2.16+")


def _scopes_summary(data: dict) -> str:
    """What scopes says of a model, one line each: its variables with who made them, then every note and
    explanation by kind and names (the golden file of each clean model)."""
    lines = [f"{v['name']}  {v['made_by'] or v['created_by']}{'  reused' if v['reused'] else ''}"
             for v in data["variables"]]
    lines += [f"note {n['kind']}: {', '.join(n['names'])}" for n in data["notes"]]
    lines += [f"explanation {n['kind']}: {', '.join(n['names'])}" for n in data["explanations"]]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", CLEAN)
def test_no_scope_notes(name, golden):
    _skip_without_legacy_keras(name)
    result = run_cli_cached("scopes", str(FIXTURES / "clean" / name), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    data = result.json()
    golden(f"clean/{name.removesuffix('.py')}.txt", _scopes_summary(data))
    assert data["notes"] == []
    assert [f"{e['kind']}:{e['names'][0]}" for e in data["explanations"]] == EXPLANATIONS.get(name, [])
    made = {v["name"]: v["made_by"] for v in data["variables"]}
    for variable, maker in made.items():  # what TensorFlow made on the user's behalf is marked so
        if variable.endswith(("/Adam", "/Adam_1", "beta1_power", "beta2_power")):
            assert maker == "AdamOptimizer", variable
        if "ExponentialMovingAverage" in variable:
            assert maker == "ExponentialMovingAverage", variable


@pytest.mark.parametrize("name", CLEAN)
def test_no_check_findings(name):
    _skip_without_legacy_keras(name)
    result = run_cli_cached("check", str(FIXTURES / "clean" / name), "--format", "json", "--quiet")
    assert result.code == 0, result.err
    assert result.json()["findings"] == [], result.out


@pytest.mark.parametrize("name", CLEAN)
def test_runs_under_plain_tensorflow(name, tmp_path):
    """The oracle: each fixture is a working TF1 program (run as tf.compat.v1, as TF1 scripts run on TF 2)."""
    _skip_without_legacy_keras(name)
    code = ("import runpy, sys, tensorflow.compat.v1 as tf; tf.disable_v2_behavior(); "
            f"sys.modules['tensorflow'] = tf; runpy.run_path({str(FIXTURES / 'clean' / name)!r}, run_name='__main__')")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", TF_USE_LEGACY_KERAS="1")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_adam_slots_under_a_name_scope_are_not_blamed():
    """The issue's example: Adam under name_scope("train") gave a note with a stray 'layer/w/Adam/'."""
    result = run_cli_cached("scopes", str(FIXTURES / "clean" / "gan.py"), "--format", "json", "--quiet")
    variables = {v["name"]: v for v in result.json()["variables"]}
    slot = variables["discriminator/w1/Adam"]
    assert slot["made_by"] == "AdamOptimizer" and slot["created_by"] == "get_variable"
    assert variables["train/beta1_power"]["made_by"] == "AdamOptimizer"
    assert not any(v["name"].endswith("/") for v in result.json()["variables"])
