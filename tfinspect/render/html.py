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
from typing import Any

import numpy as np

from tfinspect.analyses.collapse import choose_cut, hierarchy
from tfinspect.index.graphindex import GraphIndex

MAX_RUNS = 30  # runs whose executed ops the view marks (distinct runs, in order)


def view_model(index: GraphIndex, *, title: str, sources=None, runs=(), plans=()) -> dict[str, Any]:
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
    cut = choose_cut(h)
    return {
        "title": title,
        "names": list(index.names), "types": list(types), "type": type_of,
        "files": list(files), "source": source_of, "devices": list(devices), "device": device_of,
        "indptr": index.indptr.astype(np.int64).tolist(), "inputs": inputs.tolist(), "control": control.tolist(),
        "runs": [label for label in list(runs)[:MAX_RUNS]], "ran": ran.tolist(),
        "nodes": {"kind": h.kind.tolist(), "parent": h.parent.tolist(), "path": list(h.path),
                  "label": list(h.label), "ops": h.ops.tolist(), "members": h.members.tolist(),
                  "children": [list(c) for c in h.children]},
        "opParent": h.op_parent.tolist(), "open": np.flatnonzero(cut.opened).tolist(),
    }


def _embed(model: dict[str, Any]) -> str:
    """JSON safe inside <script>: no '</script>' or '<!--' can close or change the element (names are data)."""
    return json.dumps(model, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def to_html(index: GraphIndex, *, title: str, sources=None, runs=(), plans=()) -> str:
    import html

    model = view_model(index, title=title, sources=sources, runs=runs, plans=plans)
    return PAGE.replace("@TITLE@", html.escape(title)).replace("@MODEL@", _embed(model))


PAGE = r"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>@TITLE@ · tfinspect</title>
<style>
body{margin:0;font:13px Helvetica,Arial,sans-serif;display:flex;height:100vh;color:#222}
#side{width:320px;border-right:1px solid #ccc;display:flex;flex-direction:column;overflow:hidden}
#side h1{font-size:14px;margin:8px;word-break:break-all}
#search{margin:0 8px 4px;padding:4px}
#results{list-style:none;margin:0 8px;padding:0;max-height:30%;overflow:auto}
#results li,#tree li{cursor:pointer;white-space:nowrap}
#results li:hover,#tree li>span:hover{background:#eef}
#details{margin:8px;padding:6px;background:#f7f7f7;overflow:auto;flex:1;word-break:break-all}
#tree{margin:0 8px;padding-left:0;list-style:none;max-height:25%;overflow:auto}
#tree ul{list-style:none;padding-left:14px}
#canvas{flex:1;overflow:auto}
.box rect{stroke:#1f5f99;fill:#cfe8ff}.box.scope rect{fill:#eee;stroke:#888;rx:8}
.box.selected rect{stroke:#d33;stroke-width:3}.box.notrun rect{fill:#fff;stroke:#aaa;stroke-dasharray:4}
.box text{font-size:11px;pointer-events:none}.box{cursor:pointer}
.edge{stroke:#666;fill:none}.edge.control{stroke-dasharray:4}
#status{margin:4px 8px;color:#666}
</style></head>
<body>
<div id="side">
<h1 id="title"></h1>
<input id="search" placeholder="search an op by name" autocomplete="off">
<ul id="results"></ul>
<div id="status"></div>
<ul id="tree"></ul>
<div id="details">Click a scope to open or close it; click an op for its details.</div>
</div>
<div id="canvas"><svg id="svg" xmlns="http://www.w3.org/2000/svg"></svg></div>
<script id="model" type="application/json">@MODEL@</script>
<script>
"use strict";
const M = JSON.parse(document.getElementById("model").textContent);
const N = M.names.length, G = M.nodes, NODES = G.kind.length;
const SCOPE = 0, SERIES = 1, TYPES = 2;
document.getElementById("title").textContent = M.title;
// The collapse model, as Python computed it (analyses/collapse.py): nodes above the ops, and the first view's
// open nodes. A view is a cut of this tree: a closed node under open ones is one box. No rule is re-derived here.
const opsOf = Array.from({length: NODES}, () => []);
for (let i = 0; i < N; i++) opsOf[M.opParent[i]].push(i);
const open = new Set(M.open);
const byPath = new Map();
for (let n = 0; n < NODES; n++) if (G.kind[n] === SCOPE) byPath.set(G.path[n], n);
const consumers = Array.from({length: N}, () => []);
for (let i = 0; i < N; i++)
  for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) if (M.inputs[k] >= 0) consumers[M.inputs[k]].push(i);
let selected = -1;
const boxId = n => G.kind[n] === TYPES ? G.path[n] : G.path[n] + "/*";  // the ids the svg picture gives its boxes
// the box an op is drawn in: its outermost closed node, or itself (the selected op is always drawn on its own)
function boxOf(i) {
  let box = -1;
  for (let n = M.opParent[i]; n > 0; n = G.parent[n]) if (!open.has(n)) box = n;
  return box < 0 || (i === selected && G.kind[box] === TYPES) ? "o" + i : "n" + box;
}
function visibleBoxes() {
  const boxes = [];
  const walk = n => {
    for (const c of G.children[n]) open.has(c) ? walk(c) : boxes.push("n" + c);
    for (const i of opsOf[n]) boxes.push("o" + i);
  };
  walk(0);
  if (selected >= 0 && boxOf(selected) === "o" + selected && !boxes.includes("o" + selected)) boxes.push("o" + selected);
  return boxes;
}
function ranOps(box) {
  if (!M.runs.length) return true;
  if (box[0] === "o") return M.ran[+box.slice(1)] !== 0;
  return true;
}
function draw() {
  const boxes = visibleBoxes(), at = new Map(boxes.map((b, k) => [b, k]));
  const edges = new Map();
  for (let i = 0; i < N; i++) {
    const target = boxOf(i);
    for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) {
      const p = M.inputs[k]; if (p < 0) continue;
      const source = boxOf(p); if (source === target) continue;
      const key = source + ">" + target + ">" + M.control[k];
      edges.set(key, (edges.get(key) || 0) + 1);
    }
  }
  // layers: longest path from the sources (Kahn); what a cycle (a while loop) leaves goes last
  const n = boxes.length, out = Array.from({length: n}, () => []), indeg = new Int32Array(n);
  const list = [];
  for (const [key, count] of edges) {
    const [s, t, c] = key.split(">");
    const a = at.get(s), b = at.get(t);
    if (a === undefined || b === undefined) continue;
    out[a].push(b); indeg[b]++; list.push([a, b, c === "1", count]);
  }
  const rank = new Int32Array(n), queue = [];
  for (let k = 0; k < n; k++) if (!indeg[k]) queue.push(k);
  while (queue.length) {
    const a = queue.pop();
    for (const b of out[a]) { rank[b] = Math.max(rank[b], rank[a] + 1); if (--indeg[b] === 0) queue.push(b); }
  }
  let top = 0; for (let k = 0; k < n; k++) top = Math.max(top, rank[k]);
  for (let k = 0; k < n; k++) if (indeg[k] > 0) rank[k] = top + 1;
  const rows = new Map();
  for (let k = 0; k < n; k++) { if (!rows.has(rank[k])) rows.set(rank[k], []); rows.get(rank[k]).push(k); }
  const W = 170, H = 38, X = 190, Y = 70, pos = new Array(n);
  let width = 0, height = 0;
  for (const [r, members] of rows) members.forEach((k, j) => {
    pos[k] = [20 + j * X, 20 + r * Y]; width = Math.max(width, pos[k][0] + W + 20); height = Math.max(height, pos[k][1] + H + 20);
  });
  const svg = document.getElementById("svg");
  svg.setAttribute("width", width); svg.setAttribute("height", height);
  svg.textContent = "";
  const NS = "http://www.w3.org/2000/svg";
  for (const [a, b, control, count] of list) {
    const line = document.createElementNS(NS, "path");
    const [x1, y1] = pos[a], [x2, y2] = pos[b];
    line.setAttribute("d", `M${x1 + W / 2},${y1 + H} L${x2 + W / 2},${y2}`);
    line.setAttribute("class", "edge" + (control ? " control" : ""));
    if (count > 1) { const t = document.createElementNS(NS, "title"); t.textContent = count + " tensors"; line.appendChild(t); }
    svg.appendChild(line);
  }
  const ids = [];
  boxes.forEach((box, k) => {
    const g = document.createElementNS(NS, "g"), id = +box.slice(1), isNode = box[0] === "n";
    let label, sub, tip;
    if (isNode) {
      const kind = G.kind[id];
      label = kind === SERIES ? G.label[id] + "* ×" + G.members[id] : kind === TYPES ? G.label[id] + " ×" + G.ops[id]
        : G.label[id] + "/";
      sub = kind === SERIES ? Math.floor(G.ops[id] / Math.max(1, G.members[id])) + " ops each" : kind === TYPES ? "click to show them"
        : G.ops[id] + (G.ops[id] === 1 ? " op" : " ops");
      tip = (kind === TYPES ? G.path[id] : G.path[id] + "/") + " (click to open)";
      g.setAttribute("class", "box scope");
      g.addEventListener("click", () => { open.add(id); draw(); });
    } else {
      label = M.names[id].slice(M.names[id].lastIndexOf("/") + 1);
      sub = M.types[M.type[id]]; tip = M.names[id];
      g.setAttribute("class", "box" + (id === selected ? " selected" : "") + (!ranOps(box) ? " notrun" : ""));
      g.addEventListener("click", () => select(id));
    }
    const dataBox = isNode ? boxId(id) : M.names[id];
    ids.push(dataBox);
    g.setAttribute("data-box", dataBox);
    g.setAttribute("transform", `translate(${pos[k][0]},${pos[k][1]})`);
    const rect = document.createElementNS(NS, "rect"); rect.setAttribute("width", W); rect.setAttribute("height", H);
    const text = document.createElementNS(NS, "text"); text.setAttribute("x", 6); text.setAttribute("y", 15);
    text.textContent = label.length > 26 ? label.slice(0, 25) + "…" : label;
    const second = document.createElementNS(NS, "text"); second.setAttribute("x", 6); second.setAttribute("y", 30);
    second.textContent = sub;
    const title = document.createElementNS(NS, "title"); title.textContent = tip;
    g.append(rect, text, second, title);
    svg.appendChild(g);
  });
  svg.setAttribute("data-boxes", JSON.stringify(ids));
  document.getElementById("status").textContent = `${boxes.length} boxes of ${N} ops`;
  drawTree();
}
function toggle(n) { open.has(n) ? open.delete(n) : open.add(n); draw(); }
// open what holds op i, so that it can be seen: its scopes and series (a type group stays one box beside it)
function reveal(i) { for (let n = M.opParent[i]; n > 0; n = G.parent[n]) if (G.kind[n] !== TYPES) open.add(n); }
function select(i) {
  selected = i; reveal(i);
  const d = document.getElementById("details"); d.textContent = "";
  const row = (label, value) => { const p = document.createElement("div"); const b = document.createElement("b");
    b.textContent = label + ": "; p.append(b, document.createTextNode(value)); d.appendChild(p); };
  row("op", M.names[i]); row("type", M.types[M.type[i]]);
  row("device", M.devices[M.device[i]] || "(unplaced)");
  const f = M.source[2 * i];
  row("source", f < 0 ? "-" : M.files[f] + ":" + M.source[2 * i + 1]);
  const ins = [];
  for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) if (M.inputs[k] >= 0) ins.push((M.control[k] ? "^" : "") + M.names[M.inputs[k]]);
  row("inputs", ins.join(", ") || "-");
  row("outputs", consumers[i].map(c => M.names[c]).join(", ") || "-");
  if (M.runs.length) row("runs", M.runs.filter((_, b) => (M.ran[i] >> b) & 1).join(", ") || "none of the captured runs");
  draw();
}
function search(text) {
  const results = document.getElementById("results"); results.textContent = "";
  if (!text) return;
  const needle = text.toLowerCase();
  let shown = 0;
  for (let i = 0; i < N && shown < 50; i++) if (M.names[i].toLowerCase().includes(needle)) {
    const li = document.createElement("li"); li.textContent = M.names[i]; li.dataset.op = M.names[i];
    li.addEventListener("click", () => select(i)); results.appendChild(li); shown++;
  }
  if (!shown) { const li = document.createElement("li"); li.textContent = "no op matches"; results.appendChild(li); }
}
// the scope tree: scopes and series, each opened or closed with a click
function drawTree() {
  const tree = document.getElementById("tree"); tree.textContent = "";
  const add = (parent, n, depth) => {
    for (const c of G.children[n]) {
      if (G.kind[c] === TYPES) continue;
      const li = document.createElement("li"), span = document.createElement("span");
      const name = G.kind[c] === SERIES ? G.label[c] + "* ×" + G.members[c] : G.label[c] + "/";
      span.textContent = (open.has(c) ? "▾ " : "▸ ") + name + " (" + G.ops[c] + ")";
      span.addEventListener("click", () => toggle(c)); li.appendChild(span); parent.appendChild(li);
      if (open.has(c) && depth < 6) { const ul = document.createElement("ul"); li.appendChild(ul); add(ul, c, depth + 1); }
    }
  };
  add(tree, 0, 0);
}
document.getElementById("search").addEventListener("input", e => search(e.target.value));
function fromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const path of params.getAll("expand"))
    for (let n = byPath.get(path.replace(/\/$/, "")); n !== undefined && n > 0; n = G.parent[n]) open.add(n);
  if (params.has("search")) { document.getElementById("search").value = params.get("search"); search(params.get("search")); }
  if (params.has("select")) { const i = M.names.indexOf(params.get("select")); if (i >= 0) { select(i); return; } }
  draw();
}
fromHash();
</script></body></html>
"""
