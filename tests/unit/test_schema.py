"""capture.json's schema: a damaged document is one error naming the field."""

from __future__ import annotations

import pytest

from tfinspect.core.errors import SourceError
from tfinspect.record.schema import validate

GOOD = {"format": "tfinspect-capture", "version": 1, "source": "m.py", "origin": "script", "files": ["/m.py"],
        "graphs": [{"id": 0, "graph_def": "graph_0.pb", "sources": {"x": [0, 3, "<module>"]},
                    "variables": [{"name": "w", "shape": [3, None], "dtype": "float32", "trainable": True,
                                   "kind": "ref", "created_by": "get_variable", "made_by": "AdamOptimizer"}]}],
        "runs": [{"index": 0, "graph": 0, "fetches": ["x:0"], "status": "ok",
                  "feeds": [{"name": "x:0", "dtype": "float32", "shape": [2]}]}],
        "outcome": {"status": "completed", "message": ""}, "a_field_from_a_newer_writer": 1}


def test_a_good_document_passes():
    assert validate(GOOD, "capture.json") is GOOD


@pytest.mark.parametrize("change, named", [
    (lambda d: d["runs"][0].update(status=-1), "capture.runs[0].status: expected one of"),
    (lambda d: d["graphs"][0]["sources"].update(x=[7, 3, "f"]), "capture.graphs[0].sources['x']"),
    (lambda d: d["graphs"][0]["variables"][0].update(trainable="yes"), "variables[0].trainable: expected bool"),
    (lambda d: d["graphs"][0].pop("graph_def"), "capture.graphs[0]: missing graph_def"),
    (lambda d: d["runs"][0]["feeds"][0].update(shape=[True]), "feeds[0].shape[0]: expected an integer"),
    (lambda d: d.update(graphs={}), "capture.graphs: expected a list"),
    (lambda d: d["runs"][0].update(index=2 ** 70), "capture.runs[0].index: expected an integer"),
])
def test_a_damaged_document_names_the_field(change, named):
    import copy

    document = copy.deepcopy(GOOD)
    change(document)
    with pytest.raises(SourceError) as caught:
        validate(document, "capture.json")
    assert named in str(caught.value) and str(caught.value).startswith("capture.json: not a valid tfinspect capture")
