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


def guard_overhead(rounds: int = 80, block: int = 50) -> dict:
    """word2vec training step (vocab 50,000, dim 128, batch 128, nce num_sampled 64), plain and guarded.

    Two steps: fetching the train op alone, and ``[loss, optimizer]`` as the lectures' training loop does.
    Both per-step checks are measured: the compiled one (``tfinspect/runtime/_guardcheck.c``, when the install built
    it) and the numpy fallback. The guard's own work is also timed twice: in a tight loop (warm caches) and
    right after each real step, where it runs in a training loop (TensorFlow's step has evicted Python's and
    numpy's code from the CPU caches, so the same calls cost several times more).
    """
    import tensorflow.compat.v1 as tf

    import tfinspect
    from tfinspect.runtime import guard as runtime_guard

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
    clock = time.perf_counter
    compiled = runtime_guard._first_suspect
    paths = {"compiled": compiled, "numpy": None} if compiled is not None else {"numpy": None}
    result: dict = {"paths": {}}
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        guarded = tfinspect.guard(sess)
        checker = guarded._checker

        def timed(runner, fetches) -> float:
            start = clock()
            for i in range(block):
                runner.run(fetches, feeds[i % 64])
            return (clock() - start) / block

        def compare(plain_runner, guarded_runner, fetches) -> dict:
            for i in range(300):  # warm up both (the guard indexes the graph once)
                plain_runner.run(fetches, feeds[i % 64])
                guarded_runner.run(fetches, feeds[i % 64])
            # Short interleaved blocks in alternating order: a step varies by +-10% from one moment to the
            # next, more than the guard costs, so many alternations are compared. Each guarded block is
            # compared with the plain block beside it, and the median of those differences is taken: drifts
            # of the machine's speed cancel out of neighbouring blocks.
            plain, added = [], []
            for r in range(rounds):
                if r % 2:
                    p, g = timed(plain_runner, fetches), timed(guarded_runner, fetches)
                else:
                    g, p = timed(guarded_runner, fetches), timed(plain_runner, fetches)
                plain.append(p)
                added.append(g - p)
            p, d = float(np.median(plain)), float(np.median(added))
            return {"plain_ms": p * 1e3, "guarded_ms": (p + d) * 1e3, "overhead_us": d * 1e6,
                    "overhead_pct": d / p * 100}

        try:
            for path, function in paths.items():
                runtime_guard._first_suspect = function
                measured = result["paths"][path] = {}
                for label, fetches in (("train", train), ("lecture", [loss, train])):
                    measured[label] = compare(sess, guarded, fetches)
                # `with tfinspect.guard():` patches Session.run for every session; the plain runs call the
                # original method, so both kinds of block run in the same state
                with tfinspect.guard() as every_session:
                    measured["context"] = compare(_Unpatched(every_session._original, sess), sess, [loss, train])
                warm, cold = [], []
                for i in range(3000):
                    feed = feeds[i % 64]
                    start = clock()
                    checker.check(sess, train, feed)
                    warm.append(clock() - start)
                for i in range(3000):
                    feed = feeds[i % 64]
                    start = clock()
                    checker.check(sess, train, feed)
                    cold.append(clock() - start)
                    sess.run(train, feed)
                measured["check_warm_us"] = float(np.median(warm)) * 1e6
                measured["check_in_loop_us"] = float(np.median(cold)) * 1e6
        finally:
            runtime_guard._first_suspect = compiled
    return result


class _Unpatched:
    """``run`` through the original ``Session.run`` while ``tfinspect.guard()`` has patched it."""

    def __init__(self, original, session) -> None:
        self.original, self.session = original, session

    def run(self, fetches, feed_dict=None):
        return self.original(self.session, fetches, feed_dict)
