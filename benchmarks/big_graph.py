"""Pictures of big graphs: the time to a finished svg of generated GraphDefs of 160,000 and 1,000,000 ops.

    python -m benchmarks.big_graph                 # both sizes
    python -m benchmarks.big_graph --ops 160000

Each graph has two towers of numbered layers (tower_0/layer_0 .. tower_1/layer_79 for 160,000 ops, 160 scopes),
each layer a chain of ops of a few types, built with the protobuf classes alone. The timing runs
``tfinspect dump graph.pb --format svg`` as a user would, in a fresh process; docs/performance.md records it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

OPS_PER_LAYER = 1000
TYPES = ("MatMul", "AddV2", "Relu", "Identity", "Mul")


def big_graph_def(ops: int, towers: int = 2, shape: str = "layers"):
    """A GraphDef of about ``ops`` ops in ``towers`` towers of numbered layers, each layer a chain.

    ``shape``: ``layers`` (identical layers: a series), ``irregular`` (layers of different sizes: one box each),
    ``flat`` (no scopes at all: ops grouped by type), ``dense`` (irregular layers whose ops take a second input
    from anywhere earlier 30% of the time: thousands of edges between the boxes)."""
    import random

    from tensorboard.compat.proto.graph_pb2 import GraphDef

    far = random.Random(0)
    made: list[str] = []

    graph = GraphDef()
    layers = max(1, ops // (towers * OPS_PER_LAYER))
    graph.node.add(name="input", op="Placeholder")
    for tower in range(towers):
        previous = "input"
        for layer in range(layers):
            size = OPS_PER_LAYER + (layer % 7) * 10 if shape in ("irregular", "dense") else OPS_PER_LAYER
            for k in range(size):
                name = f"tower_{tower}/layer_{layer}/op_{k}" if shape != "flat" else f"op_{tower}_{layer}_{k}"
                node = graph.node.add(name=name, op=TYPES[k % len(TYPES)])
                node.input.append(previous)
                if shape == "dense" and made and far.random() < 0.3:
                    node.input.append(made[far.randrange(len(made))])
                made.append(name)
                previous = name
        graph.node.add(name=f"output_{tower}", op="Identity", input=[previous])
    return graph


def _browser(page: str, folder: str) -> str:
    """Seconds for headless Chromium to load the page and draw it (its DOM dumped), or '-' without Chromium."""
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return "-"
    started = time.perf_counter()
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={folder}/profile", "--dump-dom", "file://" + page],
                          capture_output=True, text=True, timeout=600)
    drawn = re.search(r'id="status">(\d+) boxes', done.stdout)
    return f"{time.perf_counter() - started:.1f} s ({drawn.group(1)} boxes)" if drawn else "failed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.big_graph")
    parser.add_argument("--ops", type=int, action="append", help="graph sizes (default 160000 and 1000000)")
    parser.add_argument("--shape", action="append", choices=("layers", "irregular", "flat", "dense"),
                        help="how the graph is scoped (default: all three)")
    args = parser.parse_args(argv)
    print("| ops | scopes | .pb | boxes | svg | time to svg | time to html | html | browser draws it |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for ops, shape in [(o, s) for o in args.ops or [160_000, 1_000_000] for s in args.shape or
                       ("layers", "irregular", "flat", "dense")]:
        with tempfile.TemporaryDirectory() as folder:
            pb = os.path.join(folder, "big.pb")
            with open(pb, "wb") as f:
                f.write(big_graph_def(ops, shape=shape).SerializeToString())
            svg = os.path.join(folder, "big.svg")
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "tfinspect", "dump", pb, "--format", "svg", "-o", svg],
                                  capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            with open(svg, encoding="utf-8") as f:
                boxes = len(re.findall(r'<g id="node\d+" class="node">', f.read()))
            page = os.path.join(folder, "big.html")
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "tfinspect", "dump", pb, "--format", "html", "-o", page],
                           capture_output=True, check=True)
            to_html = time.perf_counter() - started
            print(f"| {ops:,} | {shape} | {os.path.getsize(pb) >> 20} MiB | {boxes} | {os.path.getsize(svg) >> 10} KiB | "
                  f"{elapsed:.1f} s | {to_html:.1f} s | {os.path.getsize(page) >> 20} MiB | {_browser(page, folder)} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
