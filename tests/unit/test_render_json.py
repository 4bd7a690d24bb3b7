"""The JSON writer's fast path writes exactly what ``json.dump(indent=2)`` writes."""

from __future__ import annotations

import io
import json

import pytest

from tfinspect.render.json import dump

DOCUMENTS = [
    {},
    [],
    "a string",
    7,
    None,
    {"empty_list": [], "empty_dict": {}, "mixed": [1, 2.5, None, True, False, "x\u00e9\n\"\\", [], {}]},
    {"nested": [["a", "b"], ("c",), [{"x": [{"y": []}]}]], "tuple": ("a", "b"), "strings": ["\u2603", "tab\t"]},
    {1: "int key", True: "bool key", None: "none key", 2.5: "float key"},
    {"nan": float("nan"), "inf": float("inf"), "-inf": float("-inf"), "neg_zero": -0.0, "big": 10**30},
    {"graphs": [{"ops": 3, "outputs": [f"scope/op_{i}" for i in range(50)], "devices": [["(unplaced)", 3]]}]},
]


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_dump_writes_what_json_writes(document):
    out = io.StringIO()
    dump(document, out)
    assert out.getvalue() == json.dumps(document, indent=2) + "\n"


def test_dump_rejects_what_json_rejects():
    with pytest.raises(TypeError):
        dump({"value": object()}, io.StringIO())
    with pytest.raises(TypeError):
        dump({(1, 2): "tuple key"}, io.StringIO())
