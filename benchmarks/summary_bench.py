"""``tfinspect summary`` on a generated .pb, as a whole cold process, against importing TensorFlow alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from benchmarks.graphs import generate


def _best(command: list[str], repeat: int) -> float:
    best = float("inf")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        best = min(best, time.perf_counter() - start)
    return best


def run(sizes: list[int], workdir: str, repeat: int = 3) -> list[dict]:
    tf_import = _best([sys.executable, "-c", "import tensorflow"], repeat)
    rows = []
    for size in sizes:
        path = generate(size, os.path.join(workdir, f"graph_{size}.pb"))
        seconds = _best([sys.executable, "-m", "tfinspect", "summary", path, "--format", "json"], repeat)
        rows.append({"nodes": size, "summary_s": seconds, "import_tensorflow_s": tf_import,
                     "ratio": tf_import / seconds})
    return rows
