"""What a fetch runs: tfinspect (load .pb + index + reach) against extract_sub_graph alone.

tfinspect's side is timed in this process from reading the file to the node
set; TensorFlow's side is timed in a child process around
``tf.compat.v1.graph_util.extract_sub_graph`` only (its import and its
parsing of the file are not counted).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from benchmarks.graphs import generate, last_node

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TF_SIDE = r"""
import json, sys, time
import tensorflow as tf
from tensorflow.core.framework.graph_pb2 import GraphDef
gd = GraphDef(); gd.ParseFromString(open(sys.argv[1], "rb").read())
start = time.perf_counter()
sub = tf.compat.v1.graph_util.extract_sub_graph(gd, [sys.argv[2]])
elapsed = time.perf_counter() - start
json.dump({"seconds": elapsed, "nodes": sorted(n.name for n in sub.node)}, open(sys.argv[3], "w"))
"""


def tfinspect_query(path: str, fetch: str) -> tuple[float, list[str]]:
    from tfinspect.analyses.subgraph import plan
    from tfinspect.index.graphindex import index_of
    from tfinspect.readers import load_graph_file

    start = time.perf_counter()
    capture = load_graph_file(path)  # what `tfinspect subgraph graph.pb` loads
    index = index_of(capture.graphs[0])
    names = plan(index, [fetch]).ran  # the node set, as names (extract_sub_graph returns nodes)
    return time.perf_counter() - start, sorted(names)


FRESH_SIDE = r"""
import json, sys, time
from benchmarks.graphs import generate, last_node
from benchmarks.subgraph_bench import tfinspect_query
tiny = generate(100, sys.argv[3])
tfinspect_query(tiny, last_node(100))  # imports and first-use set-up, on another graph
seconds, names = tfinspect_query(sys.argv[1], sys.argv[2])
print(json.dumps(seconds))
"""


def tfinspect_fresh(path: str, fetch: str, workdir: str) -> float:
    """One query as the first real work of a new process (its memory not yet reused), like the TF side."""
    completed = subprocess.run([sys.executable, "-c", FRESH_SIDE, path, fetch, os.path.join(workdir, "tiny.pb")],
                               check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(completed.stdout)


def tensorflow_query(path: str, fetch: str, workdir: str) -> tuple[float, list[str]]:
    out = os.path.join(workdir, "tf_side.json")
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run([sys.executable, "-c", TF_SIDE, path, fetch, out], check=True, env=env,
                   stderr=subprocess.DEVNULL)
    with open(out) as f:
        data = json.load(f)
    return data["seconds"], data["nodes"]


def run(sizes: list[int], workdir: str, repeat: int = 5) -> list[dict]:
    rows = []
    for size in sizes:
        path = generate(size, os.path.join(workdir, f"graph_{size}.pb"))
        fetch = last_node(size)
        ours = [tfinspect_query(path, fetch) for _ in range(repeat)]
        ours_seconds = min(t for t, _ in ours)
        times = repeat if size < 1_000_000 else 1  # a million-node extract_sub_graph takes 10 s and more
        fresh_seconds = min(tfinspect_fresh(path, fetch, workdir) for _ in range(min(times, 3)))
        theirs = [tensorflow_query(path, fetch, workdir) for _ in range(min(times, 3))]
        theirs_seconds, theirs_nodes = min(theirs)
        rows.append({
            "nodes": size,
            "tfinspect_s": ours_seconds,
            "tfinspect_fresh_s": fresh_seconds,
            "extract_sub_graph_s": theirs_seconds,
            "ratio": theirs_seconds / ours_seconds,
            "fresh_ratio": theirs_seconds / fresh_seconds,
            "same_nodes": ours[0][1] == theirs_nodes,
            "subgraph_nodes": len(theirs_nodes),
        })
    return rows
