from __future__ import annotations

import pytest

from tfinspect.errors import UsageError
from tfinspect.load.protocol.options import AUTO_MAX_RUNS, RunLimit, RunPolicy


@pytest.mark.parametrize("text, expected", [("auto", RunLimit()), (None, RunLimit()), ("all", RunLimit(unlimited=True)),
                                            ("0", RunLimit(count=0)), (12, RunLimit(count=12))])
def test_parse(text, expected):
    assert RunLimit.parse(text) == expected


@pytest.mark.parametrize("text, message", [("-1", "must not be negative, not -1"), ("lots", "not 'lots'")])
def test_parse_rejects(text, message):
    with pytest.raises(UsageError, match=message):
        RunLimit.parse(text)


def test_auto_lets_each_call_site_run_three_times():
    policy = RunPolicy(RunLimit())
    assert policy.allow("init")
    assert [policy.allow("step") for _ in range(4)] == [True, True, True, False]
    assert policy.allow("eval")  # another line still runs
    assert policy.executed == 5


def test_auto_caps_the_total():
    policy = RunPolicy(RunLimit())
    allowed = [policy.allow(("line", i)) for i in range(AUTO_MAX_RUNS + 5)]
    assert allowed.count(True) == AUTO_MAX_RUNS and not allowed[-1]


def test_count_and_all():
    counted = RunPolicy(RunLimit(count=2))
    assert [counted.allow("x") for _ in range(3)] == [True, True, False]
    unlimited = RunPolicy(RunLimit(unlimited=True))
    assert all(unlimited.allow("x") for _ in range(1000))
    assert str(RunLimit()) == "auto" and str(RunLimit(count=3)) == "3" and str(RunLimit(unlimited=True)) == "all"


def test_library_errors_name_the_argument_and_the_cli_its_flag():
    """An analysis does not know the CLI's flags: the API's error names the parameter, the CLI's the flag."""
    import pytest

    from tfinspect.cli import FLAGS
    from tfinspect.errors import ArgumentError
    from tfinspect.load.protocol.options import RunLimit

    with pytest.raises(ArgumentError) as raised:
        RunLimit.parse("often")
    assert str(raised.value) == "runs takes 'auto', 'all' or a whole number, not 'often'"
    assert raised.value.phrased(FLAGS[raised.value.argument]) == \
        "--runs takes 'auto', 'all' or a whole number, not 'often'"
