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


def transformer_graph_def(layers: int = 152, width: int = 9):
    """A GraphDef shaped like a TensorFlow-made transformer with Adam (about 750 ops a layer at ``layers=152``:
    about 114,000 ops): ``layer_<i>/attention/{query,key,value,output}/``, ``layer_<i>/ffn/{dense_1,dense_2}/``,
    ``layer_<i>/norm/``, their gradients under ``gradients/layer_<i>/`` and Adam's updates under
    ``Adam/update_layer_<i>/``."""
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    graph = GraphDef()
    graph.node.add(name="input", op="Placeholder")

    def add(name, op, *inputs):
        graph.node.add(name=name, op=op, input=list(inputs))
        return name

    def dense(scope, x):
        kernel = add(f"{scope}/kernel", "VarHandleOp")
        read = add(f"{scope}/kernel/Read/ReadVariableOp", "ReadVariableOp", kernel)
        h = add(f"{scope}/MatMul", "MatMul", x, read)
        for k in range(width * 6):  # reshapes, casts and the like that real layers carry
            h = add(f"{scope}/op_{k}", ("Reshape", "Cast", "Identity", "AddV2")[k % 4], h)
        return h, kernel

    previous, variables = "input", []
    for i in range(layers):
        heads = []
        for part in ("query", "key", "value"):
            h, kernel = dense(f"layer_{i}/attention/{part}", previous)
            heads.append(h)
            variables.append(kernel)
        scores = add(f"layer_{i}/attention/scores", "BatchMatMulV2", heads[0], heads[1])
        weights = add(f"layer_{i}/attention/softmax", "Softmax", scores)
        mixed = add(f"layer_{i}/attention/mix", "BatchMatMulV2", weights, heads[2])
        out, kernel = dense(f"layer_{i}/attention/output", mixed)
        variables.append(kernel)
        normed = add(f"layer_{i}/norm/add", "AddV2", out, previous)
        for k in range(width * 4):
            normed = add(f"layer_{i}/norm/op_{k}", ("Mean", "Sub", "Square", "Rsqrt", "Mul")[k % 5], normed)
        h, kernel = dense(f"layer_{i}/ffn/dense_1", normed)
        variables.append(kernel)
        h = add(f"layer_{i}/ffn/relu", "Relu", h)
        h, kernel = dense(f"layer_{i}/ffn/dense_2", h)
        variables.append(kernel)
        previous = add(f"layer_{i}/output", "AddV2", h, normed)
    loss = add("loss", "Mean", previous)
    grad = add("gradients/Fill", "Fill", loss)
    for i in reversed(range(layers)):
        for part in ("attention/query", "attention/key", "attention/value", "attention/output", "ffn/dense_1",
                     "ffn/dense_2"):
            for k in range(width * 6):
                grad = add(f"gradients/layer_{i}/{part}/op_{k}_grad/{('Reshape', 'Mul', 'Sum')[k % 3]}",
                           ("Reshape", "Mul", "Sum")[k % 3], grad)
    step = add("Adam/iterations", "VarHandleOp")
    for kernel in variables:
        scope = kernel.rpartition("/")[0]
        m = add(f"{scope}/Adam/m", "VarHandleOp")
        v = add(f"{scope}/Adam/v", "VarHandleOp")
        add(f"Adam/update_{scope.replace('/', '_')}/ResourceApplyAdam", "ResourceApplyAdam", kernel, m, v, grad, step)
    return graph


def _browser(page: str, folder: str, fragment: str = "") -> str:
    """Seconds for headless Chromium to load the page and draw it (its DOM dumped), with the boxes drawn and the
    milliseconds the page's own layout took; '-' without Chromium."""
    import shutil

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        return "-"
    started = time.perf_counter()
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={folder}/profile", "--virtual-time-budget=60000", "--dump-dom",
                           "file://" + page + ("#" + fragment if fragment else "")],
                          capture_output=True, text=True, timeout=600)
    drawn = re.search(r'id="status" role="status">(\d+) boxes of \d+ ops · laid out in (\d+) ms', done.stdout)
    return (f"{time.perf_counter() - started:.1f} s ({drawn.group(1)} boxes, layout {drawn.group(2)} ms)" if drawn
            else "failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.big_graph")
    parser.add_argument("--ops", type=int, action="append", help="graph sizes (default 160000 and 1000000)")
    parser.add_argument("--shape", action="append", choices=("layers", "irregular", "flat", "dense"),
                        help="how the graph is scoped (default: all three)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], capture_output=True)
    print(f"(import tensorflow: {time.perf_counter() - started:.1f} s)")
    print("| ops | scopes | .pb | boxes | svg | time to svg | time to html | html | browser draws it | "
          "a layer opened |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
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
                  f"{elapsed:.1f} s | {to_html:.1f} s | {os.path.getsize(page) >> 20} MiB | {_browser(page, folder)} | "
                  f"{_browser(page, folder, 'expand=tower_0/layer_5' if shape != 'flat' else 'select=op_0_5_5')} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
