"""The predicted set of executed ops against what TensorFlow itself executed.

Each fixture is captured with tracing on: for every Session.run, TensorFlow
reports its partition graphs (RunOptions.output_partition_graphs) with graph
rewrites (grappler, constant folding) turned off. Those hold exactly the
nodes it executed, plus nodes it adds itself for feeds and fetches.
"""

from __future__ import annotations

import pytest

from tests.conftest import FIXTURES
from tfinspect.analyses.runs import index_of, plan_for_run

# Nodes TensorFlow adds to partition graphs, not part of the user's graph.
TF_ADDED_OPS = ("_Send", "_Recv", "_Arg", "_Retval", "_HostSend", "_HostRecv")
TF_ADDED_PREFIXES = ("_arg_", "_retval_", "_send_", "_recv_", "_SOURCE", "_SINK")

FIXTURE_SCRIPTS = ["lectures/add_pow.py", "lectures/linreg_feed.py", "lectures/linreg_dataset.py",
                   "lectures/two_layers_broken.py", "lectures/two_layers_shared.py",
                   "lectures/two_layers_auto_reuse.py", "lectures/word2vec.py",
                   "subgraph/assign_never_runs.py", "subgraph/feed_cuts_graph.py"]


@pytest.mark.parametrize("fixture", FIXTURE_SCRIPTS)
def test_prediction_equals_what_tensorflow_ran(fixture, tmp_path):
    import tfinspect

    capture = tfinspect.capture(str(FIXTURES / fixture), trace=True, quiet=True, cwd=str(tmp_path))
    assert capture.outcome.ok, capture.outcome
    traced_runs = [r for r in capture.runs if r.traced_nodes is not None]
    assert traced_runs, "no run was traced"
    for run in traced_runs:
        index = index_of(capture.graph(run.graph))
        traced = set(run.traced_nodes)
        added = {n for n in traced if n not in index.ids}
        assert all(n.startswith(TF_ADDED_PREFIXES) for n in added), sorted(added)
        predicted = set(plan_for_run(capture, run).ran)
        assert predicted == traced - added, (run.index, sorted(predicted ^ (traced - added)))


def test_feeds_and_fetches_show_up_as_tensorflow_added_nodes(tmp_path):
    import tfinspect

    capture = tfinspect.capture(str(FIXTURES / "subgraph" / "feed_cuts_graph.py"), trace=True, quiet=True,
                                cwd=str(tmp_path))
    fed_run = capture.runs[0]
    assert {n for n in fed_run.traced_nodes if n.startswith("_")} == {"_arg_a_0_0", "_retval_b_0_0"}
    assert set(fed_run.traced_nodes) - {"_arg_a_0_0", "_retval_b_0_0"} == {"b", "b/y"}
