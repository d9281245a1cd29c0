// SPDX-License-Identifier: Apache-2.0
// The HTML view's script: embedded in every page by the build (cmake/embed_text.cmake). It only
// draws the data nstopo computed (app::pageData: vertices with their place, links, statuses,
// drift, verify pairs); it never fetches anything. Names come from files and from the machine,
// so every text goes in through textContent or setAttribute, never as markup.
(function () {
  'use strict';
  const SVG = 'http://www.w3.org/2000/svg';
  const data = JSON.parse(document.getElementById('lab-data').textContent);
  const svg = document.getElementById('graph');
  const viewport = document.getElementById('viewport');
  const byId = new Map(data.vertices.map((v) => [v.id, v]));
  const vertexElement = new Map();
  const STATUS_TEXT = {
    ok: 'matches the file', down: 'interface down', drift: 'differs from the file',
    missing: 'in the file, not on the machine', file: 'from the file (not live)',
  };

  function el(tag, attributes, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function html(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function badge(status) { return html('span', status, 'badge ' + status); }

  // ---- drawing ----
  function vertexWidth(v) { return Math.max(60, Math.min(180, 8 * v.name.length + 20)); }
  // How far from a vertex's centre a line towards (dx, dy) leaves its shape.
  function exitDistance(v, dx, dy) {
    const length = Math.hypot(dx, dy) || 1;
    const ux = Math.abs(dx / length), uy = Math.abs(dy / length);
    return Math.min(ux ? vertexWidth(v) / 2 / ux : Infinity, uy ? 17 / uy : Infinity);
  }
  // Where an interface name sits: just outside its vertex, on its link.
  function labelAt(from, to) {
    const dx = to.x - from.x, dy = to.y - from.y;
    const length = Math.hypot(dx, dy) || 1;
    const t = Math.min(0.45, (exitDistance(from, dx, dy) + 18) / length);
    return { x: from.x + dx * t, y: from.y + dy * t + 4 };
  }
  function vertexShape(v) {
    const width = vertexWidth(v);
    if (v.type === 'bridge') return el('ellipse', { rx: width / 2, ry: 16 });
    if (v.type === 'ovs-bridge') {
      const w = width / 2;
      return el('polygon', { points: `${-w},0 ${-w + 12},-17 ${w - 12},-17 ${w},0 ${w - 12},17 ${-w + 12},17` });
    }
    return el('rect', { x: -width / 2, y: -16, width, height: 32, rx: 4 });
  }
  function drawVertices() {
    const layer = document.getElementById('vertices');
    for (const v of data.vertices) {
      const g = el('g', { class: `vertex ${v.type} status-${v.status}`, transform: `translate(${v.x},${v.y})` });
      g.dataset.id = v.id;
      g.dataset.name = v.name;
      g.appendChild(vertexShape(v));
      g.appendChild(el('text', {}, v.name));
      g.addEventListener('mouseenter', () => showVertex(v));
      g.addEventListener('mouseleave', restorePinned);
      g.addEventListener('click', (event) => { event.stopPropagation(); select(g, () => showVertex(v)); });
      layer.appendChild(g);
      vertexElement.set(v.id, g);
    }
  }
  // Links between the same two vertices (a veth and a VXLAN over it) are drawn side by side.
  function parallelOffsets() {
    const groups = new Map();
    for (const link of data.links) {
      const key = [link.a.vertex, link.b.vertex].sort().join('\n');
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(link);
    }
    const offsets = new Map();
    for (const group of groups.values()) {
      group.forEach((link, i) => offsets.set(link, (i - (group.length - 1) / 2) * 12));
    }
    return offsets;
  }
  function drawLinks() {
    const layer = document.getElementById('links');
    const offsets = parallelOffsets();
    for (const link of data.links) {
      const from = byId.get(link.a.vertex);
      const to = byId.get(link.b.vertex);
      if (!from || !to) continue;
      // Shift the whole line sideways by its offset (perpendicular to a fixed direction, so two
      // links drawn from opposite ends still move apart).
      const [p, q] = link.a.vertex < link.b.vertex ? [from, to] : [to, from];
      const length = Math.hypot(q.x - p.x, q.y - p.y) || 1;
      const shift = offsets.get(link) || 0;
      const nx = (-(q.y - p.y) / length) * shift, ny = ((q.x - p.x) / length) * shift;
      const a = { x: from.x + nx, y: from.y + ny, name: from.name, type: from.type };
      const b = { x: to.x + nx, y: to.y + ny, name: to.name, type: to.type };
      const g = el('g', { class: `link ${link.kind} status-${link.status}` });
      g.dataset.id = link.id;
      g.appendChild(el('line', { class: 'wire', x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      g.appendChild(el('line', { class: 'hit', x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      // Each interface name near its own end, a quarter of the way along.
      const at_a = labelAt(a, b), at_b = labelAt(b, a);
      g.appendChild(el('text', { class: 'if-label', x: at_a.x, y: at_a.y }, link.a.ifname));
      g.appendChild(el('text', { class: 'if-label', x: at_b.x, y: at_b.y }, link.b.ifname));
      g.addEventListener('mouseenter', () => showLink(link));
      g.addEventListener('mouseleave', restorePinned);
      g.addEventListener('click', (event) => { event.stopPropagation(); select(g, () => showLink(link)); });
      layer.appendChild(g);
    }
  }
  function drawVerify() {
    const layer = document.getElementById('verify');
    for (const pair of data.verify) {
      if (pair.ok) continue;
      const a = byId.get(pair.from_vertex);
      const b = byId.get(pair.to_vertex);
      if (!a || !b) continue;
      const g = el('g', { class: 'pair failed' });
      g.dataset.from = pair.from;
      g.dataset.to = pair.to;
      g.appendChild(el('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y }));
      g.appendChild(el('title', {}, `verify failed: ${pair.from} -> ${pair.to} (${pair.protocol})`));
      layer.appendChild(g);
    }
  }

  // ---- details ----
  // Hovering shows an object's details; clicking pins them, and they come back when the
  // pointer leaves whatever it hovered next.
  let pinned = null;
  let pinnedShow = null;
  function select(element, show) {
    if (pinned) pinned.classList.remove('selected');
    pinned = element;
    pinnedShow = show;
    element.classList.add('selected');
    show();
  }
  function restorePinned() {
    if (pinnedShow) pinnedShow();
  }
  function row(table, key, value) {
    if (value === undefined || value === null || value === '' || (Array.isArray(value) && !value.length)) return;
    const tr = html('tr');
    tr.appendChild(html('th', key));
    const td = html('td');
    if (value instanceof Node) td.appendChild(value); else td.textContent = Array.isArray(value) ? value.join(', ') : String(value);
    tr.appendChild(td);
    table.appendChild(tr);
  }
  function mapText(map) {
    return Object.entries(map || {}).map(([k, v]) => `${k}=${v}`).join(', ');
  }
  function marksList(parent, marks) {
    for (const mark of marks || []) parent.appendChild(html('div', mark.step, 'steps'));
  }
  function interfaceTable(parent, iface) {
    const h = html('h2', `${iface.name} `);
    h.appendChild(badge(iface.status));
    parent.appendChild(h);
    const table = html('table');
    const live = iface.live || {};
    row(table, 'kind', iface.kind + (iface.options ? ` (${iface.options})` : ''));
    row(table, 'namespace', iface.netns);
    row(table, 'addresses', iface.addresses);
    if (iface.live && live.addresses.join() !== iface.addresses.join()) row(table, 'live addresses', live.addresses.length ? live.addresses : '(none)');
    // What the file leaves to the kernel shows as read; what it sets, with the live value when
    // that differs.
    for (const key of ['mtu', 'mac']) {
      row(table, key, iface[key] !== undefined ? iface[key] : live[key]);
      if (iface[key] !== undefined && iface.live && live[key] !== iface[key]) row(table, `live ${key}`, live[key]);
    }
    row(table, 'state', iface.live ? (live.up ? 'up' : 'DOWN') + (iface.up ? '' : ' (file: down)') : (iface.up ? 'up' : 'down'));
    row(table, 'bridge', iface.master);
    if (iface.vlan) row(table, 'vlan', iface.vlan.id);
    if (iface.ovs_port) {
      row(table, 'ovs bridge', iface.ovs_port.bridge);
      row(table, 'vlan tag', iface.ovs_port.tag);
      row(table, 'trunks', iface.ovs_port.trunks);
      row(table, 'external_ids', mapText(iface.ovs_port.external_ids));
    }
    parent.appendChild(table);
    marksList(parent, iface.marks);
  }
  function showVertex(v) {
    const box = document.getElementById('details');
    box.replaceChildren();
    const h = html('h2', `${v.type === 'node' ? 'node' : v.type === 'bridge' ? 'Linux bridge' : 'OVS bridge'} ${v.name} `);
    h.appendChild(badge(v.status));
    box.appendChild(h);
    const table = html('table');
    if (v.type !== 'node') row(table, 'in node', v.netns);
    if (v.type === 'bridge') { row(table, 'stp', v.stp ? 'on' : 'off'); row(table, 'vlan filtering', v.vlan_filtering ? 'on' : 'off'); }
    if (v.type === 'ovs-bridge') { row(table, 'datapath', v.datapath); row(table, 'fail mode', v.fail_mode); row(table, 'external_ids', mapText(v.external_ids)); }
    row(table, 'status', STATUS_TEXT[v.status]);
    box.appendChild(table);
    marksList(box, v.marks);
    for (const iface of v.interfaces) interfaceTable(box, iface);
  }
  function findInterface(vertexId, netns, ifname) {
    const v = byId.get(vertexId);
    return v && v.interfaces.find((i) => i.name === ifname && i.netns === netns);
  }
  function showLink(link) {
    const box = document.getElementById('details');
    box.replaceChildren();
    if (link.kind === 'in-node') {
      box.appendChild(html('h2', `Linux bridge ${byId.get(link.b.vertex).name} lives in node ${byId.get(link.a.vertex).name}`));
      return;
    }
    const h = html('h2', `${link.kind} link `);
    h.appendChild(badge(link.status));
    box.appendChild(h);
    const table = html('table');
    row(table, 'from', `${byId.get(link.a.vertex).name}: ${link.a.ifname}`);
    row(table, 'to', `${byId.get(link.b.vertex).name}: ${link.b.ifname}`);
    box.appendChild(table);
    for (const end of [link.a, link.b]) {
      const iface = findInterface(end.vertex, end.netns, end.ifname);
      if (iface) interfaceTable(box, iface);
    }
  }

  // ---- legend, header, drift ----
  function legend() {
    document.title = `nstopo: ${data.lab}`;
    document.getElementById('title').textContent = data.lab;
    document.getElementById('source').textContent = data.source + (data.live ? ` · state read ${data.read_at}` : '');
    const box = document.getElementById('legend');
    box.appendChild(html('h2', data.live ? 'Live state' : 'From the file (no live state)'));
    const statuses = data.live ? ['ok', 'down', 'drift', 'missing'] : ['file'];
    for (const status of statuses) {
      const line = html('div', undefined, 'legend-row');
      const swatch = html('span', undefined, 'swatch');
      swatch.style.background = `var(--${status})`;
      line.appendChild(swatch);
      line.appendChild(html('span', `${status}: ${STATUS_TEXT[status]}`));
      box.appendChild(line);
    }
    if (data.verify.length) {
      const failed = data.verify.filter((p) => !p.ok);
      const line = html('div', undefined, 'legend-row');
      const swatch = html('span', undefined, 'swatch');
      swatch.style.background = 'var(--failed)';
      line.appendChild(swatch);
      line.appendChild(html('span', `verify: ${failed.length} of ${data.verify.length} pairs failed (dotted red)`));
      box.appendChild(line);
    }
    const shapes = html('div', 'box: node · ellipse: Linux bridge · hexagon: OVS bridge', 'hint');
    box.appendChild(shapes);
    const drift = document.getElementById('drift');
    if (data.live && !data.drift_known) {
      drift.appendChild(html('p', 'Drawn from the machine alone: name the file to see its drift.', 'hint'));
    } else if (data.live) {
      drift.appendChild(html('h2', data.drift.length ? `Drift (what apply would do): ${data.drift.length}` : 'No drift: the live lab matches the file'));
      const seen = new Set();
      for (const step of data.drift) {
        if (seen.has(step.step)) continue;
        seen.add(step.step);
        drift.appendChild(html('div', step.step, 'steps'));
      }
    }
  }

  // ---- zoom and pan ----
  const view = { scale: 1, x: 0, y: 0 };
  function apply() {
    viewport.setAttribute('transform', `translate(${view.x},${view.y}) scale(${view.scale})`);
    // Far out, interface names (then vertex names) would only be noise.
    svg.classList.toggle('small-labels', view.scale < 0.7);
    svg.classList.toggle('no-labels', view.scale < 0.3);
  }
  function fit() {
    const box = svg.getBoundingClientRect();
    if (!data.vertices.length || !box.width || !box.height) { apply(); return; }
    const xs = data.vertices.map((v) => v.x);
    const ys = data.vertices.map((v) => v.y);
    const minX = Math.min(...xs) - 100, maxX = Math.max(...xs) + 100;
    const minY = Math.min(...ys) - 40, maxY = Math.max(...ys) + 40;
    view.scale = Math.min(2, box.width / (maxX - minX), box.height / (maxY - minY));
    view.x = (box.width - (maxX - minX) * view.scale) / 2 - minX * view.scale;
    view.y = (box.height - (maxY - minY) * view.scale) / 2 - minY * view.scale;
    apply();
  }
  function zoomAt(factor, cx, cy) {
    const scale = Math.max(0.02, Math.min(8, view.scale * factor));
    view.x = cx - (cx - view.x) * (scale / view.scale);
    view.y = cy - (cy - view.y) * (scale / view.scale);
    view.scale = scale;
    apply();
  }
  function centreOn(v) {
    const box = svg.getBoundingClientRect();
    view.scale = Math.max(view.scale, 1);
    view.x = box.width / 2 - v.x * view.scale;
    view.y = box.height / 2 - v.y * view.scale;
    apply();
  }
  svg.addEventListener('wheel', (event) => {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    zoomAt(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX - box.left, event.clientY - box.top);
  }, { passive: false });
  let drag = null;
  svg.addEventListener('pointerdown', (event) => {
    drag = { x: event.clientX, y: event.clientY, vx: view.x, vy: view.y, moved: false };
  });
  window.addEventListener('pointermove', (event) => {
    if (!drag) return;
    const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
    if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 4) return;
    drag.moved = true;
    svg.classList.add('panning');
    view.x = drag.vx + dx;
    view.y = drag.vy + dy;
    apply();
  });
  window.addEventListener('pointerup', () => { drag = null; svg.classList.remove('panning'); });
  svg.addEventListener('click', () => {
    if (pinned) { pinned.classList.remove('selected'); pinned = null; pinnedShow = null; }
  });
  document.getElementById('zoom-in').addEventListener('click', () => { const b = svg.getBoundingClientRect(); zoomAt(1.3, b.width / 2, b.height / 2); });
  document.getElementById('zoom-out').addEventListener('click', () => { const b = svg.getBoundingClientRect(); zoomAt(1 / 1.3, b.width / 2, b.height / 2); });
  document.getElementById('zoom-fit').addEventListener('click', fit);
  window.addEventListener('resize', fit);

  // ---- search ----
  const search = document.getElementById('search');
  const searchResult = document.getElementById('search-result');
  function matches() {
    const query = search.value.trim().toLowerCase();
    for (const g of vertexElement.values()) g.classList.remove('match');
    if (!query) { searchResult.textContent = ''; return []; }
    const found = data.vertices.filter((v) => v.name.toLowerCase().includes(query));
    for (const v of found) vertexElement.get(v.id).classList.add('match');
    searchResult.textContent = found.length ? `${found.length} found` : 'no match';
    return found;
  }
  search.addEventListener('input', () => {
    const found = matches();
    if (found.length === 1) { centreOn(found[0]); select(vertexElement.get(found[0].id), () => showVertex(found[0])); }
  });
  search.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    const query = search.value.trim().toLowerCase();
    const found = matches();
    const best = found.find((v) => v.name.toLowerCase() === query) || found[0];
    if (best) { centreOn(best); select(vertexElement.get(best.id), () => showVertex(best)); }
  });

  drawLinks();
  drawVerify();
  drawVertices();
  legend();
  fit();
  document.body.dataset.ready = 'true';
})();
