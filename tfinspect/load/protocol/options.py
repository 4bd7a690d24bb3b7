"""How many ``Session.run`` calls a captured script may execute.

The default, ``auto``, lets a script initialise and take the first few steps
of its training loop for real, then stops it: every run executes until one
call site (the user's line that calls ``Session.run``) is reached for the
``AUTO_STEPS + 1``-th time, that is after the first ``AUTO_STEPS`` iterations
of any loop, or until ``AUTO_MAX_RUNS`` runs have executed in all. The run
that would exceed the limit does not execute: the script is stopped there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tfinspect.errors import UsageError

DEFAULT_TIMEOUT = 120.0  # seconds a script may run before it is stopped
AUTO_STEPS = 3
AUTO_MAX_RUNS = 50


@dataclass(frozen=True)
class RunLimit:
    """``auto`` (``count is None and not unlimited``), a number, or ``all``."""

    count: int | None = None
    unlimited: bool = False

    @classmethod
    def parse(cls, text: str | int | None) -> RunLimit:
        """Parse ``auto``, ``all`` or a whole number, naming the bad value otherwise."""
        if text is None or text == "auto":
            return cls()
        if text == "all":
            return cls(unlimited=True)
        try:
            count = int(text)
        except (TypeError, ValueError):
            raise UsageError(f"--runs takes 'auto', 'all' or a whole number, not {text!r}") from None
        if count < 0:
            raise UsageError(f"--runs must not be negative, not {count}")
        return cls(count=count)

    def __str__(self) -> str:
        if self.unlimited:
            return "all"
        return "auto" if self.count is None else str(self.count)


@dataclass
class RunPolicy:
    """Decides, run by run, whether a run executes or the script stops there."""

    limit: RunLimit
    executed: int = 0
    per_site: dict[object, int] = field(default_factory=dict)

    def allow(self, site: object) -> bool:
        """Whether the next run, called from ``site``, may execute; counts it if so."""
        if self.limit.unlimited:
            allowed = True
        elif self.limit.count is not None:
            allowed = self.executed < self.limit.count
        else:
            allowed = self.per_site.get(site, 0) < AUTO_STEPS and self.executed < AUTO_MAX_RUNS
        if allowed:
            self.executed += 1
            self.per_site[site] = self.per_site.get(site, 0) + 1
        return allowed
