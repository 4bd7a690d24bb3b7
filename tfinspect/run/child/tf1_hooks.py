"""The patches that let the recorder see a TF1 program: one row each in ``TF1_PATCHES``.

Each row names what it replaces (a class attribute of TensorFlow, imported when the table is installed) and
makes the replacement from the recorder, the original and a thread-local state. A graph built for a
``tf.function`` (a FuncGraph) is not one of the script's graphs here; TF2's hooks are a table of their own.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any, Callable

from tfinspect.core.optypes import VARIABLE_OPS
from tfinspect.runtime.frames import made_on_behalf


@dataclass(frozen=True)
class Patch:
    """Replace ``attribute`` of the class ``owner()`` returns with ``make(recorder, original, local)``, when
    ``wanted(recorder)``."""

    owner: Callable[[], Any]
    attribute: str
    make: Callable[[Any, Any, Any], Callable]
    wanted: Callable[[Any], bool] = lambda recorder: True


def _graph():
    from tensorflow.python.framework import ops

    return ops.Graph


def _session():
    from tensorflow.python.client import session as session_lib

    return session_lib.BaseSession


def _variable_scope():
    from tensorflow.python.ops import variable_scope as vs

    return vs.VariableScope


def _variable_store():
    from tensorflow.python.ops import variable_scope as vs

    return vs._VariableStore


def _optimizer():
    from tensorflow.python.training import optimizer as optimizer_lib

    return optimizer_lib.Optimizer


def _is_function_graph(graph) -> bool:
    from tensorflow.python.framework import func_graph

    return isinstance(graph, func_graph.FuncGraph)


def _graph_init(recorder, original, local):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        if not _is_function_graph(self):
            recorder.track_graph(self)

    return init


def _op_created(recorder, original, local):
    from tensorflow.python.ops import variable_scope as vs

    def op_helper(self, op, *args, **kwargs):
        original(self, op, *args, **kwargs)
        if not _is_function_graph(self):
            recorder.op_created(self, op.name)
            if op.type in VARIABLE_OPS:
                recorder.variable_op_created(self, op.name, vs.get_variable_scope().name,
                                             made_on_behalf(sys._getframe(1)))

    return op_helper


def _session_run(recorder, original, local):
    def run(self, fetches, feed_dict=None, options=None, run_metadata=None):
        if getattr(local, "depth", 0) or recorder.paused:
            return original(self, fetches, feed_dict, options, run_metadata)
        record = recorder.before_run(self, fetches, feed_dict)
        if record["index"] in recorder._skimming:
            local.depth = 1
            try:
                return recorder.skimmed_result(self, record, feed_dict, original)
            finally:
                local.depth = 0
        if recorder.trace:
            options, run_metadata = _tracing(options, run_metadata)
        keep_metadata = "metadata_kept" in record
        if keep_metadata:
            options, run_metadata = _full_trace(options, run_metadata)
        if recorder.pipelines is not None:  # check: a pipeline that calls Python is read once, alone, then fed
            local.depth = 1
            try:
                read = recorder.read_python_inputs(self, record, feed_dict, original)
            finally:
                local.depth = 0
            if read:
                feed_dict = {**(feed_dict or {}), **read}
        local.depth = 1
        try:
            result = original(self, fetches, feed_dict, options, run_metadata)
        except BaseException as error:
            recorder.after_run(record, error)
            raise
        finally:
            local.depth = 0
        if recorder.trace:
            record["traced_nodes"] = sorted({n.name for g in run_metadata.partition_graphs for n in g.node})
        if keep_metadata:
            recorder.keep_metadata(record, run_metadata)
        recorder.after_run(record, None, result)
        return result

    return run


def _session_init(recorder, original, local):
    def init_session(self, target="", graph=None, config=None):
        original(self, target, graph, _without_rewrites(config))

    return init_session


def _scope_get_variable(recorder, original, local):
    """VariableScope.get_variable clears the name scope before it reaches the store, so the user's name scope
    is taken one level up."""
    from tensorflow.python.framework import ops

    def scope_get_variable(self, var_store, name, *args, **kwargs):
        stack = local.__dict__.setdefault("name_scopes", [])
        stack.append(ops.get_default_graph().get_name_scope())
        try:
            return original(self, var_store, name, *args, **kwargs)
        finally:
            stack.pop()

    return scope_get_variable


def _store_get_variable(recorder, original, local):
    from tensorflow.python.framework import ops
    from tensorflow.python.ops import variable_scope as vs

    def get_variable(self, name, *args, **kwargs):
        existed = name in self._vars or name in getattr(self, "_partitioned_vars", {})
        result = original(self, name, *args, **kwargs)
        try:
            graph = ops.get_default_graph()
            if not _is_function_graph(graph):
                stack = local.__dict__.get("name_scopes")
                name_scope = stack[-1] if stack else graph.get_name_scope()
                recorder.variable_call(graph, name, existed, name_scope, vs.get_variable_scope().name)
        except Exception:  # recording must never break the user's script
            pass
        return result

    return get_variable


def _apply_gradients(recorder, original, local):
    from tensorflow.python.framework import ops

    def apply(self, grads_and_vars, *args, **kwargs):
        grads_and_vars = tuple(grads_and_vars)  # often a zip: read it once, hand TensorFlow the same pairs
        if not getattr(local, "applying", False):
            try:
                graphs = [getattr(v, "graph", None) for _, v in grads_and_vars[:1]]
                recorder.gradients_applied(graphs[0] if graphs and graphs[0] is not None else
                                           ops.get_default_graph(), self, grads_and_vars)
            except Exception:  # recording must never break the user's script
                pass
        local.applying = True  # an optimizer wrapping another records once
        try:
            return original(self, grads_and_vars, *args, **kwargs)
        finally:
            local.applying = False

    return apply


TF1_PATCHES = (
    Patch(_graph, "__init__", _graph_init),  # every tf.Graph the script creates
    Patch(_graph, "_create_op_helper", _op_created),  # every op, with the user's line; variables' scopes
    Patch(_session, "run", _session_run),  # every Session.run: record, decide, execute or skim
    Patch(_session, "__init__", _session_init, wanted=lambda recorder: recorder.trace),  # rewrites off
    Patch(_variable_scope, "get_variable", _scope_get_variable),  # the name scope get_variable was called in
    Patch(_variable_store, "get_variable", _store_get_variable),  # every get_variable call, reused or new
    Patch(_optimizer, "apply_gradients", _apply_gradients),  # which variables got no gradient
)


def _full_trace(options, run_metadata):
    """Ask TensorFlow for step stats and partition graphs (what TensorBoard shows for a session run)."""
    from tensorflow.core.protobuf import config_pb2

    traced = config_pb2.RunOptions()
    if options is not None:
        traced.CopyFrom(options)
    traced.trace_level = config_pb2.RunOptions.FULL_TRACE
    traced.output_partition_graphs = True
    return traced, run_metadata if run_metadata is not None else config_pb2.RunMetadata()


def _tracing(options, run_metadata):
    """Ask TensorFlow for the partition graphs it executes (the oracle for what ran)."""
    from tensorflow.core.protobuf import config_pb2

    traced = config_pb2.RunOptions()
    if options is not None:
        traced.CopyFrom(options)
    traced.output_partition_graphs = True
    return traced, run_metadata if run_metadata is not None else config_pb2.RunMetadata()


def _without_rewrites(config):
    """Turn grappler and the classic graph optimizer off, so partition graphs show pruning alone."""
    from tensorflow.core.protobuf import config_pb2, rewriter_config_pb2

    plain = config_pb2.ConfigProto()
    if config is not None:
        plain.CopyFrom(config)
    plain.graph_options.rewrite_options.disable_meta_optimizer = True
    plain.graph_options.rewrite_options.constant_folding = rewriter_config_pb2.RewriterConfig.OFF
    optimizer = plain.graph_options.optimizer_options
    optimizer.opt_level = config_pb2.OptimizerOptions.L0
    optimizer.do_constant_folding = False
    optimizer.do_common_subexpression_elimination = False
    optimizer.do_function_inlining = False
    return plain
