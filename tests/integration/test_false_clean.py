"""Never a false clean: a run that would fail is flagged, whatever the script does around it."""

from __future__ import annotations

import json

from tests.conftest import run_cli

OWN_GUARD = """
import numpy as np
import tensorflow as tf
import tfinspect

ids = tf.placeholder(tf.int32, [None], name="ids")
table = tf.get_variable("table", [10, 4])
rows = tf.nn.embedding_lookup(table, ids)
with tf.Session() as sess, tfinspect.guard():
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        sess.run(rows, feed_dict={ids: np.array([1, 2, 10 if step == 2 else 3])})
"""


def test_a_script_that_guards_itself_gets_the_same_finding(tmp_path):
    """The script's own tfinspect.guard() would raise first; check's answer must not depend on it."""
    guarded = tmp_path / "guarded.py"
    guarded.write_text(OWN_GUARD)
    plain = tmp_path / "plain.py"
    plain.write_text(OWN_GUARD.replace("with tf.Session() as sess, tfinspect.guard():", "with tf.Session() as sess:"))
    answers = []
    for script in (guarded, plain):
        result = run_cli("check", str(script), "--format", "json", "--quiet")
        answers.append((result.code, [(f["code"], f["source"]["line"]) for f in json.loads(result.out)["findings"]]))
    assert answers[0] == answers[1] == (1, [("TFI002", 12)])


BAD_AT_31 = """
import numpy as np
import tensorflow as tf

ids = tf.placeholder(tf.int32, [None], name="ids")
table = tf.get_variable("table", [10, 4])
rows = tf.reduce_sum(tf.nn.embedding_lookup(table, ids))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(40):
        sess.run(rows, feed_dict={ids: np.array([1, 2, 10 if step == 31 else 3])})
"""


def test_a_saved_capture_remembers_a_run_that_would_fail(tmp_path):
    """graph --save, then check of the saved file: the same finding as check of the script (the run at step 31
    is past the 20 runs whose ids a capture keeps, and would have been skimmed)."""
    script = tmp_path / "loop.py"
    script.write_text(BAD_AT_31)
    saved = tmp_path / "loop.tfinspect"
    graph = run_cli("graph", str(script), "--save", str(saved), "--quiet")
    assert graph.code == 2 and "run #32" in graph.err and "would fail" in graph.err
    direct = run_cli("check", str(script), "--format", "json", "--quiet")
    later = run_cli("check", str(saved), "--format", "json", "--quiet")
    assert direct.code == later.code == 1
    findings = [[(f["code"], f["evidence"]["ids"]) for f in json.loads(r.out)["findings"]] for r in (direct, later)]
    assert findings[0] == findings[1] == [("TFI002", [10])]
