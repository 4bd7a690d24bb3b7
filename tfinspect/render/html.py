"""A self-contained interactive HTML view of a graph: one file, opened in a browser with no server.

The page holds the graph as JSON (names, types, devices, source lines, inputs, and which captured runs
executed each op) and draws it with its own small layered layout in SVG: no library, nothing fetched.
Name scopes start collapsed to fit a box budget, as pictures do (render/dot.py); a click on a scope opens
or closes it, a click on an op shows its type, inputs, outputs, device, source line and runs, and the
search box finds ops by name. ``#search=NAME``, ``#expand=SCOPE`` and ``#select=OP`` in the address do
the same on load (the tests drive a headless browser with them).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from tfinspect.index.graphindex import GraphIndex
from tfinspect.render.dot import BOX_BUDGET

MAX_RUNS = 30  # runs whose executed ops the view marks (distinct runs, in order)


def view_model(index: GraphIndex, *, title: str, sources=None, runs=(), plans=()) -> dict[str, Any]:
    """The JSON the page reads: compact columns, one entry per op."""
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
    return {
        "title": title, "budget": BOX_BUDGET,
        "names": list(index.names), "types": list(types), "type": type_of,
        "files": list(files), "source": source_of, "devices": list(devices), "device": device_of,
        "indptr": index.indptr.astype(np.int64).tolist(), "inputs": inputs.tolist(), "control": control.tolist(),
        "runs": [label for label in list(runs)[:MAX_RUNS]], "ran": ran.tolist(),
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
const N = M.names.length;
document.getElementById("title").textContent = M.title;
// scope tree: id -> {path, name, parent, children(scope ids), ops(op ids), count}
const scopes = [{path: "", name: "", parent: -1, children: [], ops: [], count: 0}];
const scopeIndex = new Map([["", 0]]);
const opScope = new Int32Array(N);
function scopeOf(path) {
  let id = scopeIndex.get(path);
  if (id !== undefined) return id;
  const cut = path.lastIndexOf("/");
  const parent = scopeOf(cut < 0 ? "" : path.slice(0, cut));
  id = scopes.length;
  scopes.push({path, name: path.slice(cut + 1), parent, children: [], ops: [], count: 0});
  scopes[parent].children.push(id);
  scopeIndex.set(path, id);
  return id;
}
for (let i = 0; i < N; i++) {
  const name = M.names[i], cut = name.lastIndexOf("/");
  const s = scopeOf(cut < 0 ? "" : name.slice(0, cut));
  opScope[i] = s; scopes[s].ops.push(i);
  for (let t = s; t >= 0; t = scopes[t].parent) scopes[t].count++;
}
// a scope that is also an op's name ("w" and "w/read") keeps the op inside as a box of its own
const consumers = Array.from({length: N}, () => []);
for (let i = 0; i < N; i++)
  for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) if (M.inputs[k] >= 0) consumers[M.inputs[k]].push(i);
const open = new Set([0]);
let selected = -1;
// a scope with more single ops than its share of the budget shows them grouped by type ("Const ×312")
const CROWDED = Math.max(20, Math.floor(M.budget / 10));
const typeCounts = new Map();  // "scope:type" -> ops
for (let i = 0; i < N; i++) { const key = opScope[i] + ":" + M.type[i]; typeCounts.set(key, (typeCounts.get(key) || 0) + 1); }
const groupsOf = s => { const seen = new Set(); for (const i of scopes[s].ops) seen.add(M.type[i]); return [...seen]; };
const crowded = s => scopes[s].ops.length > CROWDED;
const ownBoxes = s => crowded(s) ? groupsOf(s).length : scopes[s].ops.length;
// series: three or more numbered sibling scopes holding the same ops by type (tower_0..2, h1..h20), one box
// "tower_* ×3" until opened, as the pictures draw them
const makeup = scopes.map(() => new Map());
for (let i = 0; i < N; i++) for (let t = opScope[i]; t > 0; t = scopes[t].parent)
  makeup[t].set(M.type[i], (makeup[t].get(M.type[i]) || 0) + 1);
const signature = makeup.map(m => [...m.entries()].sort((a, b) => a[0] - b[0]).join(";"));
const series = [], seriesOf = new Int32Array(scopes.length).fill(-1), openSeries = new Set();
for (let s = 0; s < scopes.length; s++) {
  const families = new Map();
  for (const c of scopes[s].children) {
    const match = /^(.*?)(\d+)$/.exec(scopes[c].name);
    if (!match) continue;
    const key = match[1] + "|" + signature[c];
    if (!families.has(key)) families.set(key, {prefix: match[1], members: []});
    families.get(key).members.push(c);
  }
  for (const family of families.values()) if (family.members.length >= 3) {
    const id = series.length;
    series.push({parent: s, prefix: family.prefix, members: family.members, count: scopes[family.members[0]].count});
    for (const c of family.members) seriesOf[c] = id;
  }
}
const inClosedSeries = c => seriesOf[c] >= 0 && !openSeries.has(seriesOf[c]);
const childBoxes = s => { let n = 0; const seen = new Set();
  for (const c of scopes[s].children) if (inClosedSeries(c)) seen.add(seriesOf[c]); else n++;
  return n + seen.size; };
// open scopes level by level while the whole level fits the budget (a uniform picture, as pictures choose a depth)
(function autoOpen() {
  let boxes = childBoxes(0) + ownBoxes(0), level = scopes[0].children.filter(c => !inClosedSeries(c));
  while (level.length) {
    let more = 0;
    for (const s of level) more += childBoxes(s) + ownBoxes(s) - 1;
    if (boxes + more > M.budget) break;
    boxes += more;
    for (const s of level) open.add(s);
    level = level.flatMap(s => scopes[s].children.filter(c => !inClosedSeries(c)));
  }
})();
// the box an op is drawn in: its own, or its outermost closed scope
function boxOf(i) {
  let chain = [];
  for (let s = opScope[i]; s > 0; s = scopes[s].parent) chain.push(s);
  for (let k = chain.length - 1; k >= 0; k--) {
    if (inClosedSeries(chain[k])) return "g" + seriesOf[chain[k]];
    if (!open.has(chain[k])) return "s" + chain[k];
  }
  if (i !== selected && crowded(opScope[i])) return "t" + opScope[i] + ":" + M.type[i];
  return "o" + i;
}
function visibleBoxes() {
  const boxes = [];
  const walk = s => {
    const drawn = new Set();
    for (const c of scopes[s].children) {
      if (inClosedSeries(c)) { if (!drawn.has(seriesOf[c])) { drawn.add(seriesOf[c]); boxes.push("g" + seriesOf[c]); } }
      else open.has(c) ? walk(c) : boxes.push("s" + c);
    }
    if (crowded(s)) {
      for (const t of groupsOf(s)) boxes.push("t" + s + ":" + t);
      if (selected >= 0 && opScope[selected] === s) boxes.push("o" + selected);
    } else for (const i of scopes[s].ops) boxes.push("o" + i);
  };
  walk(0);
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
  let seen = 0;
  while (queue.length) {
    const a = queue.pop(); seen++;
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
  boxes.forEach((box, k) => {
    const g = document.createElementNS(NS, "g"), isScope = box[0] === "s", isGroup = box[0] === "t";
    if (box[0] === "g") {
      const family = series[+box.slice(1)], parent = scopes[family.parent].path;
      g.setAttribute("class", "box scope");
      g.setAttribute("data-box", (parent ? parent + "/" : "") + family.prefix + "*");
      g.setAttribute("transform", `translate(${pos[k][0]},${pos[k][1]})`);
      const rect = document.createElementNS(NS, "rect"); rect.setAttribute("width", W); rect.setAttribute("height", H);
      const text = document.createElementNS(NS, "text"); text.setAttribute("x", 6); text.setAttribute("y", 15);
      text.textContent = family.prefix + "* ×" + family.members.length;
      const sub = document.createElementNS(NS, "text"); sub.setAttribute("x", 6); sub.setAttribute("y", 30);
      sub.textContent = family.count + " ops each";
      const tip = document.createElementNS(NS, "title"); tip.textContent = "click to show each one";
      g.append(rect, text, sub, tip);
      g.addEventListener("click", () => { openSeries.add(+box.slice(1)); draw(); });
      svg.appendChild(g); return;
    }
    if (isGroup) {
      const [scope, type] = box.slice(1).split(":").map(Number);
      g.setAttribute("class", "box scope");
      g.setAttribute("data-box", (scopes[scope].path ? scopes[scope].path + "/" : "") + "[" + M.types[type] + "]");
      g.setAttribute("transform", `translate(${pos[k][0]},${pos[k][1]})`);
      const rect = document.createElementNS(NS, "rect"); rect.setAttribute("width", W); rect.setAttribute("height", H);
      const text = document.createElementNS(NS, "text"); text.setAttribute("x", 6); text.setAttribute("y", 15);
      text.textContent = M.types[type] + " ×" + typeCounts.get(scope + ":" + type);
      const sub = document.createElementNS(NS, "text"); sub.setAttribute("x", 6); sub.setAttribute("y", 30);
      sub.textContent = "search to find one";
      g.append(rect, text, sub); svg.appendChild(g); return;
    }
    const id = +box.slice(1);
    g.setAttribute("class", "box" + (isScope ? " scope" : "") + (!isScope && id === selected ? " selected" : "") +
      (!isScope && !ranOps(box) ? " notrun" : ""));
    g.setAttribute("data-box", isScope ? scopes[id].path + "/" : M.names[id]);
    g.setAttribute("transform", `translate(${pos[k][0]},${pos[k][1]})`);
    const rect = document.createElementNS(NS, "rect");
    rect.setAttribute("width", W); rect.setAttribute("height", H);
    const text = document.createElementNS(NS, "text");
    text.setAttribute("x", 6); text.setAttribute("y", 15);
    const label = isScope ? scopes[id].name + "/" : M.names[id].slice(M.names[id].lastIndexOf("/") + 1);
    text.textContent = label.length > 26 ? label.slice(0, 25) + "…" : label;
    const sub = document.createElementNS(NS, "text");
    sub.setAttribute("x", 6); sub.setAttribute("y", 30);
    sub.textContent = isScope ? scopes[id].count + " ops" : M.types[M.type[id]];
    const tip = document.createElementNS(NS, "title");
    tip.textContent = isScope ? scopes[id].path + "/ (click to open)" : M.names[id];
    g.append(rect, text, sub, tip);
    g.addEventListener("click", () => isScope ? toggle(id) : select(id));
    svg.appendChild(g);
  });
  document.getElementById("status").textContent = `${boxes.length} boxes of ${N} ops`;
  drawTree();
}
function toggle(s) { open.has(s) ? open.delete(s) : open.add(s); draw(); }
function reveal(i) {
  for (let s = opScope[i]; s > 0; s = scopes[s].parent) { open.add(s); if (seriesOf[s] >= 0) openSeries.add(seriesOf[s]); }
}
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
function drawTree() {
  const tree = document.getElementById("tree"); tree.textContent = "";
  const add = (parent, s, depth) => {
    for (const c of scopes[s].children) {
      const li = document.createElement("li"), span = document.createElement("span");
      span.textContent = (open.has(c) ? "▾ " : "▸ ") + scopes[c].name + "/ (" + scopes[c].count + ")";
      span.addEventListener("click", () => toggle(c)); li.appendChild(span); parent.appendChild(li);
      if (open.has(c) && depth < 6) { const ul = document.createElement("ul"); li.appendChild(ul); add(ul, c, depth + 1); }
    }
  };
  add(tree, 0, 0);
}
document.getElementById("search").addEventListener("input", e => search(e.target.value));
function fromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has("expand")) for (const path of params.getAll("expand")) {
    const s = scopeIndex.get(path.replace(/\/$/, ""));
    if (s !== undefined) { open.add(s); for (let t = s; t > 0; t = scopes[t].parent) if (seriesOf[t] >= 0) openSeries.add(seriesOf[t]); }
  }
  if (params.has("search")) { document.getElementById("search").value = params.get("search"); search(params.get("search")); }
  if (params.has("select")) { const i = M.names.indexOf(params.get("select")); if (i >= 0) { select(i); return; } }
  draw();
}
fromHash();
</script></body></html>
"""
