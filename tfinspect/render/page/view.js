"use strict";
// The interactive view of tfinspect's collapse model (analyses/collapse.py). The model is embedded as data: the
// nodes above the ops (scopes, series, type groups) and which are open in the first view. A view is a cut of
// that tree: a closed node under open ones is one box, an open scope is a container drawn around its children,
// an open series or type group stands aside for its members. This script re-derives no collapse rule; it lays
// out what is open, layer by layer, inside each container, as TensorBoard's graph dashboard does with dagre.
const M = JSON.parse(document.getElementById("model").textContent);
const N = M.names.length, G = M.nodes, NODES = G.kind.length;
const SCOPE = 0, SERIES = 1, TYPES = 2;
const NS = "http://www.w3.org/2000/svg";
document.getElementById("title").textContent = M.title;

// ---- the model, indexed once -------------------------------------------------------------------------------
const opsOf = Array.from({length: NODES}, () => []);
for (let i = 0; i < N; i++) opsOf[M.opParent[i]].push(i);
const scopeUp = new Int32Array(NODES);  // the nearest scope at or above a node
const bfs = [0];
for (let k = 0; k < bfs.length; k++) for (const c of G.children[bfs[k]]) bfs.push(c);
for (const n of bfs) scopeUp[n] = n === 0 || G.kind[n] === SCOPE ? n : scopeUp[G.parent[n]];
const byPath = new Map();
for (let n = 0; n < NODES; n++) if (G.kind[n] === SCOPE) byPath.set(G.path[n], n);
const consumers = Array.from({length: N}, () => []);
for (let i = 0; i < N; i++)
  for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) if (M.inputs[k] >= 0) consumers[M.inputs[k]].push(i);
const mutating = new Set(M.mutating);
const findingsOf = new Map();
for (const f of M.findings || []) { if (!findingsOf.has(f.op)) findingsOf.set(f.op, []); findingsOf.get(f.op).push(f); }

// what `diff` found (added, changed, renamed ops), counted for every node above them
const marks = new Map(Object.entries(M.marks || {}).map(([op, kind]) => [+op, kind]));
const marked = new Int32Array(NODES);
for (const op of marks.keys()) for (let n = M.opParent[op]; n >= 0; n = G.parent[n]) marked[n]++;

// ---- view state -------------------------------------------------------------------------------------------
const startView = new URLSearchParams(location.hash.slice(1)).get("view") === "picture" ? "picture" : "overview";
const open = new Set(M.views[startView]);
open.add(0);
let selected = -1, highlighted = -1, run = -1;
const runFed = (M.fed || []).map(list => new Set(list));

// entities: a node n is n; an op i is NODES + i
const isOp = e => e >= NODES;
const boxId = e => isOp(e) ? M.names[e - NODES] : G.kind[e] === TYPES ? G.path[e] : G.path[e] + "/*";
let closedTop = new Int32Array(NODES);
function cut() {  // per node: the outermost closed node at or above it (-1: all open)
  closedTop = new Int32Array(NODES).fill(-1);
  for (const n of bfs) {
    if (n === 0) continue;
    const above = closedTop[G.parent[n]];
    closedTop[n] = above >= 0 ? above : open.has(n) ? -1 : n;
  }
}
function boxOf(i) {  // the entity op i is drawn in
  const p = M.opParent[i], top = closedTop[p];
  if (top < 0 || (i === selected && top === p && G.kind[p] === TYPES)) return NODES + i;
  return top;
}
const containerOf = e => isOp(e) ? scopeUp[M.opParent[e - NODES]] : scopeUp[G.parent[e]];

// ---- what is drawn: items per open scope, edges between items ----------------------------------------------
function view() {
  cut();
  const items = new Map();  // container -> entities drawn directly in it (boxes, and open scopes as containers)
  const add = (c, e) => { if (!items.has(c)) items.set(c, []); items.get(c).push(e); };
  const walk = (n, c) => {
    for (const child of G.children[n]) {
      if (!open.has(child)) {
        add(c, child);
        if (selected >= 0 && G.kind[child] === TYPES && M.opParent[selected] === child) add(c, NODES + selected);
      } else if (G.kind[child] === SCOPE) { add(c, child); walk(child, child); }
      else walk(child, c);
    }
    for (const i of opsOf[n]) add(c, NODES + i);
  };
  items.set(0, []);
  walk(0, 0);
  const edges = new Map();  // container -> Map(key -> edge)
  for (let i = 0; i < N; i++) {
    const b = boxOf(i);
    for (let k = M.indptr[i]; k < M.indptr[i + 1]; k++) {
      const p = M.inputs[k];
      if (p < 0) continue;
      const a = boxOf(p);
      if (a === b) continue;
      const control = M.control[k] === 1;
      const ref = !control && k === M.indptr[i] && mutating.has(M.type[i]) && M.port[k] === 0;
      let ia = a, ib = b, ca = containerOf(a), cb = containerOf(b);
      while (ca !== cb) {
        if (G.level[ca] >= G.level[cb]) { ia = ca; ca = containerOf(ca); } else { ib = cb; cb = containerOf(cb); }
      }
      if (ia === ib) continue;
      const [s, t] = [ia, ib];  // an op writing a variable: laid out as data flows, its arrow drawn into the variable
      const kind = control ? "control" : ref ? "ref" : "data";
      if (!edges.has(ca)) edges.set(ca, new Map());
      const key = s + ">" + t + ">" + kind, found = edges.get(ca).get(key);
      const tensor = M.names[p] + (control ? "" : ":" + M.port[k]) + " → " + M.names[i];
      if (found) { found.count++; if (found.tensors.length < 6) found.tensors.push(tensor); }
      else edges.get(ca).set(key, {s, t, kind, count: 1, tensors: [tensor]});
    }
  }
  return {items, edges};
}

// ---- layered layout of one container's items (Sugiyama: ranks, crossings, coordinates) --------------------
const BOX_W = 168, BOX_H = 40, GAP_X = 26, GAP_Y = 46, PAD = 14, HEAD = 24, HUB = 12;
function layered(sizes, links) {
  // sizes: [{w, h}]; links: [{s, t}] (item positions). Returns positions and edge routes, ranks along the flow.
  const n = sizes.length, out = Array.from({length: n}, () => []);
  links.forEach((l, k) => out[l.s].push(k));
  // 1. cycles (a while loop): a DFS marks back edges, laid out reversed
  const state = new Uint8Array(n), reversed = new Uint8Array(links.length);
  for (let r = 0; r < n; r++) {
    if (state[r]) continue;
    const stack = [[r, 0]]; state[r] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1], v = top[0];
      if (top[1] < out[v].length) {
        const k = out[v][top[1]++], w = links[k].t;
        if (state[w] === 1) reversed[k] = 1;
        else if (!state[w]) { state[w] = 1; stack.push([w, 0]); }
      } else { state[v] = 2; stack.pop(); }
    }
  }
  const from = k => reversed[k] ? links[k].t : links[k].s, to = k => reversed[k] ? links[k].s : links[k].t;
  // 2. ranks: longest path from the sources, then sources moved up next to what reads them
  const indeg = new Int32Array(n), succ = Array.from({length: n}, () => []), pred = Array.from({length: n}, () => []);
  links.forEach((l, k) => { if (from(k) !== to(k)) { indeg[to(k)]++; succ[from(k)].push(to(k)); pred[to(k)].push(from(k)); } });
  const rank = new Int32Array(n), order = [], queue = [];
  for (let v = 0; v < n; v++) if (!indeg[v]) queue.push(v);
  while (queue.length) {
    const v = queue.shift(); order.push(v);
    for (const w of succ[v]) { rank[w] = Math.max(rank[w], rank[v] + 1); if (--indeg[w] === 0) queue.push(w); }
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k];
    if (!pred[v].length && succ[v].length) rank[v] = Math.min(...succ[v].map(w => rank[w])) - 1;
  }
  // 3. long edges get a dummy node per rank they cross, so that they are routed and ordered like boxes; edges of
  // a hub (an item linked to many: an optimizer, init, a saver) are drawn straight and left out of the ordering
  const degree = new Int32Array(n);
  links.forEach((l, k) => { degree[from(k)]++; degree[to(k)]++; });
  const far = links.map((l, k) => degree[from(k)] > HUB || degree[to(k)] > HUB);
  const hubAt = links.map((l, k) => degree[l.s] >= degree[l.t] ? "s" : "t");  // the end that is the hub
  const layerOf = [], width = [], height = [];
  for (let v = 0; v < n; v++) { layerOf.push(rank[v]); width.push(sizes[v].w); height.push(sizes[v].h); }
  const up = Array.from({length: n}, () => []), down = Array.from({length: n}, () => []), routes = [];
  links.forEach((l, k) => {
    let a = from(k); const b = to(k), chain = [a];
    if (far[k] && rank[b] - rank[a] > 1) { routes.push([a, b]); return; }
    for (let r = rank[a] + 1; r < rank[b]; r++) {
      const d = layerOf.length; layerOf.push(r); width.push(8); height.push(0); up.push([]); down.push([]);
      down[d].push(a); up[a].push(d); chain.push(d); a = d;
    }
    if (a !== b) { down[b].push(a); up[a].push(b); }
    chain.push(b); routes.push(chain);
  });
  const total = layerOf.length;
  let top = 0;
  for (let v = 0; v < total; v++) top = Math.max(top, layerOf[v]);
  const layers = Array.from({length: top + 1}, () => []);
  for (let v = 0; v < total; v++) layers[layerOf[v]].push(v);  // items in their given order (op order)
  // 4. crossings: barycentre sweeps, keeping the best order seen
  const pos = new Float64Array(total);
  const place = () => layers.forEach(layer => layer.forEach((v, j) => { pos[v] = j; }));
  place();
  const crossings = () => {
    let count = 0;
    for (let r = 0; r < top; r++) {
      const pairs = [];
      for (const v of layers[r]) for (const w of up[v]) pairs.push([pos[v], pos[w]]);
      pairs.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      const tree = new Int32Array(layers[r + 1].length + 1);
      for (let k = pairs.length - 1; k >= 0; k--) {  // pairs to the right that end further left: a crossing each
        for (let j = pairs[k][1]; j > 0; j -= j & -j) count += tree[j];
        for (let j = pairs[k][1] + 1; j < tree.length; j += j & -j) tree[j]++;
      }
    }
    return count;
  };
  let best = layers.map(l => l.slice()), fewest = crossings();
  for (let sweep = 0; sweep < 12 && fewest > 0; sweep++) {
    const downward = sweep % 2 === 0;
    for (let step = 1; step <= top; step++) {
      const r = downward ? step : top - step, near = downward ? down : up;
      const key = new Map();
      for (const v of layers[r]) {
        const ns = near[v];
        key.set(v, ns.length ? ns.reduce((sum, w) => sum + pos[w], 0) / ns.length : pos[v]);
      }
      layers[r].sort((x, y) => key.get(x) - key.get(y));
      layers[r].forEach((v, j) => { pos[v] = j; });
    }
    const now = crossings();
    if (now < fewest) { fewest = now; best = layers.map(l => l.slice()); }
  }
  best.forEach((layer, r) => { layers[r] = layer; });
  place();
  // 5. coordinates: each node pulled toward the mean of its neighbours, order and gaps kept
  const x = new Float64Array(total);
  for (const layer of layers) { let at = 0; for (const v of layer) { x[v] = at + width[v] / 2; at += width[v] + GAP_X; } }
  for (let pass = 0; pass < 8; pass++) {
    const downward = pass % 2 === 0;
    for (let step = 0; step <= top; step++) {
      const layer = layers[downward ? step : top - step];
      const want = layer.map(v => {
        const ns = (downward ? down[v] : up[v]).concat(pass > 3 ? (downward ? up[v] : down[v]) : []);
        return ns.length ? ns.reduce((sum, w) => sum + x[w], 0) / ns.length : x[v];
      });
      // the closest placement with the order and gaps kept: the mean of pushing right and pushing left
      const gap = j => (width[layer[j]] + width[layer[j + 1]]) / 2 + GAP_X;
      const right = want.slice(), leftward = want.slice();
      for (let j = 1; j < layer.length; j++) right[j] = Math.max(want[j], right[j - 1] + gap(j - 1));
      for (let j = layer.length - 2; j >= 0; j--) leftward[j] = Math.min(want[j], leftward[j + 1] - gap(j));
      const fixed = right.map((r, j) => (r + leftward[j]) / 2);
      const shift = layer.length ? want.reduce((s, w, j) => s + w - fixed[j], 0) / layer.length : 0;
      layer.forEach((v, j) => { x[v] = fixed[j] + shift; });
    }
  }
  let left = Infinity, right = -Infinity;
  for (let v = 0; v < total; v++) { left = Math.min(left, x[v] - width[v] / 2); right = Math.max(right, x[v] + width[v] / 2); }
  // ranks bottom-up, as the svg pictures and TensorBoard draw a graph: inputs below, what reads them above
  const rowH = layers.map(layer => Math.max(0, ...layer.map(v => height[v])));
  const rowY = new Float64Array(top + 1);
  let y = 0;
  for (let r = top; r >= 0; r--) { rowY[r] = y; y += rowH[r] + GAP_Y; }
  const cx = v => x[v] - left, cy = v => rowY[layerOf[v]] + rowH[layerOf[v]] / 2;
  return {
    width: n ? right - left : 0, height: n ? y - GAP_Y : 0, crossings: fewest,
    at: Array.from({length: n}, (_, v) => [cx(v) - width[v] / 2, cy(v) - height[v] / 2]), rank: Array.from(rank),
    routes: routes.map((chain, k) => {
      const pts = chain.map(v => [cx(v), cy(v)]);
      const s = chain[0], t = chain[chain.length - 1];
      pts[0] = [cx(s), cy(s) - height[s] / 2];  // leaves the top of what it comes from ...
      pts[pts.length - 1] = [cx(t), cy(t) + height[t] / 2];  // ... and enters the bottom of what it goes to
      if (reversed[k]) pts.reverse();
      return pts;
    }),
    reversed: Array.from(reversed),
    // a hub's long edge is a stub at its other end, named after the hub (TensorBoard draws them so)
    stub: links.map((l, k) => far[k] && Math.abs(rank[l.t] - rank[l.s]) > 1 ? hubAt[k] : null),
  };
}

// ---- drawing ----------------------------------------------------------------------------------------------
const el = (tag, attrs, parent) => {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (parent) parent.appendChild(e);
  return e;
};
const short = (text, room) => text.length > room ? text.slice(0, room - 1) + "…" : text;
function labelOf(e) {
  if (isOp(e)) { const i = e - NODES, name = M.names[i]; return [name.slice(name.lastIndexOf("/") + 1), M.types[M.type[i]]]; }
  const ops = G.ops[e];
  if (G.kind[e] === SERIES) return [G.label[e] + "* ×" + G.members[e], Math.floor(ops / Math.max(1, G.members[e])) + " ops each"];
  if (G.kind[e] === TYPES) return [G.label[e] + " ×" + ops, "click to show them"];
  return [G.label[e] + "/", ops + (ops === 1 ? " op" : " ops")];
}
let facts = null;
function draw() {
  const started = performance.now();
  const {items, edges} = view();
  const layouts = new Map(), drawnBoxes = [], factBoxes = [], factEdges = [];
  let crossings = 0;
  const size = e => isOp(e) || !open.has(e) ? {w: BOX_W, h: BOX_H} : layouts.get(e).size;
  const layoutOf = c => {  // children first: a container's size is its content's
    const list = items.get(c) || [];
    for (const e of list) if (!isOp(e) && open.has(e)) layoutOf(e);
    const at = new Map(list.map((e, k) => [e, k]));
    const links = [...(edges.get(c) || new Map()).values()].filter(l => at.has(l.s) && at.has(l.t));
    const result = layered(list.map(size), links.map(l => ({s: at.get(l.s), t: at.get(l.t)})));
    crossings += result.crossings;
    const pad = c === 0 ? 0 : PAD, head = c === 0 ? 0 : HEAD;
    layouts.set(c, {list, links, result, pad, head,
      size: {w: Math.max(result.width + 2 * pad, 150), h: result.height + 2 * pad + head}});
  };
  layoutOf(0);
  const viewport = document.getElementById("viewport");
  viewport.textContent = "";
  const render = (c, parent, ox, oy) => {  // (ox, oy): where the container's content starts, in the picture
    const {list, links, result, pad, head} = layouts.get(c);
    const group = el("g", {}, parent);
    const edgeLayer = el("g", {}, group);
    list.forEach((e, k) => {
      const [x, y] = result.at[k], bx = x + pad, by = y + pad + head;
      const {w, h} = size(e);
      factBoxes.push({id: boxId(e), container: c === 0 ? "" : G.path[c], rank: result.rank[k],
        x: ox + bx, y: oy + by, w, h, open: !isOp(e) && open.has(e)});
      if (!isOp(e) && open.has(e)) { renderContainer(e, group, ox + bx, oy + by); return; }
      renderBox(e, group, ox + bx, oy + by);
    });
    links.forEach((l, k) => {
      let pts = result.routes[k].map(([x, y]) => [x + pad + ox, y + pad + head + oy]);
      const hub = result.stub[k];
      if (hub) {  // from the box's edge, 18 px toward the hub, with its name
        const sourceBelow = pts[0][1] > pts[pts.length - 1][1], atSource = hub === "t";
        const at = atSource === sourceBelow ? pts[0] : pts[pts.length - 1];
        const upward = at === pts[0] ? pts[0][1] > pts[pts.length - 1][1] : pts[pts.length - 1][1] > pts[0][1];
        const end = [at[0] + BOX_W / 2 - 24, at[1]];  // beside the box's own edges, which leave from its middle
        const tip = [end[0], end[1] + (upward ? -18 : 18)];
        pts = hub === "t" ? [end, tip] : [tip, end];
        const name = labelOf(hub === "t" ? l.t : l.s)[0];
        el("text", {x: tip[0] + 4, y: tip[1] + (upward ? -2 : 8), class: "ecount"}, edgeLayer).textContent =
          (hub === "t" ? "→ " : "← ") + short(name, 18);
      }
      let d = `M${pts[0][0]},${pts[0][1]}`;
      for (let j = 1; j < pts.length; j++) {
        const [x0, y0] = pts[j - 1], [x1, y1] = pts[j], my = (y0 + y1) / 2;
        d += ` C${x0},${my} ${x1},${my} ${x1},${y1}`;
      }
      const path = el("path", {d, class: "edge " + l.kind + (l.count > 2 ? " many" : "") + (hub ? " stub" : "")},
        edgeLayer);
      path.setAttribute(l.kind === "ref" ? "marker-start" : "marker-end", "url(#arrow)");
      const hit = el("path", {d, class: "hit"}, edgeLayer);
      const tip = el("title", {}, hit);
      tip.textContent = `${l.count} ${l.kind === "control" ? "control dependenc" + (l.count > 1 ? "ies" : "y") :
        "tensor" + (l.count > 1 ? "s" : "")}: ${l.tensors.join(", ")}${l.count > l.tensors.length ? ", …" : ""}`;
      if (l.count > 1 && !hub) {
        const mid = pts[Math.floor(pts.length / 2)];
        el("text", {x: mid[0] + 4, y: mid[1] - 3, class: "ecount"}, edgeLayer).textContent = "×" + l.count;
      }
      path.dataset.ranks = result.rank[list.indexOf(l.s)] + ">" + result.rank[list.indexOf(l.t)];
      factEdges.push({source: boxId(l.s), target: boxId(l.t), kind: l.kind, count: l.count,
        container: c === 0 ? "" : G.path[c], reversed: result.reversed[k] === 1, stub: Boolean(hub),
        ranks: [result.rank[list.indexOf(l.s)], result.rank[list.indexOf(l.t)]],
        points: pts});
    });
  };
  const renderContainer = (c, parent, x, y) => {
    const {size} = layouts.get(c);
    const g = el("g", {class: "container", "data-scope": G.path[c] + "/"}, parent);
    el("rect", {x, y, width: size.w, height: size.h}, g);
    const head = el("g", {class: "head", tabindex: 0, role: "button", "aria-label": `close ${G.path[c]}/`,
      transform: `translate(${x},${y})`}, g);
    el("rect", {width: size.w, height: HEAD}, head);
    el("text", {x: 10, y: 16, class: "name"}, head).textContent = short(G.label[c] + "/", 40);
    el("text", {x: Math.max(10, size.w - 70), y: 16, class: "sub"}, head).textContent = G.ops[c] + " ops  ▴";
    el("title", {}, head).textContent = G.path[c] + "/ (click to close)";
    head.addEventListener("click", ev => { ev.stopPropagation(); close(c); });
    head.addEventListener("keydown", ev => { if (ev.key === "Enter" || ev.key === "Escape") { ev.preventDefault(); close(c); } });
    render(c, g, x, y);
  };
  const renderBox = (e, parent, x, y) => {
    const [label, sub] = labelOf(e), id = boxId(e);
    drawnBoxes.push(id);
    let cls = "box";
    if (!isOp(e)) cls += " closed " + ["scope", "series", "types"][G.kind[e]];
    else {
      const i = e - NODES;
      if (i === selected) cls += " selected";
      if (i === highlighted) cls += " hl";
      if (run >= 0 && runFed[run] && runFed[run].has(i)) cls += " fed";
      else if (run >= 0 && !((M.ran[i] >> run) & 1)) cls += " notrun";
      if (findingsOf.has(M.names[i])) cls += " finding";
      if (marks.has(i)) cls += " mark-" + marks.get(i);
    }
    if (!isOp(e) && marked[e]) cls += " mark-inside";
    if (!isOp(e) && run >= 0 && !anyRan(e)) cls += " notrun";
    const g = el("g", {class: cls, transform: `translate(${x},${y})`, "data-box": id, tabindex: 0, role: "button",
      "aria-label": isOp(e) ? `${M.names[e - NODES]}, ${sub}` : `${G.path[e]}, ${sub}, closed`}, parent);
    el("rect", {width: BOX_W, height: BOX_H}, g);
    el("text", {x: 8, y: 16}, g).textContent = short(label, 25);
    el("text", {x: 8, y: 31, class: "sub"}, g).textContent = short(
      !isOp(e) && marked[e] ? `${sub} · ${marked[e]} changed` : isOp(e) && marks.has(e - NODES) ? `${sub} · ${marks.get(e - NODES)}` : sub, 34);
    el("title", {}, g).textContent = isOp(e) ? M.names[e - NODES] + (findingsOf.has(M.names[e - NODES]) ?
      "\n" + findingsOf.get(M.names[e - NODES]).map(f => f.code + " " + f.message).join("\n") : "") :
      (G.kind[e] === TYPES ? G.path[e] : G.path[e] + "/") + " (click to open)";
    const act = () => isOp(e) ? select(e - NODES) : openNode(e);
    g.addEventListener("click", ev => { ev.stopPropagation(); act(); });
    g.addEventListener("keydown", ev => {
      if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); act(); }
      else if (ev.key === "Escape") { ev.preventDefault(); const c = containerOf(e); if (c > 0) close(c); }
    });
  };
  render(0, viewport, 0, 0);
  const root = layouts.get(0).size;
  const svg = document.getElementById("svg");
  svg.setAttribute("data-boxes", JSON.stringify(drawnBoxes));
  facts = {boxes: factBoxes, edges: factEdges, crossings, ms: Math.round(performance.now() - started),
    width: root.w, height: root.h};
  svg.setAttribute("data-layout", JSON.stringify(facts));
  document.getElementById("status").textContent =
    `${drawnBoxes.length} boxes of ${N} ops · laid out in ${facts.ms} ms`;
  drawTree();
}
function anyRan(n) {  // a closed node: did the chosen run execute any op in it?
  const stack = [n];
  while (stack.length) {
    const m = stack.pop();
    for (const i of opsOf[m]) if ((M.ran[i] >> run) & 1) return true;
    stack.push(...G.children[m]);
  }
  return false;
}

// ---- pan and zoom -----------------------------------------------------------------------------------------
let view_ = {x: 20, y: 20, k: 1};
const apply = () => document.getElementById("viewport").setAttribute("transform",
  `translate(${view_.x},${view_.y}) scale(${view_.k})`);
function fit() {
  const svg = document.getElementById("svg"), w = svg.clientWidth || 800, h = svg.clientHeight || 600;
  if (!facts || !facts.width) return;
  const k = Math.min(1.5, Math.max(0.02, Math.min((w - 40) / facts.width, (h - 40) / facts.height)));
  view_ = {k, x: (w - facts.width * k) / 2, y: Math.max(20, (h - facts.height * k) / 2)};
  apply();
}
function zoom(factor, cx, cy) {
  const svg = document.getElementById("svg");
  cx = cx === undefined ? svg.clientWidth / 2 : cx; cy = cy === undefined ? svg.clientHeight / 2 : cy;
  const k = Math.min(4, Math.max(0.02, view_.k * factor)), f = k / view_.k;
  view_ = {k, x: cx - (cx - view_.x) * f, y: cy - (cy - view_.y) * f};
  apply();
}
function centre(id) {  // bring a box to the middle of the window
  const box = facts && facts.boxes.find(b => b.id === id);
  if (!box) return;
  const svg = document.getElementById("svg");
  view_.k = Math.max(view_.k, 0.8);
  view_.x = svg.clientWidth / 2 - (box.x + BOX_W / 2) * view_.k;
  view_.y = svg.clientHeight / 2 - (box.y + BOX_H / 2) * view_.k;
  apply();
}
function centreScope(n) {  // an opened scope fitted to the window, or (too big to read so) its top, readable
  const c = facts && facts.boxes.find(b => b.id === G.path[n] + "/*" && b.open);
  if (!c) return;
  const svg = document.getElementById("svg"), w = svg.clientWidth || 800, h = svg.clientHeight || 600;
  const k = Math.min(1.2, (w - 40) / c.w, (h - 40) / c.h);
  if (k >= 0.3) view_ = {k, x: (w - c.w * k) / 2 - c.x * k, y: (h - c.h * k) / 2 - c.y * k};
  else view_ = {k: 0.9, x: w / 2 - (c.x + Math.min(c.w, w) / 2) * 0.9, y: 30 - c.y * 0.9};
  apply();
}
(function panAndZoom() {
  const svg = document.getElementById("svg");
  let drag = null;
  svg.addEventListener("wheel", ev => {
    ev.preventDefault();
    const r = svg.getBoundingClientRect();
    zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - r.left, ev.clientY - r.top);
  }, {passive: false});
  svg.addEventListener("pointerdown", ev => {
    if (ev.target.closest(".box,.head,.hit")) return;
    drag = {x: ev.clientX - view_.x, y: ev.clientY - view_.y}; svg.classList.add("dragging");
  });
  window.addEventListener("pointermove", ev => { if (drag) { view_.x = ev.clientX - drag.x; view_.y = ev.clientY - drag.y; apply(); } });
  window.addEventListener("pointerup", () => { drag = null; svg.classList.remove("dragging"); });
  document.getElementById("fit").addEventListener("click", fit);
  const reset = name => { open.clear(); for (const n of M.views[name]) open.add(n); open.add(0); draw(); fit(); };
  document.getElementById("overview").addEventListener("click", () => reset("overview"));
  document.getElementById("picture").addEventListener("click", () => reset("picture"));
  document.getElementById("zoomin").addEventListener("click", () => zoom(1.25));
  document.getElementById("zoomout").addEventListener("click", () => zoom(0.8));
  window.addEventListener("keydown", ev => {
    if (ev.target.tagName === "INPUT" || ev.target.tagName === "SELECT") return;
    if (ev.key === "f" || ev.key === "F") fit();
    else if (ev.key === "+" || ev.key === "=") zoom(1.25);
    else if (ev.key === "-") zoom(0.8);
  });
})();

// ---- actions ----------------------------------------------------------------------------------------------
function focusBox(id) {
  const target = [...document.querySelectorAll("[data-box]")].find(g => g.getAttribute("data-box") === id);
  if (target) target.focus({preventScroll: true});
}
function openNode(n) {
  open.add(n); draw(); focusFirstIn(n);
  if (G.kind[n] === SCOPE) centreScope(n);
}
function focusFirstIn(n) {
  const c = document.querySelector(`[data-scope="${CSS.escape(G.path[n] + "/")}"] .head`);
  if (c) c.focus({preventScroll: true});
}
function close(n) { open.delete(n); draw(); focusBox(boxId(n)); }
function toggle(n) { open.has(n) ? close(n) : openNode(n); }
function reveal(i) { for (let n = M.opParent[i]; n > 0; n = G.parent[n]) if (G.kind[n] !== TYPES) open.add(n); }
function select(i, moveTo) {
  selected = i; highlighted = i; reveal(i);
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
  for (const finding of findingsOf.get(M.names[i]) || []) row(finding.code, finding.message);
  draw();
  if (moveTo !== false) centre(M.names[i]);
  focusBox(M.names[i]);
}
function search(text) {
  const results = document.getElementById("results"); results.textContent = "";
  if (!text) return;
  const needle = text.toLowerCase();
  let shown = 0;
  for (let i = 0; i < N && shown < 50; i++) if (M.names[i].toLowerCase().includes(needle)) {
    const li = document.createElement("li"); li.textContent = M.names[i]; li.dataset.op = M.names[i]; li.tabIndex = 0;
    li.addEventListener("click", () => select(i));
    li.addEventListener("keydown", ev => { if (ev.key === "Enter") select(i); });
    results.appendChild(li); shown++;
  }
  if (!shown) { const li = document.createElement("li"); li.textContent = "no op matches"; results.appendChild(li); }
}
function drawTree() {  // the scope tree: scopes and series, each opened or closed with a click
  const tree = document.getElementById("tree"); tree.textContent = "";
  const add = (parent, n, depth) => {
    for (const c of G.children[n]) {
      if (G.kind[c] === TYPES) continue;
      const li = document.createElement("li"), span = document.createElement("span");
      const name = G.kind[c] === SERIES ? G.label[c] + "* ×" + G.members[c] : G.label[c] + "/";
      span.textContent = (open.has(c) ? "▾ " : "▸ ") + name + " (" + G.ops[c] + ")";
      span.addEventListener("click", () => toggle(c)); li.appendChild(span); parent.appendChild(li);
      if (open.has(c) && depth < 8) { const ul = document.createElement("ul"); li.appendChild(ul); add(ul, c, depth + 1); }
    }
  };
  add(tree, 0, 0);
}
function runPicker() {
  if (!M.runs.length) return;
  const box = document.getElementById("runs"), pick = document.createElement("select");
  pick.setAttribute("aria-label", "shade what a run executes");
  const none = document.createElement("option"); none.value = "-1"; none.textContent = "all ops (no run chosen)";
  pick.appendChild(none);
  M.runs.forEach((label, k) => { const o = document.createElement("option"); o.value = k; o.textContent = "run " + label; pick.appendChild(o); });
  pick.value = String(run);
  pick.addEventListener("change", () => { run = +pick.value; draw(); });
  box.append("shade: ", pick);
}
document.getElementById("search").addEventListener("input", e => search(e.target.value));
function fromHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  for (const path of params.getAll("expand"))
    for (let n = byPath.get(path.replace(/\/$/, "")); n !== undefined && n > 0; n = G.parent[n]) open.add(n);
  if (params.has("run")) run = +params.get("run");
  if (params.has("search")) { document.getElementById("search").value = params.get("search"); search(params.get("search")); }
  runPicker();
  if (params.has("select")) { const i = M.names.indexOf(params.get("select")); if (i >= 0) { draw(); fit(); select(i); return; } }
  draw();
  fit();
  const opened = params.getAll("expand").map(p => byPath.get(p.replace(/\/$/, ""))).filter(n => n !== undefined);
  if (opened.length) centreScope(opened[opened.length - 1]);
}
fromHash();
