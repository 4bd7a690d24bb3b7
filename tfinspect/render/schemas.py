"""The JSON Schema of every command's ``--format json`` output: one place, from which the shipped schema files
(``tfinspect/schemas/COMMAND.schema.json``) and docs/json.md are generated.

Objects are closed (``additionalProperties: false``): a field a renderer adds without describing it here
fails the tests that validate each command's real output against its schema. Descriptions are written for
people; docs/json.md shows them as tables.
"""

from __future__ import annotations

import json
from typing import Any

from tfinspect.render.json import SCHEMA_VERSION

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://tfinspect.invalid/schemas/{command}.schema.json"

STRING: dict[str, Any] = {"type": "string"}
INT: dict[str, Any] = {"type": "integer"}
BOOL: dict[str, Any] = {"type": "boolean"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def list_of(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": schema}


def mapping(values: dict[str, Any]) -> dict[str, Any]:
    """An object whose keys are data (collection keys, op types), with values of one schema."""
    return {"type": "object", "additionalProperties": values}


def record(title: str, fields: dict[str, tuple[dict[str, Any], str]], optional: tuple[str, ...] = ()) -> dict:
    """A closed object: ``fields`` maps each name to (schema, description); all are required but ``optional``."""
    properties = {name: dict(schema, description=text) for name, (schema, text) in fields.items()}
    return {"type": "object", "title": title, "properties": properties,
            "required": [name for name in fields if name not in optional], "additionalProperties": False}


SOURCE = nullable(record("source", {
    "file": (STRING, "the file, relative to the working directory when below it, absolute otherwise"),
    "line": (INT, "the line, from 1"),
}))
SHAPE = nullable(list_of(nullable(INT)))
SHAPE_TEXT = "dimensions, `null` for an unknown one; `null` for an unknown rank"


def _header(command: str, text: str) -> dict[str, tuple[dict[str, Any], str]]:
    return {
        "schema_version": ({"const": SCHEMA_VERSION}, f"{SCHEMA_VERSION}; fields are only added within a version"),
        "command": ({"const": command}, f"`\"{command}\"`"),
        "source": (STRING, text),
    }


OUTCOME = record("outcome", {
    "status": (one_of("completed", "stopped", "error", "exit", "timeout", "crashed", "memory"),
               "how the script ended (a graph file is `completed`)"),
    "ok": (BOOL, "completed, or stopped by tfinspect: the capture is whole"),
    "message": (STRING, "one line, for people"),
    "exit_code": (nullable(INT), "the script's `sys.exit` code, when it called it"),
    "traceback": (STRING, "the user's frames only"),
})
VARIABLE = record("variable", {
    "name": (STRING, "the variable op's name"),
    "shape": (SHAPE, SHAPE_TEXT),
    "dtype": (STRING, "`float32`, `int64`, ..."),
    "trainable": (nullable(BOOL), "`null` when unknown: a bare GraphDef does not record it"),
    "kind": (one_of("ref", "resource"), "`ref` (VariableV2, TF1's default) or `resource` (VarHandleOp)"),
    "created_by": (one_of("tf.Variable", "get_variable", "unknown"), "the call that created it"),
    "made_by": (nullable(STRING), "what made it for the user (`AdamOptimizer`, `ExponentialMovingAverage`, "
                                  "`LSTMCell`, `Dense`, ...); `null` for the user's own variables"),
    "collections": (list_of(STRING), "the collections holding it"),
    "graph": (INT, "the graph's id"),
    "source": (SOURCE, "the user's line that created it"),
})
PLACEHOLDER = record("placeholder", {
    "name": (STRING, "the placeholder op's name"),
    "dtype": (STRING, "its dtype"),
    "shape": (SHAPE, SHAPE_TEXT),
    "graph": (INT, "the graph's id"),
    "has_default": (BOOL, "a `tf.placeholder_with_default`: feeding it is optional"),
    "source": (SOURCE, "the user's line that created it"),
})
FEED = record("feed", {
    "name": (STRING, "the fed tensor"),
    "dtype": (STRING, "the fed array's dtype (`string` for text)"),
    "shape": (list_of(INT), "the fed array's shape"),
})
RUN = record("run", {
    "index": (INT, "the run's number, from 0, in the order the script made them"),
    "graph": (INT, "the graph's id"),
    "fetches": (list_of(STRING), "op and tensor names"),
    "feeds": (list_of(STRING), "the fed tensor names"),
    "feed_details": (list_of(FEED), "the fed arrays"),
    "executed": (BOOL, "false for stopped and skimmed runs"),
    "status": (one_of("ok", "error", "stopped", "running", "skimmed"),
               "`skimmed`: not executed, it returned its line's last real result; `stopped`: tfinspect stopped the "
               "script here; `running`: still running when the script ended"),
    "error": (nullable(STRING), "what the run raised"),
    "stop_reason": (nullable(STRING), "why tfinspect stopped the script at this run, when no finding does"),
    "ops_before": (INT, "ops in the graph when the run was called (not the ops it executed)"),
    "source": (SOURCE, "the user's `Session.run` line (or, for a call, the line that called the function)"),
    "kind": (one_of("run", "call"), "`run`: a `Session.run`; `call`: a call of a `tf.function` trace (TF2), which "
             "fetches the trace's outputs and feeds its arguments"),
    "data": (list_of(FEED), "for a call given a tf.data iterator (Keras `fit`): the iterator's outputs whose ids "
             "tfinspect read ahead and checked"),
    "count": (INT, "the runs this entry stands for: 1, or (skimmed runs only) every skimmed run of its line that "
              "fetches, feeds and reports the same"),
    "indexes": (list_of(list_of(INT)), "the runs' indexes as `[first, last, step]` progressions (`[[7, 7, 1]]` for "
                "one run; `[[4, 78002, 2]]`: every second run from 4 to 78002)"),
})
FUNCTION = record("function", {
    "name": (STRING, "the Python function (`train_step`; Keras' step functions: `keras fit multi_step_on_iterator`)"),
    "library_name": (STRING, "TensorFlow's name of the trace (`__inference_train_step_42`)"),
    "function": (INT, "which `tf.function` object: the traces of one function share it"),
    "trace": (INT, "1 for the function's first trace, 2 for the next, ..."),
    "source": (SOURCE, "the function's `def` line"),
    "signature": (STRING, "the arguments the trace was made for (`ids: int32 (4,), n: 3`)"),
    "reason": (nullable(STRING), "why it was traced again (`n is a Python value: 3 (was 2)`); `null` for the first"),
    "calls": (INT, "the calls of this trace the script made"),
})
OP = record("op", {
    "name": (STRING, "the op's name"),
    "type": (STRING, "its type (`MatMul`, ...)"),
    "graph": (INT, "the graph's id"),
    "source": (SOURCE, "the user's line that created it"),
})
SIGNATURE_TENSOR = record("signature tensor", {
    "key": (STRING, "the signature's key for it (`x`, `scores`)"),
    "tensor": (STRING, "the graph's tensor"),
    "dtype": (STRING, "its dtype"),
    "shape": (SHAPE, SHAPE_TEXT),
})
SIGNATURE = record("signature", {
    "name": (STRING, "the signature key (`serving_default`)"),
    "graph": (INT, "the graph's id (one per MetaGraph tag set)"),
    "method": (STRING, "the method name (`tensorflow/serving/predict`)"),
    "inputs": (list_of(SIGNATURE_TENSOR), "what a caller feeds"),
    "outputs": (list_of(SIGNATURE_TENSOR), "what it fetches"),
})


def _graph_schema(command: str) -> dict[str, Any]:
    return record(f"tfinspect {command}", {
        **_header("graph", "the script as given, the graph file, or `lecture NAME`"),
        "origin": (STRING, "`script`, `lecture`, or the kind of file read (`graphdef`, `meta`, `saved_model`, ...)"),
        "tf_version": (nullable(STRING), "TensorFlow in the child process (`null` for a graph file)"),
        "tf1_mode": (nullable(BOOL), "whether `import tensorflow` meant `tf.compat.v1`"),
        "outcome": (OUTCOME, "how the script ended"),
        "ops": (INT, "ops in all captured graphs"),
        "graphs": (list_of(record("graph", {
            "id": (INT, "the graph's id, from 0, in the order the script created them"),
            "ops": (INT, "its ops"),
            "scopes": (list_of(record("scope", {
                "name": (STRING, "the name scope's path"),
                "ops": (INT, "ops at or below it"),
            })), "every name scope, depth first"),
            "collections": (mapping(list_of(STRING)), "collection key -> member names"),
            "function": (nullable(FUNCTION), "TF2: the `tf.function` this graph is a trace of; `null` for a tf.Graph"),
        })), "the captured graphs (TF2: one per trace of each `tf.function`)"),
        "variables": (list_of(VARIABLE), "every variable, in the order each graph created them"),
        "placeholders": (list_of(PLACEHOLDER), "every placeholder"),
        "runs": (list_of(RUN), "every `Session.run` call (TF2: every call of a `tf.function` from eager code), one "
                 "entry each, except skimmed runs of one line that fetch and feed the same: one entry (`count`, "
                 "`indexes`); the runs are the sum of the counts"),
        "signatures": (list_of(SIGNATURE), "a SavedModel's signatures: what a server feeds and fetches"),
        "collections": (mapping(list_of(STRING)), "collection key -> member names, over all graphs"),
        "unused": (list_of(OP), "with `--unused`: ops no run reached (fed placeholders left out)"),
    }, optional=("signatures", "unused"))


NOTE = record("note", {
    "kind": (one_of("get_variable_ignores_name_scope", "reuse_in_new_name_scope", "duplicate_variables",
                    "uniquified_name_case", "variable_already_exists"), "the situation, a stable identifier"),
    "message": (STRING, "the explanation, for people"),
    "names": (list_of(STRING), "the variables or ops it is about"),
    "lines": (list_of(SOURCE), "the user's lines involved"),
})
SCOPES = record("tfinspect scopes", {
    **_header("scopes", "the script or file as given"),
    "variables": (list_of(record("variable", {
        "name": (STRING, "the variable's name"),
        "graph": (INT, "the graph's id"),
        "name_scope": (STRING, "the name scope it was created in"),
        "variable_scope": (nullable(STRING), "the variable scope it was created in; `null` where it is not known "
                                             "(a graph file, a TF2 program: TF2 has no variable scopes)"),
        "created_by": (one_of("tf.Variable", "get_variable", "unknown"), "the call that created it"),
        "made_by": (nullable(STRING), "what made it for the user, or `null`"),
        "reused": (BOOL, "a later `get_variable` call returned it again"),
        "reuse_sites": (list_of(SOURCE), "the lines of those calls"),
        "source": (SOURCE, "the user's line that created it"),
    })), "every variable"),
    "ops": (list_of(record("op", {
        "name": (STRING, "the op's name"),
        "type": (STRING, "its type"),
        "name_scope": (STRING, "its name scope"),
        "graph": (INT, "the graph's id"),
        "source": (SOURCE, "the user's line that created it"),
    })), "the ops that read variables"),
    "notes": (list_of(NOTE), "likely mistakes"),
    "explanations": (list_of(NOTE), "how TensorFlow names things in correct code"),
})
COLLECTIONS = record("tfinspect collections", {
    **_header("collections", "the script or file as given"),
    "scope": (nullable(STRING), "the `--scope` filter (a regex matched at the start, as `tf.get_collection`)"),
    "collections": (list_of(record("collection", {
        "key": (STRING, "the collection key (`trainable_variables`, ...)"),
        "graph": (INT, "the graph's id"),
        "count": (INT, "its members (after the scope filter)"),
        "members": (list_of(record("member", {
            "kind": (one_of("variable", "tensor", "operation", "other"), "what the member is"),
            "name": (nullable(STRING), "its name (`null` for Python objects without one)"),
            "type": (nullable(STRING), "the Python type, for `other` members"),
            "dtype": (nullable(STRING), "for variables and tensors"),
            "shape": (SHAPE, SHAPE_TEXT),
            "scope": (nullable(STRING), "its name scope"),
        })), "the members, in TensorFlow's order"),
    })), "one per collection and graph"),
})
SUMMARY = record("tfinspect summary", {
    **_header("summary", "the script or file as given"),
    "graphs": (list_of(record("graph", {
        "id": (INT, "the graph's id"),
        "ops": (INT, "its ops"),
        "op_types": (mapping(INT), "op type -> count, most frequent first"),
        "inputs": (list_of(STRING), "placeholders (what a caller feeds)"),
        "outputs": (list_of(STRING), "ops nothing consumes (what a caller fetches)"),
        "parameters": (INT, "values in all variables"),
        "control_edges": (INT, "control dependencies"),
        "variables": (list_of(record("variable", {
            "name": (STRING, "the variable's name"),
            "shape": (SHAPE, SHAPE_TEXT),
            "dtype": (STRING, "its dtype"),
            "parameters": (INT, "its values"),
        })), "every variable"),
        "large_constants": (list_of(record("constant", {
            "name": (STRING, "the Const op"),
            "bytes": (INT, "its size"),
        })), "constants baked into the GraphDef, largest first"),
        "devices": (mapping(INT), "requested device -> ops (`(unplaced)` for none)"),
    })), "one per graph"),
})
PLAN = {
    "fetches": (list_of(STRING), "what the run fetches"),
    "fed": (list_of(STRING), "the tensors it feeds (they cut the graph)"),
    "ran": (list_of(STRING), "the ops it executes, in graph order"),
    "not_run": (list_of(STRING), "the graph's other ops"),
    "cut_off": (list_of(STRING), "ops upstream of a feed, which the feed cuts off"),
    "unfed": (list_of(STRING), "placeholders the run reaches that nothing feeds: TensorFlow would raise \"You "
                               "must feed a value for placeholder\""),
}
SUBGRAPH = record("tfinspect subgraph", {
    **_header("subgraph", "the script or file as given"),
    "plans": (list_of(record("plan", {
        "run": (nullable(INT), "the run's index (`null` for `--fetch` on a graph file)"),
        "graph": (INT, "the graph's id"),
        **PLAN,
        "source": (SOURCE, "the run's `Session.run` line"),
        "signature": (STRING, "a SavedModel's signature, when the plan is what it runs"),
    }, optional=("signature",))), "one per run shown (a SavedModel: one per signature)"),
    **{name: (schema, f"with exactly one plan: its `{name}`") for name, (schema, _) in PLAN.items()},
    "why": (record("why", {
        "op": (STRING, "the op asked about"),
        "runs": (BOOL, "whether the run executes it"),
        "reason": (STRING, "why, for people"),
        "chain": (list_of(record("step", {
            "op": (STRING, "an op on the path"),
            "type": (STRING, "its type"),
            "edge": (STRING, "how it reaches the next: `data` or `control`"),
        })), "the edges from a fetch to the op"),
    }), "with `--why OP`"),
}, optional=(*PLAN, "why"))
CKPT = record("tfinspect ckpt", {
    "schema_version": ({"const": SCHEMA_VERSION}, f"{SCHEMA_VERSION}"),
    "command": ({"const": "ckpt"}, "`\"ckpt\"`"),
    "checkpoint": (STRING, "the checkpoint prefix read"),
    "variables": (list_of(record("entry", {
        "name": (STRING, "the checkpoint key; in a TF2 (object-based) checkpoint, the variable's saved name "
                         "(`sequential/dense/kernel`)"),
        "key": (nullable(STRING), "a TF2 checkpoint's object-based key for it "
                                  "(`model/layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE`); `null` in a TF1 one"),
        "shape": (list_of(INT), "its shape"),
        "dtype": (STRING, "its dtype"),
        "bytes": (INT, "its size"),
    })), "every saved tensor"),
    "restore": (record("restore", {
        "ok": (BOOL, "`saver.restore` (TF2: `tf.train.Checkpoint.restore`) would succeed"),
        "object_based": (BOOL, "a TF2 checkpoint, restored object by object: a variable it lacks keeps its initial "
                               "value (not a failure), a shape or dtype that differs fails"),
        "matched": (list_of(STRING), "variables found with the same shape and dtype"),
        "missing": (list_of(STRING), "graph variables the checkpoint lacks (restore fails: NotFoundError)"),
        "unused": (list_of(STRING), "checkpoint keys no variable asks for"),
        "shape_mismatches": (list_of(record("shape mismatch", {
            "name": (STRING, "the variable"),
            "graph": (SHAPE, "its shape in the graph"),
            "checkpoint": (list_of(INT), "its shape in the checkpoint"),
        })), "restore fails: InvalidArgumentError"),
        "dtype_mismatches": (list_of(record("dtype mismatch", {
            "name": (STRING, "the variable"),
            "graph": (STRING, "its dtype in the graph"),
            "checkpoint": (STRING, "its dtype in the checkpoint"),
        })), "restore fails"),
        "renames": (list_of(record("rename", {
            "variable": (STRING, "the graph's variable"),
            "key": (STRING, "the checkpoint key that is probably it"),
            "why": (STRING, "why they look alike (a scope renamed, a `_1` suffix)"),
        })), "likely renames, to fix with a Saver var_list"),
    }), "with `--against SOURCE`: what `saver.restore` would do"),
}, optional=("restore",))

FINDING = record("finding", {
    "code": ({"type": "string", "pattern": "^TFI[0-9]{3}$"}, "the stable check code (docs/checks.md)"),
    "severity": (one_of("error", "warning", "info"), "`error` gives exit 1"),
    "op": (nullable(STRING), "the op the finding is about"),
    "message": (STRING, "one sentence, for people"),
    "hint": (STRING, "what to do about it"),
    "source": (SOURCE, "the user's line"),
    "graph": (INT, "the graph's id"),
    "related": (list_of(record("related", {
        "label": (STRING, "`placeholder`, `lookup`, `table`, `variable`, ..."),
        "source": (SOURCE, "the line"),
    })), "the other lines involved"),
    "evidence": ({"type": "object"}, "the facts behind the message, as fields; which fields each code gives is "
                                     "listed under Evidence by code in docs/json.md (declared by each check)"),
})
CHECK = record("tfinspect check", {
    "schema_version": ({"const": SCHEMA_VERSION}, f"{SCHEMA_VERSION}"),
    "command": ({"const": "check"}, "`\"check\"`"),
    "sources": (list_of(record("checked source", {
        "source": (STRING, "a SOURCE as given"),
        "outcome": (one_of("completed", "stopped", "error", "exit", "timeout", "crashed", "memory"),
                    "how its script ended (a graph file is `completed`)"),
        "checked": (nullable(STRING), "what the findings cover when not all of the source was checked (`not "
                                      "checked: ...`, `partly checked: ...`); `null` when all of it was"),
        "error": (nullable(STRING), "how the script failed (TensorFlow's message), when it did"),
        "findings": (INT, "its findings"),
    })), "one per SOURCE given"),
    "findings": (list_of(FINDING), "every finding of every source"),
})

CHANGE_COUNTS = record("changes by kind", {kind: (INT, f"{kind} changed") for kind in (
    "ops", "variables", "placeholders", "signatures", "collections", "runs", "findings")})
TENSOR_CHANGE = record("tensor change", {
    "change": (one_of("added", "removed", "changed"), "what happened to it"),
    "where": (STRING, "`placeholder`, or `signature NAME input` / `signature NAME output`"),
    "name": (STRING, "the placeholder's name, or the signature's key"),
    "old": (nullable(STRING), "dtype and shape in OLD (`float32 (?, 8)`)"),
    "new": (nullable(STRING), "dtype and shape in NEW"),
})
DIFF = record("tfinspect diff", {
    "schema_version": ({"const": SCHEMA_VERSION}, f"{SCHEMA_VERSION}; fields are only added within a version"),
    "command": ({"const": "diff"}, '`"diff"`'),
    "old": (STRING, "OLD as given (`SOURCE@REV` with --git)"),
    "new": (STRING, "NEW as given"),
    "old_ops": (INT, "ops in OLD's graphs"),
    "new_ops": (INT, "ops in NEW's graphs"),
    "changed": (CHANGE_COUNTS, "how many changes of each kind (`--fail-on` picks the kinds that give exit 1)"),
    "uniquified": (INT, "ops whose name moved only by TensorFlow's `_N` suffix: not changes"),
    "ops": (list_of(record("op change", {
        "change": (one_of("added", "removed", "changed", "renamed"), "what happened to it"),
        "old": (nullable(STRING), "its name in OLD"),
        "new": (nullable(STRING), "its name in NEW"),
        "type": (STRING, "its op type (NEW's)"),
        "details": (list_of(STRING), "for `changed`: what differs (type, inputs, device)"),
        "source": (SOURCE, "the line that created it (OLD's for a removed op)"),
    })), "ops added, removed, changed, or renamed one by one"),
    "scope_renames": (list_of(record("scope rename", {
        "old": (STRING, "a scope's name part in OLD (`dense1`)"),
        "new": (STRING, "in NEW (`layer1`)"),
        "ops": (INT, "ops it renamed, wherever it occurs"),
    })), "scopes renamed: the ops under them are the same ops"),
    "variables": (list_of(record("variable change", {
        "change": (one_of("added", "removed", "renamed", "reshaped", "retyped"), "what happened to it"),
        "old": (nullable(STRING), "its name in OLD"),
        "new": (nullable(STRING), "its name in NEW"),
        "old_shape": (SHAPE, SHAPE_TEXT),
        "new_shape": (SHAPE, SHAPE_TEXT),
        "old_dtype": (nullable(STRING), "its dtype in OLD"),
        "new_dtype": (nullable(STRING), "its dtype in NEW"),
        "why": (STRING, "for `renamed`: why the two are taken for one variable"),
        "source": (SOURCE, "the line that created it"),
    })), "variables changed"),
    "restore": (nullable(record("restore", {
        "ok": (BOOL, "a checkpoint of OLD's saved variables restores into NEW"),
        "missing": (list_of(STRING), "variables NEW saves that such a checkpoint lacks (`Key ... not found`)"),
        "shape_mismatches": (list_of(record("shape mismatch", {
            "variable": (STRING, "the variable"), "new": (SHAPE, "its shape in NEW"),
            "checkpoint": (list_of(INT), "its shape in OLD (-1: unknown)")})), "variables of another shape"),
        "dtype_mismatches": (list_of(record("dtype mismatch", {
            "variable": (STRING, "the variable"), "new": (STRING, "its dtype in NEW"),
            "checkpoint": (STRING, "in OLD")})), "variables of another dtype"),
    })), "what `saver.restore` of a checkpoint of OLD would do in NEW; `null` when OLD saves no variable"),
    "placeholders": (list_of(TENSOR_CHANGE), "placeholders added, removed, or of another dtype or shape"),
    "signatures": (list_of(TENSOR_CHANGE), "SavedModel signature inputs and outputs changed"),
    "collections": (list_of(record("collection change", {
        "key": (STRING, "the collection"),
        "added": (list_of(STRING), "members NEW has and OLD had not (renamed ones are the same)"),
        "removed": (list_of(STRING), "members OLD had and NEW has not"),
    })), "collections whose members changed"),
    "runs": (list_of(record("run change", {
        "source": (SOURCE, "the `Session.run` line"),
        "fetches": (list_of(STRING), "what it fetches"),
        "old_ops": (INT, "ops OLD's run at that line executed"),
        "new_ops": (INT, "ops NEW's run executes"),
        "added": (list_of(STRING), "a few of the ops NEW's run also executes"),
        "added_count": (INT, "all of them"),
        "removed_count": (INT, "ops OLD's run executed that NEW's does not"),
    })), "captured runs (matched by line and fetches) that execute other ops"),
    "findings": (nullable(list_of(FINDING)), "check's findings NEW has and OLD had not; `null` with --no-check"),
    "notes": (list_of(STRING), "what the comparison could not do exactly (graphs paired by position)"),
})

SCHEMAS: dict[str, dict[str, Any]] = {
    "graph": _graph_schema("graph"), "scopes": SCOPES, "collections": COLLECTIONS, "summary": SUMMARY,
    "subgraph": SUBGRAPH, "ckpt": CKPT, "check": CHECK, "diff": DIFF,
}
# Commands whose JSON is another's (lecture prints what graph prints for the model it builds).
SAME_AS = {"lecture": "graph"}


def schema(command: str) -> dict[str, Any]:
    """The complete JSON Schema document of ``command``'s ``--format json`` output."""
    body = SCHEMAS[SAME_AS.get(command, command)]
    return {"$schema": DIALECT, "$id": SCHEMA_ID.format(command=command), **body}


def schema_text(command: str) -> str:
    return json.dumps(schema(command), indent=2) + "\n"


def commands() -> list[str]:
    return [*SCHEMAS, *SAME_AS]
