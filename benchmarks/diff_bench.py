"""`tfinspect diff` of two 100,000-op GraphDefs against `tfinspect summary` of one (docs/performance.md).

    python -m benchmarks.diff_bench

The two graphs are benchmarks/big_graph.py's irregular layers; the second has one op's type changed and one op
added. Each command runs in a fresh process, as a user runs it; the best of 3 is shown.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from benchmarks.big_graph import big_graph_def


def _best(argv: list[str], env: dict[str, str], repeat: int = 5) -> float:
    best = float("inf")
    subprocess.run([sys.executable, "-m", "tfinspect", *argv], capture_output=True, env=env)  # warm the caches
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "tfinspect", *argv], capture_output=True, env=env)
        best = min(best, time.perf_counter() - started)
    return best


def _environments(folder: str) -> dict[str, dict[str, str]]:
    """As a user runs it: Python's bytecode caches written (a pip install compiles them; here into a folder of
    the benchmark's own). And without them (PYTHONDONTWRITEBYTECODE=1: every module compiled at each start),
    which favours the command that imports less."""
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = os.path.join(folder, "pycache")
    return {"bytecode cached": cached, "no bytecode cache": {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}}


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        old, new = os.path.join(folder, "old.pb"), os.path.join(folder, "new.pb")
        graph = big_graph_def(100_000, shape="irregular")
        with open(old, "wb") as f:
            f.write(graph.SerializeToString())
        graph.node[10].op = "Sigmoid"
        graph.node.add(name="tower_0/layer_3/extra", op="Relu", input=["tower_0/layer_3/op_5"])
        with open(new, "wb") as f:
            f.write(graph.SerializeToString())
        for label, env in _environments(folder).items():
            summary = _best(["summary", old], env)
            plain = _best(["diff", old, new, "--no-check"], env)
            checked = _best(["diff", old, new], env)
            print(f"\n{label}:\n")
            print("| command | time | against summary |")
            print("| --- | ---: | ---: |")
            print(f"| `summary old.pb` ({len(graph.node) - 1:,} ops) | {summary:.2f} s | 1.0× |")
            print(f"| `diff old.pb new.pb --no-check` | {plain:.2f} s | {plain / summary:.2f}× |")
            print(f"| `diff old.pb new.pb` (with check on both) | {checked:.2f} s | {checked / summary:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
