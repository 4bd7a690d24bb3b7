"""How many ``Session.run`` calls a captured script executes, and what happens to the others.

The default, ``auto``, lets a script initialise and take the first
``AUTO_STEPS`` steps of each loop for real, then *skims*: a later run at the
same call site (the user's line that calls ``Session.run``), fetching the
same things, does not execute and returns the site's last real result, so the
script's Python goes on to its end (later loops, evaluation, saving) in
seconds. A run that fetches something new executes for real, within
``AUTO_MAX_RUNS`` real runs in all. Skimming is bounded too: at most
``WHILE_SKIMS`` skimmed runs at a line inside a ``while`` loop that reads no
input pipeline (a loop that ends on a fetched value, ``while loss > eps``,
never ends on repeated results), ``SKIM_MAX_RUNS`` in all, and
``SKIM_SECONDS`` of skimming; past a bound the script is stopped and told why. The child stops rather than skims a run that skimming
would misrepresent (one that reads a queue, or calls ``tf.py_func``).

``stop`` is the old default: the first ``AUTO_STEPS`` runs of each line
execute, and the script stops at the next. A number N executes N runs and
stops; ``all`` executes every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from tfinspect.record.options import (AUTO_MAX_RUNS, AUTO_STEPS, SKIM_MAX_RUNS, SKIM_SECONDS, WHILE_SKIMS,
                                      RunLimit)



class CaptureStopped(BaseException):
    """Raised at the run (or TF2 call) that the policy or the guard does not let execute.

    A BaseException, so that the script's own ``except Exception`` (or
    ``except tf.errors.OutOfRangeError``) does not swallow it.
    """


class Verdict(StrEnum):
    REAL = "real"  # execute the run
    SKIM = "skim"  # do not execute it; return the site's last real result
    STOP = "stop"  # do not execute it; stop the script here


@dataclass
class RunPolicy:
    """Decides, run by run, whether a run executes, is skimmed, or the script stops there."""

    limit: RunLimit
    executed: int = 0
    skimmed: int = 0
    per_site: dict[object, int] = field(default_factory=dict)
    skimmed_per_site: dict[object, int] = field(default_factory=dict)
    skim_started: float | None = None  # time.monotonic() of the first skimmed run
    reason: str = ""  # why the last STOP

    def decide(self, site: object, *, known: bool, always_real: bool = False, misleading: str | None = None,
               while_loop: bool = False, monitored: bool = False, now: float | None = None) -> Verdict:
        """What to do with the next run at ``site``. Counts the run.

        Args:
            known: the site ran this fetch structure for real before (a result to return when skimming).
            always_real: the run initialises an input pipeline: it executes (not counted against the budget).
            misleading: why skimming this run would mislead (it stops the script instead).
            while_loop: the line is inside a ``while`` loop, and the run reads no input pipeline (so nothing
                but a fetched value can end the loop).
            monitored: the run goes through a MonitoredSession, whose loop ends when its hooks see fetched
                values (StopAtStepHook: the global step), which skimmed runs would repeat for ever.
        """
        import time

        limit = self.limit
        if limit.unlimited:
            return self._real(site)
        if limit.count is not None:
            return self._real(site) if self.executed < limit.count else self._stop(
                f"the run limit of {limit.count} runs was reached")
        if self.per_site.get(site, 0) < AUTO_STEPS and self.executed < AUTO_MAX_RUNS:
            return self._real(site)
        if not limit.skim:
            return self._stop("the run limit was reached")
        if always_real:
            self.per_site[site] = self.per_site.get(site, 0) + 1
            return Verdict.REAL
        if misleading:
            return self._stop(f"this run cannot be skimmed: {misleading}")
        if monitored and known:
            return self._stop("this run cannot be skimmed: a MonitoredSession's loop ends when its hooks see "
                              "fetched values (StopAtStepHook: the global step), which skimmed runs would repeat")
        if not known:
            if self.executed < AUTO_MAX_RUNS:
                return self._real(site)
            return self._stop(f"{AUTO_MAX_RUNS} runs executed for real, and this one fetches something new")
        now = time.monotonic() if now is None else now
        if self.skim_started is None:
            self.skim_started = now
        if while_loop and self.skimmed_per_site.get(site, 0) >= WHILE_SKIMS:
            return self._stop(f"{WHILE_SKIMS} runs were skimmed at this line, in a while loop: a loop that ends on a "
                              "fetched value (while loss > eps) does not end on repeated results")
        if self.skimmed >= SKIM_MAX_RUNS:
            return self._stop(f"{SKIM_MAX_RUNS} runs were skimmed in all")
        if now - self.skim_started > SKIM_SECONDS:
            return self._stop(f"skimming went on for {SKIM_SECONDS:g} s")
        self.skimmed += 1
        self.skimmed_per_site[site] = self.skimmed_per_site.get(site, 0) + 1
        return Verdict.SKIM

    def _real(self, site: object) -> Verdict:
        self.executed += 1
        self.per_site[site] = self.per_site.get(site, 0) + 1
        return Verdict.REAL

    def _stop(self, reason: str) -> Verdict:
        self.reason = reason
        return Verdict.STOP
