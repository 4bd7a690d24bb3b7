"""A self-contained interactive HTML view of a graph: one file, opened in a browser with no server.

The page holds the graph as JSON (names, types, devices, source lines, inputs, and which captured runs
executed each op) and the collapse model of ``analyses.collapse``: the hierarchy of scopes, series and type
groups above the ops, and which of its nodes the first view opens (the cut the svg picture draws). The page
draws that cut with its own small layered layout in SVG (no library, nothing fetched); a click on a closed
box opens it, the scope tree opens and closes scopes, a click on an op shows its type, inputs, outputs,
device, source line and runs, and the search box finds ops by name. It applies no collapse rule of its own:
every view is a cut of the embedded hierarchy. ``#search=NAME``, ``#expand=SCOPE`` and ``#select=OP`` in the
address do the same on load (the tests drive a headless browser with them); the boxes drawn are listed in
the ``data-boxes`` attribute of the picture.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np

from tfinspect.analyses.collapse import OVERVIEW_BUDGET, choose_cut, hierarchy
from tfinspect.core.optypes import is_mutating
from tfinspect.index.graphindex import GraphIndex

MAX_RUNS = 30  # runs whose executed ops the view marks (distinct runs, in order)


def view_model(index: GraphIndex, *, title: str, sources=None, runs=(), plans=(), findings=(),
               marks=None) -> dict[str, Any]:
    """The JSON the page reads: compact columns, one entry per op, and the collapse model's nodes."""
    types: dict[str, int] = {}
    files: dict[str, int] = {}
    type_of, source_of, device_of = [], [], []
    devices: dict[str, int] = {"": 0}
    for node, name in enumerate(index.names):
        type_of.append(types.setdefault(index.op_types[node], len(types)))
        location = sources.get(name) if sources else None
        if location is None:
            source_of.append(-1)
            source_of.append(0)
        else:
            source_of.append(files.setdefault(location.file, len(files)))
            source_of.append(int(location.line))
        device = index.graph_def.node[node].device
        device_of.append(devices.setdefault(device, len(devices)))
    inputs = index.indices.astype(np.int64)
    control = (index.src_output < 0).astype(np.int8)
    ran = np.zeros(len(index), dtype=np.int64)
    for bit, plan in enumerate(list(plans)[:MAX_RUNS]):
        ran |= plan.mask.astype(np.int64) << bit
    h = hierarchy(index.names, index.op_types)
    fed = []
    for plan in list(plans)[:MAX_RUNS]:  # the ops whose outputs a run feeds
        fed.append(sorted({index.ids[t.rpartition(":")[0]] for t in plan.fed if t.rpartition(":")[0] in index.ids}))
    return {
        "title": title,
        "names": list(index.names), "types": list(types), "type": type_of,
        "files": list(files), "source": source_of, "devices": list(devices), "device": device_of,
        "indptr": index.indptr.astype(np.int64).tolist(), "inputs": inputs.tolist(), "control": control.tolist(),
        "port": index.src_output.astype(np.int64).tolist(),
        "mutating": [code for code, name in enumerate(types) if is_mutating(name)],
        "runs": [label for label in list(runs)[:MAX_RUNS]], "ran": ran.tolist(), "fed": fed,
        "findings": [{"op": f.op, "code": f.code, "severity": str(f.severity), "message": f.message}
                     for f in findings if f.op],
        # what `diff` found of each op (added, changed, renamed), by op position
        "marks": {str(index.ids[name]): kind for name, kind in (marks or {}).items() if name in index.ids},
        "nodes": {"kind": h.kind.tolist(), "parent": h.parent.tolist(), "path": list(h.path),
                  "label": list(h.label), "ops": h.ops.tolist(), "members": h.members.tolist(),
                  "level": h.level.tolist(), "children": [list(c) for c in h.children]},
        "opParent": h.op_parent.tolist(),
        # the cuts a view starts from: the first view (the top scopes, within OVERVIEW_BUDGET boxes) and the one
        # the svg picture draws (within BOX_BUDGET); every other view opens or closes nodes of these
        "views": {"overview": np.flatnonzero(choose_cut(h, budget=OVERVIEW_BUDGET).opened).tolist(),
                  "picture": np.flatnonzero(choose_cut(h).opened).tolist()},
    }


def _embed(model: dict[str, Any]) -> str:
    """JSON safe inside <script>: no '</script>' or '<!--' can close or change the element (names are data)."""
    return json.dumps(model, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def to_html(index: GraphIndex, *, title: str, sources=None, runs=(), plans=(), findings=(), marks=None) -> str:
    """The page: ``runs`` (labels) and their ``plans`` for the run selector, ``findings`` marked on their ops,
    ``marks`` (op name -> added/changed/renamed, from ``diff``) coloured."""
    import html
    from importlib import resources

    page = resources.files("tfinspect.render") / "page"
    model = view_model(index, title=title, sources=sources, runs=runs, plans=plans, findings=findings, marks=marks)
    values = {"CSS": (page / "view.css").read_text(encoding="utf-8"),
              "JS": (page / "view.js").read_text(encoding="utf-8"),
              "TITLE": html.escape(title), "MODEL": _embed(model)}
    # one pass: what is put in is never scanned again (a title holding "@MODEL@" stays text)
    return re.sub(r"@(CSS|JS|TITLE|MODEL)@", lambda mark: values[mark.group(1)],
                  (page / "view.html").read_text(encoding="utf-8"))
