"""The options of a capture: ``CaptureOptions`` and its run limit, shared by the API, the CLI and the child.

The run policy that applies the limit, run by run, is ``tfinspect.run.child.policy``.
"""

from __future__ import annotations

from dataclasses import dataclass

from tfinspect.core.errors import ArgumentError

DEFAULT_TIMEOUT = 120.0  # seconds a script may run before it is stopped
AUTO_STEPS = 3
AUTO_MAX_RUNS = 50
WHILE_SKIMS = 10_000
SKIM_MAX_RUNS = 1_000_000
SKIM_SECONDS = 60.0


@dataclass(frozen=True)
class RunLimit:
    """``auto`` (skim), ``stop`` (the first runs of each line, then stop), a number, or ``all``."""

    count: int | None = None
    unlimited: bool = False
    skim: bool = True  # auto: skim the runs past the first of each line (else stop there)

    @classmethod
    def parse(cls, text: str | int | None) -> RunLimit:
        """Parse ``auto``, ``stop``, ``all`` or a whole number, naming the bad value otherwise."""
        if text is None or text == "auto":
            return cls()
        if text == "stop":
            return cls(skim=False)
        if text == "all":
            return cls(unlimited=True)
        try:
            count = int(text)
        except (TypeError, ValueError):
            raise ArgumentError("runs", f"{{name}} takes 'auto', 'stop', 'all' or a whole number, not {text!r}") \
                from None
        if count < 0:
            raise ArgumentError("runs", f"{{name}} must not be negative, not {count}")
        return cls(count=count)

    def __str__(self) -> str:
        if self.unlimited:
            return "all"
        if self.count is not None:
            return str(self.count)
        return "auto" if self.skim else "stop"


@dataclass(frozen=True)
class CaptureOptions:
    """How to capture a source: the one record the API, the CLI and the child share.

    The parent passes it to the child as JSON (``to_json`` / ``from_json``), so an option is
    added in one place. What is not data (where the script's output goes, a progress callback)
    is passed beside it, never in it.
    """

    argv: tuple[str, ...] = ()  # the script's own arguments
    runs: RunLimit = RunLimit()
    tf1: bool | None = None  # None: detect from the script
    timeout: float = DEFAULT_TIMEOUT  # seconds (0: no limit)
    memory_limit: int | None = None  # bytes (None: three quarters of the machine's or container's)
    quiet: bool = False  # hide the script's output and tfinspect's notes
    verbose: bool = False  # pass TensorFlow's start-up noise through too
    cwd: str | None = None  # None: the script's own directory
    script: bool = False  # run the source as a script whatever its name (else only a .py name runs)
    trace: bool = False  # record what TensorFlow executed for each run (graph rewrites off)
    datasets: int = 0  # iterate the script's datasets up to this many elements (0: not at all)
    guard: bool = False  # do not execute a run whose ids are out of range (`check`)
    run_metadata: bool = False  # keep TensorFlow's RunMetadata of the first runs of each call site
    origin: str = "script"  # "script" | "lecture"
    label: str | None = None  # what the capture calls its source (default: the script's path)

    def to_json(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["argv"] = list(self.argv)
        data["runs"] = str(self.runs)
        return data

    @classmethod
    def from_json(cls, data: dict) -> CaptureOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["argv"] = tuple(known.get("argv", ()))
        known["runs"] = RunLimit.parse(known.get("runs"))
        return cls(**known)
