"""Bounds checking speed: validating id arrays, and the guard's cost per training step."""

from __future__ import annotations

import time

import numpy as np


def _best(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def validation(count: int = 100_000_000, repeat: int = 5) -> list[dict]:
    """check_ids on in-range arrays (the fast path) against a naive mask, in GB/s."""
    from tfinspect.analyses.lookups import check_ids

    rows = []
    rng = np.random.default_rng(0)
    for dtype in (np.int32, np.int64):
        ids = rng.integers(0, 50_000, size=count, dtype=dtype)
        size = 50_000
        assert check_ids(ids, size) is None
        ours = _best(lambda: check_ids(ids, size), repeat)
        naive = _best(lambda: ((ids < 0) | (ids >= size)).any(), repeat)
        rows.append({"dtype": np.dtype(dtype).name, "ids": count, "bytes": ids.nbytes,
                     "check_ids_gbps": ids.nbytes / ours / 1e9, "naive_mask_gbps": ids.nbytes / naive / 1e9})
        del ids
    return rows


def guard_overhead(steps: int = 3000, rounds: int = 5) -> dict:
    """word2vec training step (vocab 50,000, dim 128, batch 128, nce num_sampled 64), plain and guarded."""
    import tensorflow.compat.v1 as tf

    import tfinspect

    tf.disable_v2_behavior()
    vocab, dim, batch = 50_000, 128, 128
    graph = tf.Graph()
    with graph.as_default():
        center = tf.placeholder(tf.int32, [batch], name="center_words")
        target = tf.placeholder(tf.int32, [batch, 1], name="target_words")
        embed_matrix = tf.get_variable("embed_matrix", [vocab, dim])
        nce_weight = tf.get_variable("nce_weight", [vocab, dim])
        nce_bias = tf.get_variable("nce_bias", initializer=tf.zeros([vocab]))
        embed = tf.nn.embedding_lookup(embed_matrix, center)
        loss = tf.reduce_mean(tf.nn.nce_loss(nce_weight, nce_bias, target, embed, num_sampled=64,
                                             num_classes=vocab))
        train = tf.train.GradientDescentOptimizer(1.0).minimize(loss)
        init = tf.global_variables_initializer()
    rng = np.random.default_rng(0)
    feeds = [{center: rng.integers(0, vocab, batch, dtype=np.int32),
              target: rng.integers(0, vocab, (batch, 1), dtype=np.int32)} for _ in range(64)]
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        guarded = tfinspect.guard(sess)
        for i in range(300):  # warm up both paths (the guard indexes the graph once)
            sess.run(train, feeds[i % 64])
            guarded.run(train, feeds[i % 64])

        def block(runner, n=100):
            start = time.perf_counter()
            for i in range(n):
                runner.run(train, feeds[i % 64])
            return (time.perf_counter() - start) / n

        # Short interleaved blocks: a TensorFlow step varies by +-10% from one moment to the next,
        # more than the guard costs, so medians over many alternations are compared.
        class Passthrough:  # a wrapper that does nothing: what any extra Python layer costs here
            def run(self, fetches, feed_dict=None):
                return sess.run(fetches, feed_dict)

        passthrough = Passthrough()
        plain, wrapped, guard = [], [], []
        for _ in range(rounds * 10):
            plain.append(block(sess))
            wrapped.append(block(passthrough))
            guard.append(block(guarded))
        checker = guarded._checker
        start = time.perf_counter()
        for i in range(steps * 10):
            checker.check(sess, train, feeds[i % 64])
        check_s = (time.perf_counter() - start) / (steps * 10)
    p, w, g = float(np.median(plain)), float(np.median(wrapped)), float(np.median(guard))
    return {"plain_ms": p * 1e3, "passthrough_ms": w * 1e3, "guarded_ms": g * 1e3, "overhead_pct": (g - p) / p * 100,
            "check_us": check_s * 1e6, "check_pct": check_s / p * 100}
