// Orchard observer: renders the server's updates (server-sent events).
// Every text from the server goes into the page through text nodes
// (el() below), never as HTML.
'use strict';

const st = { sort: 'mailbox', desc: true, q: '', page: 0, pid: '', es: null, series: [], actions: false, updates: 0 };

// The actions' token comes from the URL's fragment (#token=...), which
// the browser never sends to a server; it is kept for this tab only.
(function readToken() {
  const m = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  if (m) {
    let tok = m[1];
    try { tok = decodeURIComponent(tok); } catch (e) { /* a malformed escape: keep it as typed */ }
    sessionStorage.setItem('orchard.token', tok);
    history.replaceState(null, '', location.pathname + location.search);
  }
})();
const token = () => sessionStorage.getItem('orchard.token') || '';

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids) {
    if (k === undefined || k === null || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}
const $ = (id) => document.getElementById(id);

function pidLink(pid) {
  return pid ? el('a', { class: 'pid', 'data-select': pid, href: '#' }, pid) : el('span', { class: 'muted' }, '—');
}
function fmtAge(ms) {
  const s = ms / 1000;
  if (s < 60) return s.toFixed(s < 10 ? 1 : 0) + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm' + Math.floor(s % 60) + 's';
  if (s < 86400) return Math.floor(s / 3600) + 'h' + Math.floor((s % 3600) / 60) + 'm';
  return Math.floor(s / 86400) + 'd';
}
function fmtBytes(n) {
  if (n < 1024) return n + ' B';
  if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
  return (n / 1048576).toFixed(1) + ' MiB';
}
function fmtNum(n) { return Number(n).toLocaleString('en-US'); }

function connect() {
  if (st.es) st.es.close();
  st.series = []; // the new stream sends the whole series again
  const p = new URLSearchParams({ sort: st.sort, desc: st.desc ? '1' : '0', q: st.q, page: String(st.page), pid: st.pid });
  const es = new EventSource('events?' + p.toString());
  st.es = es;
  es.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'conn'; };
  es.onerror = () => { $('conn').textContent = 'reconnecting…'; $('conn').className = 'conn down'; };
  es.onmessage = (ev) => {
    if (es !== st.es) return;
    const t0 = performance.now();
    render(JSON.parse(ev.data));
    const ms = performance.now() - t0;
    st.updates++;
    window.__observer = { updates: st.updates, bytes: ev.data.length, renderMS: ms };
  };
}

function render(u) {
  st.actions = u.actions;
  renderNode(u);
  renderTrees(u.trees);
  renderProcs(u.procs);
  renderDetail(u.detail);
  renderCharts(u.points || []);
  renderLetters(u.letters);
  renderSections(u.sections || []);
}

function renderNode(u) {
  const n = u.node;
  $('node').replaceChildren(
    el('span', {}, 'node ', el('b', {}, n.id)),
    el('span', {}, 'processes ', el('b', {}, fmtNum(n.processes))),
    el('span', {}, 'zombies ', el('b', {}, n.zombies)),
    el('span', {}, 'timers ', el('b', {}, fmtNum(n.timers))),
    el('span', {}, 'workers ', el('b', {}, n.workers)),
    el('span', {}, 'dropped ', el('b', {}, fmtNum(n.dropped))),
    el('span', {}, u.actions ? 'actions on' : 'read-only'));
}

function treeItem(t) {
  const row = el('div', { class: 'row' + (t.recent ? ' recent' : ''), 'data-id': t.id || null, 'data-pid': t.pid || null, 'data-status': t.status },
    el('span', { class: 'tag' + (t.sup ? ' sup' : '') }, t.sup ? (t.dynamic ? 'dynamic ' : '') + (t.strategy || 'supervisor') : 'worker'),
    t.id ? el('span', { class: 'id' }, t.id) : null,
    t.name && t.name !== t.id ? el('span', { class: 'muted' }, t.name) : null,
    pidLink(t.pid),
    el('span', { class: 'status-' + t.status }, t.status),
    t.restarts ? el('span', { class: 'restarts' }, '↻ ' + t.restarts) : null);
  if (st.actions && t.parent) {
    if (t.pid) row.append(el('button', { type: 'button', class: 'danger', 'data-action': 'kill', 'data-pid': t.pid }, 'kill'));
    if (t.id) {
      row.append(el('button', { type: 'button', 'data-action': 'restart', 'data-sup': t.parent, 'data-id': t.id }, 'restart'));
      if (t.pid) row.append(el('button', { type: 'button', 'data-action': 'terminate', 'data-sup': t.parent, 'data-id': t.id }, 'terminate'));
    }
  }
  const li = el('li', {}, row);
  if (t.children && t.children.length) li.append(el('ul', {}, ...t.children.map(treeItem)));
  if (t.more) li.append(el('ul', {}, el('li', { class: 'muted' }, '… ' + fmtNum(t.more) + ' more (see Processes)')));
  return li;
}
function renderTrees(trees) {
  $('trees').replaceChildren(trees.length ? el('ul', {}, ...trees.map(treeItem)) : el('p', { class: 'muted' }, 'no supervisor running'));
}

function renderProcs(p) {
  $('procs-count').textContent = p.matched === p.total ? fmtNum(p.total) : fmtNum(p.matched) + ' of ' + fmtNum(p.total);
  $('pageinfo').textContent = 'page ' + (p.page + 1) + ' / ' + p.pages;
  st.page = p.page;
  st.pages = p.pages;
  for (const th of document.querySelectorAll('#procs th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === p.sort);
    th.classList.toggle('asc', th.dataset.sort === p.sort && !p.desc);
  }
  const rows = p.rows.map((r) => el('tr', { 'data-pid': r.pid },
    el('td', {}, pidLink(r.pid)), el('td', { title: r.name }, r.name), el('td', {}, r.behaviour),
    el('td', { class: 'status-' + r.status }, r.status), el('td', { class: 'num' }, fmtNum(r.mailbox)),
    el('td', { class: 'num' }, fmtNum(r.handled)), el('td', { class: 'num' }, fmtBytes(r.memory)),
    el('td', { class: 'num' }, fmtAge(r.age_ms)),
    el('td', {}, st.actions ? el('button', { type: 'button', class: 'danger', 'data-action': 'kill', 'data-pid': r.pid }, 'kill') : null)));
  document.querySelector('#procs tbody').replaceChildren(...rows);
}

function pidList(list) {
  if (!list || !list.length) return el('span', { class: 'muted' }, 'none');
  const s = el('span', { class: 'pids' });
  list.forEach((p, i) => { if (i) s.append(', '); s.append(pidLink(p)); });
  return s;
}
function renderDetail(d) {
  const panel = $('detail-panel');
  if (!st.pid) { panel.hidden = true; return; }
  panel.hidden = false;
  $('detail-pid').textContent = st.pid;
  if (!d || !d.alive) { $('detail').replaceChildren(el('p', { class: 'muted' }, 'not alive (it exited, or it is not a process of this node)')); return; }
  const kv = (k, v) => [el('dt', {}, k), el('dd', {}, v)];
  const dl = el('dl', { class: 'kv', id: 'detail-kv' },
    ...kv('status', el('span', { class: 'status-' + d.status }, d.status)),
    ...kv('name', d.name || '—'), ...kv('behaviour', d.behaviour || 'func'),
    ...kv('parent', pidLink(d.parent)), ...kv('ancestors', pidList(d.ancestors)),
    ...kv('links', el('span', { id: 'detail-links' }, pidList(d.links))),
    ...kv('monitors', pidList(d.monitors)), ...kv('monitored by', pidList(d.monitored_by)),
    ...kv('trap exit', d.trap_exit ? 'yes' : 'no'), ...kv('mailbox', fmtNum(d.mailbox)),
    ...kv('handled', fmtNum(d.handled)), ...kv('timers', d.timers), ...kv('age', fmtAge(d.age_ms)));
  const parts = [dl];
  if (d.messages_redacted) parts.push(el('p', { class: 'muted' }, 'messages: redacted (' + fmtNum(d.mailbox) + ' queued; the server does not show messages)'));
  else if (d.messages && d.messages.length) parts.push(el('h2', {}, 'first messages'), el('pre', {}, d.messages.join('\n')));
  if (d.state_shown) parts.push(el('h2', {}, 'state'), el('pre', {}, d.state_error ? 'error: ' + d.state_error : d.state));
  else parts.push(el('p', { class: 'muted' }, 'state: not shown (no formatting callback)'));
  if (d.stack_taken) st.stack = { pid: d.pid, text: d.stack || '', at: new Date().toLocaleTimeString() };
  const stk = st.stack && st.stack.pid === d.pid ? st.stack : null;
  parts.push(el('h2', {}, 'stack ', el('button', { type: 'button', id: 'stack-refresh' }, 'take again')),
    stk && stk.text ? el('pre', {}, stk.text) : el('p', { class: 'muted' }, stk ? 'idle at ' + stk.at + ': no goroutine ran it' : '…'));
  if (st.actions) {
    const input = el('input', { type: 'search', id: 'send-msg', placeholder: 'test message (sent as a string)' });
    parts.push(el('div', { class: 'tools' }, input,
      el('button', { type: 'button', 'data-action': 'send', 'data-pid': d.pid }, 'send'),
      el('button', { type: 'button', class: 'danger', 'data-action': 'kill', 'data-pid': d.pid }, 'kill')));
  }
  // Keep what the user is typing across updates.
  const old = $('send-msg');
  const typed = old ? old.value : '';
  const focused = old && document.activeElement === old;
  $('detail').replaceChildren(...parts);
  const now = $('send-msg');
  if (now) { now.value = typed; if (focused) now.focus(); }
}

const chartDefs = [
  ['processes', 'processes', (v) => fmtNum(v)],
  ['restarts_ps', 'restarts / s', (v) => v.toFixed(1)],
  ['mailbox', 'queued messages', (v) => fmtNum(v)],
  ['latency_p99_ms', 'send latency p99', (v) => v.toFixed(2) + ' ms'],
  ['dead_letters_ps', 'dead letters / s', (v) => v.toFixed(1)],
];
function renderCharts(points) {
  st.series.push(...points);
  if (st.series.length > 120) st.series.splice(0, st.series.length - 120);
  const s = st.series;
  const NS = 'http://www.w3.org/2000/svg';
  $('charts').replaceChildren(...chartDefs.map(([key, label, fmt]) => {
    const vals = s.map((p) => p[key] || 0);
    const maxV = Math.max(1e-9, ...vals);
    const W = 120, H = 40;
    const xy = vals.map((v, i) => [(vals.length < 2 ? W : (i * W) / (vals.length - 1)).toFixed(1), (H - (v / maxV) * (H - 2) - 1).toFixed(1)]);
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('preserveAspectRatio', 'none');
    if (xy.length) {
      const area = document.createElementNS(NS, 'polygon');
      area.setAttribute('points', ['0,' + H, ...xy.map((p) => p.join(',')), W + ',' + H].join(' '));
      const line = document.createElementNS(NS, 'polyline');
      line.setAttribute('points', xy.map((p) => p.join(',')).join(' '));
      svg.append(area, line);
    }
    const last = vals.length ? vals[vals.length - 1] : 0;
    return el('div', { class: 'chart', 'data-chart': key },
      el('div', { class: 'label' }, el('span', {}, label), el('b', {}, fmt(last))), svg);
  }));
}

function renderLetters(l) {
  const panel = $('letters-panel');
  if (!l) { panel.hidden = true; return; }
  panel.hidden = false;
  $('letters-count').textContent = fmtNum(l.count) + (l.error ? ' (error: ' + l.error + ')' : '');
  const head = el('tr', {}, ...['destination', 'type', 'message', 'reason', 'attempts', 'age', ''].map((h) => el('th', {}, h)));
  const rows = l.rows.map((r) => el('tr', { 'data-letter': r.id },
    el('td', {}, r.dest), el('td', {}, r.type), el('td', { title: r.message }, r.message), el('td', { title: r.reason }, r.reason),
    el('td', { class: 'num' }, r.attempts), el('td', { class: 'num' }, fmtAge(r.age_ms)),
    el('td', {}, st.actions ? el('button', { type: 'button', 'data-action': 'retry', 'data-letter': r.id, disabled: !r.replayable }, 'retry') : null,
      st.actions ? el('button', { type: 'button', class: 'danger', 'data-action': 'purge', 'data-letter': r.id }, 'purge') : null)));
  $('letters').replaceChildren(l.rows.length ? el('table', {}, el('thead', {}, head), el('tbody', {}, ...rows)) : el('p', { class: 'muted' }, 'no dead letter'));
}

function renderSections(sections) {
  $('sections').replaceChildren(...sections.map((s) => el('section', { class: 'panel wide', 'data-section': s.title },
    el('h2', {}, s.title, ' ', el('small', {}, fmtNum(s.table.rows.length) + (s.error ? ' — error: ' + s.error : ''))),
    s.table.rows.length ? el('table', {}, el('thead', {}, el('tr', {}, ...s.table.columns.map((c) => el('th', {}, c)))),
      el('tbody', {}, ...s.table.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', { title: c }, c)))))) : el('p', { class: 'muted' }, 'nothing to show'))));
}

async function act(path, params) {
  const res = await fetch('api/' + path + '?' + new URLSearchParams(params).toString(), { method: 'POST', headers: { 'X-Orchard-Token': token() } });
  let body = {};
  try { body = await res.json(); } catch (e) { /* not JSON */ }
  $('status').textContent = res.ok ? path + ': done' + (body.result ? ' (' + JSON.stringify(body.result) + ')' : '') : path + ': ' + res.status + ' ' + (body.error || '');
  connect(); // an update at once, not at the next tick
  return res.status;
}
window.__observerAct = act;

document.addEventListener('click', (ev) => {
  const sel = ev.target.closest('[data-select]');
  if (sel) { ev.preventDefault(); st.pid = sel.dataset.select; connect(); return; }
  const th = ev.target.closest('th[data-sort]');
  if (th) {
    if (st.sort === th.dataset.sort) st.desc = !st.desc; else { st.sort = th.dataset.sort; st.desc = !['pid', 'name', 'behaviour', 'status'].includes(st.sort); }
    st.page = 0; connect(); return;
  }
  const b = ev.target.closest('button[data-action]');
  if (!b) return;
  const d = b.dataset;
  switch (d.action) {
    case 'kill': act('kill', { pid: d.pid }); break;
    case 'restart': act('child/restart', { sup: d.sup, id: d.id }); break;
    case 'terminate': act('child/terminate', { sup: d.sup, id: d.id }); break;
    case 'retry': act('deadletters/retry', { id: d.letter }); break;
    case 'purge': act('deadletters/purge', { id: d.letter }); break;
    case 'retry-all': act('deadletters/retry', { all: '1' }); break;
    case 'purge-all': act('deadletters/purge', { all: '1' }); break;
    case 'send': act('send', { pid: d.pid, msg: ($('send-msg') || {}).value || '' }); break;
  }
});
document.addEventListener('click', (ev) => { if (ev.target.id === 'stack-refresh') connect(); });
$('detail-close').addEventListener('click', () => { st.pid = ''; connect(); });
$('prev').addEventListener('click', () => { if (st.page > 0) { st.page--; connect(); } });
$('next').addEventListener('click', () => { if (st.page + 1 < (st.pages || 1)) { st.page++; connect(); } });
let searchTimer = 0;
$('search').addEventListener('input', (ev) => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => { st.q = ev.target.value; st.page = 0; connect(); }, 250);
});
connect();
