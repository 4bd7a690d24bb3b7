"""A ``tf.function`` trace as one GraphDef tfinspect can read like a TF1 graph (in the child process).

A trace's FuncGraph holds placeholders where TF1 graphs hold variables: each captured variable's resource
handle enters the function as a ``Placeholder`` of dtype resource that carries no shape. And the model's ops
often sit in another function the trace calls (Keras ``fit`` runs ``multi_step_on_iterator``, which calls
``one_step_on_data`` through a ``StatefulPartitionedCall``). So the GraphDef of a trace is rewritten:

- every captured variable's placeholder becomes a ``VarHandleOp`` named by the variable's path
  (``sequential/embedding/embeddings``), with its shape and dtype, marked ``_tfinspect_captured``;
- a loop's body and condition and a conditional's branches (``While``, ``If``, ``Case``, Keras' loop of
  ``steps_per_execution`` steps) are added under the op's name (``while/body/...``), the op waiting for them;
- every call of a function in the library is inlined under the function's name (``one_step_on_data/
  sequential_1/embedding_1/GatherV2``; a second call of it under the call op's name): the callee's arguments
  read the call's inputs through ``Identity``
  ops, and the call op becomes an ``IdentityN`` of the callee's outputs that also waits for the callee's
  stateful ops, as TensorFlow's automatic control dependencies make them run.

The result is what the call executes, as one graph: lookups find their tables, a call's subgraph is its
ops, pictures show the model's layers. Source lines come from each op's creation traceback, read while the
traced Python functions are alive.
"""

from __future__ import annotations

import re
from typing import Any

from tfinspect.runtime.frames import op_frame

CALL_OPS = frozenset({"PartitionedCall", "StatefulPartitionedCall"})
# Ops that run functions of the library as loops or branches: the attribute naming the function, and the first
# data input its arguments read (a conditional's input 0 is its predicate)
BRANCHES = {"body": 0, "cond": 0, "then_branch": 1, "else_branch": 1}
MAX_INLINE_DEPTH = 6  # functions calling functions: deeper calls stay call ops
MAX_INLINED_OPS = 200_000  # an inlined trace larger than this keeps its remaining calls as call ops


def variable_path(variable) -> str:
    """A variable's name without ``:0``: Keras 3's owner path (``sequential/dense/kernel``) where it has one."""
    path = getattr(variable, "path", None)
    if isinstance(path, str) and path:
        return path
    name = getattr(variable, "name", "") or "variable"
    return name[:-2] if name.endswith(":0") else name


def _captured_variables(graph) -> dict[str, Any]:
    """Internal placeholder name -> the variable whose handle it captures."""
    by_handle = {}
    for variable in getattr(graph, "variables", ()) or ():
        handle = getattr(variable, "handle", None)
        if handle is not None:
            by_handle[id(handle)] = variable
    found = {}
    for external, internal in getattr(graph, "captures", ()) or ():
        variable = by_handle.get(id(external))  # a nested function's capture is the outer graph's placeholder
        if variable is not None:
            found[internal.op.name] = variable
    return found


class TraceGraph:
    """The rewritten GraphDef of one concrete function, with the source line of each op."""

    def __init__(self, concrete, library: dict[str, Any]) -> None:
        """``library``: function name -> ConcreteFunction the script traced (the graphs inlined calls read)."""
        from tensorflow.core.framework import graph_pb2

        self.concrete = concrete
        self.graph = concrete.graph
        self.library = library
        self.graph_def = graph_pb2.GraphDef()
        self.frames: dict[str, tuple[str, int, str] | None] = {}
        self.variables: list[dict[str, Any]] = []
        self.graphs = [concrete.graph]  # this trace's FuncGraph and those of the functions inlined into it
        self.inlined = 0
        self._build()

    # -- building ---------------------------------------------------------------------------------------
    def _build(self) -> None:
        graph = self.graph
        source = graph.as_graph_def(add_shapes=True)
        self.graph_def.versions.CopyFrom(source.versions)
        self.graph_def.library.CopyFrom(source.library)
        captured = _captured_variables(graph)
        renames: dict[str, str] = {}
        taken = {node.name for node in source.node}
        self.captured_placeholders = set(captured)  # the placeholders that became VarHandleOps
        for name, variable in captured.items():
            wanted = variable_path(variable)
            new = wanted
            suffix = 1
            while new in taken and new != name:
                new = f"{wanted}_{suffix}"
                suffix += 1
            taken.add(new)
            renames[name] = new
            self.variables.append({"op": new, "variable": variable})
        ops = {op.name: op for op in graph.get_operations()}
        for node in source.node:
            out = self.graph_def.node.add()
            out.CopyFrom(node)
            if node.name in renames:
                variable = captured[node.name]
                self._as_variable(out, renames[node.name], variable)
            self.frames[out.name] = _frame(ops.get(node.name))
        if renames:
            _rename_inputs(self.graph_def.node, renames)
        self._inline_calls(self.graph_def, depth=0)

    def _as_variable(self, node, name: str, variable) -> None:
        from tensorflow.core.framework import types_pb2

        original = node.name
        node.Clear()
        node.name, node.op = name, "VarHandleOp"
        dtype = getattr(getattr(variable, "dtype", None), "as_datatype_enum", None)
        shape = getattr(variable, "shape", None)
        node.attr["dtype"].type = dtype if dtype is not None else types_pb2.DT_INVALID
        try:
            node.attr["shape"].shape.CopyFrom(shape.as_proto())
        except (AttributeError, ValueError):
            node.attr["shape"].shape.unknown_rank = True
        node.attr["shared_name"].s = variable_path(variable).encode()
        node.attr["_tfinspect_captured"].s = original.encode()
        node.attr["_output_shapes"].list.shape.add()  # a handle is a scalar

    def _inline_calls(self, graph_def, depth: int) -> None:
        """Replace each call of a known function in ``graph_def`` by the callee's ops (recursively)."""
        if depth >= MAX_INLINE_DEPTH:
            return
        index = 0
        while index < len(graph_def.node):
            node = graph_def.node[index]
            index += 1
            if len(self.graph_def.node) > MAX_INLINED_OPS:
                return
            if node.op in CALL_OPS and "f" in node.attr:
                callee = self._callee(node.attr["f"].func.name)
                if callee is not None:
                    self._inline(node, callee, depth)
                continue
            branches = [(key, node.attr[key].func.name, offset) for key, offset in BRANCHES.items()
                        if key in node.attr and node.attr[key].func.name]
            if "branches" in node.attr:  # Case
                branches += [(f"branch_{k}", f.name, 1) for k, f in enumerate(node.attr["branches"].list.func)]
            for key, name, offset in branches:
                callee = self._callee(name)
                if callee is not None:
                    self._inline(node, callee, depth, prefix=f"{node.name}/{key}/", offset=offset, replace=False)

    def _prefix(self, call) -> str:
        """The scope an inlined function's ops go under: the function's own name (``one_step_on_data/``) the
        first time, the call op's name (unique) for another call of it."""
        name = call.attr["f"].func.name
        match = re.fullmatch(r"__inference_(.+)_\d+", name)
        short = (match.group(1) if match else name).strip("/") or call.name
        taken = getattr(self, "_prefixes", None)
        if taken is None:
            taken = self._prefixes = {node.name for node in self.graph_def.node}
        prefix = short if short not in taken and not any(t.startswith(short + "/") for t in taken) else call.name
        taken.add(prefix)
        return prefix + "/"

    def _callee(self, name: str):
        """The traced function ``name`` (its FuncGraph with the user's lines), or one rebuilt from the
        library's FunctionDef (no lines); None when neither is known."""
        found = self.library.get(name)
        if found is not None:
            return found
        for function in self.graph_def.library.function:
            if function.signature.name == name:
                try:
                    from tensorflow.python.framework.function_def_to_graph import function_def_to_graph

                    graph = function_def_to_graph(function)
                except Exception:  # a function TensorFlow cannot rebuild here: the call stays a call
                    return None
                found = self.library[name] = _Rebuilt(graph)
                return found
        return None

    def _inline(self, call, callee, depth: int, *, prefix: str | None = None, offset: int = 0,
                replace: bool = True) -> None:
        """Add ``callee``'s ops under ``prefix``, its arguments reading ``call``'s data inputs from ``offset`` on.
        ``replace``: the call op becomes an IdentityN of the callee's outputs (a function call); else (a loop's
        body, a branch of a conditional) the op stays and also waits for the function's ops, as it runs them."""
        from tensorflow.core.framework import graph_pb2

        prefix = prefix or self._prefix(call)
        body = callee.graph.as_graph_def(add_shapes=True)
        inner_ops = {op.name: op for op in callee.graph.get_operations()}
        arguments = [t.op.name for t in callee.inputs]
        call_inputs = [i for i in call.input if not i.startswith("^")][offset:]
        call_controls = [i for i in call.input if i.startswith("^")]
        renames = {}
        for node in body.node:
            renames[node.name] = prefix + node.name
        added = graph_pb2.GraphDef()
        for node in body.node:
            out = added.node.add()
            out.CopyFrom(node)
            out.name = renames[node.name]
            if node.name in arguments:  # an argument: it reads what the call was given
                position = arguments.index(node.name)
                source = call_inputs[position] if position < len(call_inputs) else None
                out.ClearField("input")
                if source is None:
                    continue
                out.op = "Identity"
                for key in list(out.attr):
                    if key not in ("_output_shapes",):
                        del out.attr[key]
                out.attr["T"].type = node.attr["dtype"].type
                out.input.append(source)
                out.input.extend(call_controls)
            self.frames[out.name] = _frame(inner_ops.get(node.name))
        for node in added.node:
            if node.op != "Identity" or node.name[len(prefix):] not in arguments:
                _rename_node_inputs(node, renames)
        self._inline_calls(added, depth + 1)
        # the call op: its outputs are the callee's outputs; it waits for the callee's stateful ops
        outputs = []
        for tensor in callee.outputs:
            name, _, port = tensor.name.rpartition(":")
            outputs.append(prefix + name if port == "0" else f"{prefix}{name}:{port}")
        controls = ["^" + prefix + op.name for op in getattr(callee.graph, "control_outputs", ()) or ()]
        if not replace:
            waits = dict.fromkeys("^" + name.split(":")[0] for name in outputs)
            call.input.extend(w for w in [*waits, *controls] if w not in call.input)
            self.graph_def.node.extend(added.node)
            self.graphs.append(callee.graph)
            self.inlined += 1
            return
        dtypes = [t.dtype.as_datatype_enum for t in callee.outputs]
        shapes = call.attr["_output_shapes"] if "_output_shapes" in call.attr else None
        function = call.attr["f"].func.name
        call.ClearField("input")
        call.ClearField("attr")
        call.op = "IdentityN"
        call.input.extend(outputs + controls)
        call.attr["T"].list.type.extend(dtypes)
        call.attr["_tfinspect_inlined"].s = function.encode()
        if shapes is not None:
            call.attr["_output_shapes"].CopyFrom(shapes)
        self.graph_def.node.extend(added.node)
        self.graphs.append(callee.graph)
        self.inlined += 1


class _Rebuilt:
    """A function rebuilt from its FunctionDef, shaped like a ConcreteFunction for ``_inline``."""

    def __init__(self, graph) -> None:
        self.graph, self.inputs, self.outputs = graph, graph.inputs, graph.outputs


def _frame(op) -> tuple[str, int, str] | None:
    if op is None:
        return None
    try:
        return op_frame(op)
    except Exception:  # a traceback TensorFlow could not give
        return None


def _rename_inputs(nodes, renames: dict[str, str]) -> None:
    for node in nodes:
        _rename_node_inputs(node, renames)


def _rename_node_inputs(node, renames: dict[str, str]) -> None:
    changed = False
    inputs = []
    for text in node.input:
        control = text.startswith("^")
        name, colon, port = text.lstrip("^").partition(":")
        new = renames.get(name)
        if new is not None:
            text = ("^" if control else "") + new + (colon + port if colon else "")
            changed = True
        inputs.append(text)
    if changed:
        del node.input[:]
        node.input.extend(inputs)
