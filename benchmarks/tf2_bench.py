"""What capturing a TF2 program costs: a Keras ``fit`` run plainly, under ``tfinspect graph --runs all`` (every
call executes: the capture's own cost) and under the default (calls skimmed after the first of each line).

    python -m benchmarks.tf2_bench

The script is fixtures/tf2/keras_fit_steps.py (an Embedding of 20,000 x 64, pooling, two dense layers of 256,
batches of 32) at 200 steps and at 10,000 steps. Each command in a fresh process, best of 3 (of 1 for the
10,000 steps run plainly and with --runs all).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "fixtures", "tf2", "keras_fit_steps.py")


def _best(command: list[str], rounds: int) -> float:
    best = float("inf")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for _ in range(rounds):
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    tfinspect = [sys.executable, "-m", "tfinspect", "graph", "--quiet", "--format", "json", SCRIPT]
    print("| steps | plain `python` | `graph --runs all` | `graph` (default: skim) |")
    print("| ---: | ---: | ---: | ---: |")
    for steps, rounds in ((200, 3), (10_000, 1)):
        plain = _best([sys.executable, SCRIPT, str(steps)], rounds)
        full = _best(tfinspect[:4] + ["--runs", "all"] + tfinspect[4:] + ["--", str(steps)], rounds)
        skim = _best(tfinspect + ["--", str(steps)], 3)
        print(f"| {steps:,} | {plain:.1f} s | {full:.1f} s (+{full - plain:.1f} s) | {skim:.1f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
