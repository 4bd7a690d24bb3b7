"""Skimming, the default ``--runs auto``: a script reaches its end in seconds, and what stays true.

Each danger of skimming has a fixture in fixtures/skim/ that would mislead if skimmed naively.
"""

from __future__ import annotations

from collections import Counter

from tests.conftest import FIXTURES, run_cli, run_cli_cached

SKIM = FIXTURES / "skim"


def _graph(name: str, *extra: str):
    result = run_cli_cached("graph", str(SKIM / name), "--format", "json", *extra)
    assert result.code == 0, result.err
    return result, result.json()


def _statuses(runs, line: int) -> list[str]:
    return [r["status"] for r in runs if r["source"] and r["source"]["line"] == line]


def test_lazy_loading_shows_both_loops_and_the_graph_growing():
    _, data = _graph("lazy_loading.py")
    assert data["outcome"]["status"] == "completed"
    assert {"x", "y", "x_1", "y_1"} <= {v["name"] for v in data["variables"]}
    # The first loop fetches the same z: 3 real runs, then skimmed.
    assert _statuses(data["runs"], 14) == ["ok"] * 3 + ["skimmed"] * 7
    # The second loop fetches a new Add op at every step: each executes, and the graph grows while it runs.
    second = [r for r in data["runs"] if r["source"] and r["source"]["line"] == 22]
    assert [r["status"] for r in second] == ["ok"] * 10
    assert [r["fetches"][0] for r in second] == [f"Add_{i}:0" for i in range(1, 11)]
    assert [r["ops_before"] for r in second] == list(range(20, 30))


def test_the_runs_table_says_which_runs_were_real_and_which_skimmed():
    result = run_cli_cached("graph", str(SKIM / "lazy_loading.py"))
    assert "3 + 7 skimmed" in result.out
    assert "22 Session.run calls (15 executed, 7 skimmed)" in result.out
    assert "tfinspect: skimming from run #4 (lazy_loading.py:14)" in result.err


def test_check_finds_a_bad_id_at_step_500_and_tensorflow_never_executes_it():
    result = run_cli("check", str(SKIM / "bad_id_at_step_500.py"), "--format", "json")
    assert result.code == 1, result.err
    (finding,) = result.json()["findings"]
    assert finding["code"] == "TFI002" and finding["evidence"]["run"] == 501
    assert "TensorFlow did not execute run #501" in result.err
    assert "final loss" not in result.err  # stopped there: the script's end was not reached


def test_a_dataset_still_ends_where_it_would():
    result, data = _graph("dataset_epochs.py")
    assert data["outcome"]["status"] == "completed"
    assert [f"epoch {e} steps 100" in result.err for e in range(3)] == [True] * 3 and "done" in result.err
    counts = Counter(_statuses(data["runs"], 19))
    assert counts == {"ok": 3, "skimmed": 297, "error": 3}  # each epoch's end: OutOfRangeError, as in TensorFlow
    assert _statuses(data["runs"], 15) == ["ok"] * 3  # the iterator's initializer always executes


def test_a_queue_still_ends_where_it_would():
    result, data = _graph("queue_epochs.py")
    assert data["outcome"]["status"] == "completed"
    assert "epochs done after 40 steps" in result.err


def test_a_loop_that_ends_on_a_fetched_value_is_stopped_and_says_why():
    from tfinspect.record.options import WHILE_SKIMS

    _, data = _graph("while_loss.py")
    assert data["outcome"]["status"] == "stopped"
    stop = data["runs"][-1]
    assert stop["status"] == "stopped" and "while loss > eps" in stop["stop_reason"]
    assert Counter(_statuses(data["runs"], 16)) == {"ok": 3, "skimmed": WHILE_SKIMS, "stopped": 1}


def test_a_run_that_calls_py_func_is_not_skimmed():
    result, data = _graph("py_func_step.py")
    assert data["outcome"]["status"] == "stopped"
    assert _statuses(data["runs"], 24) == ["ok"] * 3 + ["stopped"]
    assert "tf.py_func" in data["runs"][-1]["stop_reason"]
    assert "batches logged" not in result.err


def test_runs_stop_is_the_old_default():
    _, data = _graph("lazy_loading.py", "--runs", "stop")
    assert data["outcome"]["status"] == "stopped"
    assert _statuses(data["runs"], 14) == ["ok"] * 3 + ["stopped"]
    assert data["runs"][-1]["stop_reason"] == "the run limit was reached"


def test_lecture_fixtures_run_to_their_last_line():
    for script in sorted((FIXTURES / "lectures").glob("*.py")):
        result = run_cli_cached("graph", str(script), "--format", "json", "--quiet")
        outcome = result.json()["outcome"]
        assert outcome["status"] == "completed", (script.name, outcome)
