"""Generated GraphDefs for benchmarks: layered, scoped, with data and control edges."""

from __future__ import annotations

import os
import random


def generate(nodes: int, path: str, seed: int = 0) -> str:
    """Write a GraphDef of ``nodes`` nodes to ``path`` (once; reused while it exists).

    Node i reads one of the 64 nodes before it, half the time also one far
    back (one time in ten through output 1, written ``name:1`` as TensorFlow
    writes ports other than 0), and, one time in fifty, has a control input:
    a deep, model-like DAG.
    """
    if os.path.exists(path):
        return path
    from tensorboard.compat.proto.graph_pb2 import GraphDef

    rng = random.Random(seed)
    graph_def = GraphDef()
    names = []
    for i in range(nodes):
        name = f"block_{i // 5000}/layer_{(i // 100) % 50}/op_{i}"
        node = graph_def.node.add(name=name, op="Const" if i < 2 else rng.choice(("Add", "Mul", "MatMul", "Relu")))
        if i >= 2:
            node.input.append(names[i - 1 - rng.randrange(min(i, 64))])
            if rng.random() < 0.5:
                node.input.append(names[rng.randrange(i)] + (":1" if rng.random() < 0.1 else ""))
            if rng.random() < 0.02:
                node.input.append("^" + names[rng.randrange(i)])
        names.append(name)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(graph_def.SerializeToString())
    os.replace(tmp, path)
    return path


def last_node(nodes: int) -> str:
    i = nodes - 1
    return f"block_{i // 5000}/layer_{(i // 100) % 50}/op_{i}"
