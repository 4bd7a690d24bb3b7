from __future__ import annotations

import pytest

from tfinspect.core.errors import UsageError
from tfinspect.record.options import AUTO_MAX_RUNS, RunLimit
from tfinspect.run.child.policy import RunPolicy


@pytest.mark.parametrize("text, expected", [("auto", RunLimit()), (None, RunLimit()), ("all", RunLimit(unlimited=True)),
                                            ("stop", RunLimit(skim=False)), ("0", RunLimit(count=0)),
                                            (12, RunLimit(count=12))])
def test_parse(text, expected):
    assert RunLimit.parse(text) == expected
    assert RunLimit.parse(str(expected)) == expected  # the child gets it back from its text


@pytest.mark.parametrize("text, message", [("-1", "must not be negative, not -1"), ("lots", "not 'lots'")])
def test_parse_rejects(text, message):
    with pytest.raises(UsageError, match=message):
        RunLimit.parse(text)


def _decide(policy, site, known=True, **kw):
    return policy.decide(site, known=known, **kw).value


def test_auto_runs_the_first_steps_of_each_line_then_skims():
    policy = RunPolicy(RunLimit())
    assert _decide(policy, "init", known=False) == "real"
    assert [_decide(policy, "step") for _ in range(5)] == ["real"] * 3 + ["skim"] * 2
    assert _decide(policy, "eval", known=False) == "real"  # another line still runs
    assert _decide(policy, "step", known=False) == "real"  # the same line fetching something new executes
    assert policy.executed == 6 and policy.skimmed == 2


def test_a_run_that_skimming_would_misrepresent_stops_the_script():
    policy = RunPolicy(RunLimit())
    for _ in range(3):
        _decide(policy, "step")
    assert _decide(policy, "step", misleading="it calls tf.py_func") == "stop"
    assert "tf.py_func" in policy.reason
    assert _decide(policy, "init", always_real=True) == "real"  # an iterator initializer always runs


def test_skimming_is_bounded():
    from tfinspect.record.options import SKIM_SECONDS, WHILE_SKIMS

    policy = RunPolicy(RunLimit())
    for _ in range(3):
        _decide(policy, "loop")
    verdicts = [policy.decide("loop", known=True, while_loop=True, now=0.0).value for _ in range(WHILE_SKIMS + 1)]
    assert verdicts[-1] == "stop" and verdicts.count("skim") == WHILE_SKIMS
    assert "while loss > eps" in policy.reason
    bounded = RunPolicy(RunLimit())  # a for loop over range(N) ends by itself: only time and the total bound it
    for _ in range(3):
        _decide(bounded, "loop")
    assert all(bounded.decide("loop", known=True, now=0.0).value == "skim" for _ in range(WHILE_SKIMS + 1))
    timed = RunPolicy(RunLimit())
    for _ in range(3):
        _decide(timed, "loop")
    assert timed.decide("loop", known=True, now=0.0).value == "skim"
    assert timed.decide("loop", known=True, now=SKIM_SECONDS + 1).value == "stop"


def test_stop_is_the_old_default():
    policy = RunPolicy(RunLimit(skim=False))
    assert [_decide(policy, "step") for _ in range(4)] == ["real"] * 3 + ["stop"]


def test_auto_caps_real_runs():
    policy = RunPolicy(RunLimit())
    verdicts = [_decide(policy, ("line", i), known=False) for i in range(AUTO_MAX_RUNS + 5)]
    assert verdicts.count("real") == AUTO_MAX_RUNS and verdicts[-1] == "stop"


def test_count_and_all():
    counted = RunPolicy(RunLimit(count=2))
    assert [_decide(counted, "x") for _ in range(3)] == ["real", "real", "stop"]
    unlimited = RunPolicy(RunLimit(unlimited=True))
    assert all(_decide(unlimited, "x") == "real" for _ in range(1000))
    assert str(RunLimit()) == "auto" and str(RunLimit(count=3)) == "3" and str(RunLimit(unlimited=True)) == "all"


def test_library_errors_name_the_argument_and_the_cli_its_flag():
    """An analysis does not know the CLI's flags: the API's error names the parameter, the CLI's the flag."""
    import pytest

    from tfinspect.cli import FLAGS
    from tfinspect.core.errors import ArgumentError
    from tfinspect.record.options import RunLimit

    with pytest.raises(ArgumentError) as raised:
        RunLimit.parse("often")
    assert str(raised.value) == "runs takes 'auto', 'stop', 'all' or a whole number, not 'often'"
    assert raised.value.phrased(FLAGS[raised.value.argument]) == \
        "--runs takes 'auto', 'stop', 'all' or a whole number, not 'often'"


def test_a_negative_timeout_is_a_usage_error():
    from tfinspect.cli import main

    assert main(["graph", "model.py", "--timeout", "-5"]) == 2
    assert main(["graph", "model.py", "--timeout", "nan"]) == 2
