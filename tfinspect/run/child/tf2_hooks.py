"""The patches that let the recorder see a TF2 program: ``tf.function`` calls and traces, variables, Keras.

A call of a ``tf.function`` from eager code goes ``Function.__call__`` (where the user's line and the
arguments are) -> tracing, when the arguments need a new trace -> ``ConcreteFunction._call_flat`` with the
flat tensors the trace's placeholders receive (where the graph and the values are, before anything
executes). The first patch notes the call; the second asks the recorder (``calls.Calls.before_call``)
whether it executes, as ``Session.run`` does for TF1. Calls made while another function traces are part
of that graph, not calls. Keras' ``fit``/``evaluate``/``predict`` need nothing of their own: their step
functions are ``tf.function`` calls from the user's ``fit`` line, given a tf.data iterator (whose dataset
the recorder can read ahead).

Installed only for programs that do not run as TF1 code (in TF1 mode a ``tf.function`` builds graph ops).
"""

from __future__ import annotations

from tfinspect.run.child.tf1_hooks import Patch
from tfinspect.runtime.sessions import user_call_site


def _function():
    from tensorflow.python.eager.polymorphic_function import polymorphic_function

    return polymorphic_function.Function


def _concrete():
    from tensorflow.python.eager.polymorphic_function import concrete_function

    return concrete_function.ConcreteFunction


def _resource_variable():
    from tensorflow.python.ops import resource_variable_ops

    return resource_variable_ops.BaseResourceVariable  # also UninitializedVariable (lifted out of a trace)


def _eager() -> bool:
    from tensorflow.python.eager import context

    return context.executing_eagerly()


def _tf2(recorder) -> bool:
    return not recorder.header.get("tf1_mode")


def _function_call(recorder, original, local):
    def call(self, *args, **kwargs):
        if recorder.paused or getattr(local, "pending", None) is not None or not _eager():
            result = original(self, *args, **kwargs)
            if not _eager():  # traced inside another function: its graph is inlined there
                recorder.calls.known(self)
            return result
        local.pending = pending = {"function": self, "args": args, "kwargs": kwargs, "site": user_call_site(),
                                   "traces": _tracing_count(self), "record": None}
        try:
            return original(self, *args, **kwargs)
        finally:
            local.pending = None
            try:
                recorder.calls.after_call(pending)
            except Exception:  # recording must never break the user's script
                pass

    return call


def _call_flat(recorder, original, local):
    def call_flat(self, tensor_inputs, captured_inputs):
        pending = getattr(local, "pending", None)
        if pending is None or pending["record"] is not None or not _eager() \
                or not recorder.calls.belongs(self, pending["function"]):
            return original(self, tensor_inputs, captured_inputs)
        try:
            record = recorder.calls.before_call(self, pending, tensor_inputs, captured_inputs)  # may stop here
        except Exception as error:  # recording must never break the user's script: this call runs unrecorded
            recorder.calls.not_recorded(self, error)
            return original(self, tensor_inputs, captured_inputs)
        if record["status"] == "skimmed":
            return recorder.calls.skimmed_result(record, pending)
        try:
            result = original(self, tensor_inputs, captured_inputs)
        except BaseException as error:
            recorder.after_run(record, error)
            raise
        recorder.calls.after_real(record, result, pending)
        return result

    return call_flat


def _variable_init(recorder, original, local):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        try:
            recorder.calls.variable_created(self)
        except Exception:  # recording must never break the user's script
            pass

    return init


def _keras_optimizer():
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    return BaseOptimizer


def _optimizer_apply(recorder, original, local):
    def apply(self, grads, trainable_variables=None):
        if not getattr(local, "applying", False):
            try:
                variables = trainable_variables if trainable_variables is not None else \
                    getattr(self, "_trainable_variables", None)
                recorder.calls.gradients_applied(self, list(grads), list(variables or ()))
            except Exception:  # recording must never break the user's script
                pass
        local.applying = True  # apply_gradients -> apply, a wrapped optimizer: recorded once
        try:
            return original(self, grads, trainable_variables)
        finally:
            local.applying = False

    return apply


def _tracing_count(function) -> int:
    try:
        return int(function.experimental_get_tracing_count())
    except Exception:
        return 0


TF2_PATCHES = (
    Patch(_function, "__call__", _function_call, wanted=_tf2),  # every tf.function call: its line, arguments
    Patch(_concrete, "_call_flat", _call_flat, wanted=_tf2),  # the trace a call runs: record, decide, execute
    Patch(_resource_variable, "__init__", _variable_init, wanted=_tf2),  # each variable's creating line
    Patch(_keras_optimizer, "apply", _optimizer_apply, wanted=_tf2),  # which variables got no gradient (TFI016)
)
