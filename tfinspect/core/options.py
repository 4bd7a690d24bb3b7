"""Option values, validated at the boundary with messages that name the bad value."""

from __future__ import annotations

from enum import StrEnum


class Tf1Mode(StrEnum):
    AUTO = "auto"
    ON = "on"
    OFF = "off"

    def as_flag(self) -> bool | None:
        return {Tf1Mode.ON: True, Tf1Mode.OFF: False}.get(self)


def seconds_value(text: str) -> float:
    """argparse type of ``--timeout``: seconds, 0 or more (0: no limit)."""
    import argparse
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if value < 0 or math.isnan(value):
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more seconds, not {text}")
    return value


def depth_value(text: str) -> int:
    """argparse type of ``--depth``: a whole number, 0 or more (0: no limit)."""
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or more, not {value}")
    return value


# The kinds of change `tfinspect diff` reports (its --fail-on and --show take them).
DIFF_KINDS = ("ops", "variables", "placeholders", "signatures", "collections", "runs", "findings")
