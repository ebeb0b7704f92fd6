// spanwright dev: the trace list (/) and one trace as a waterfall (/traces/<id>).
// Plain JS, no build step; every text goes into the page through textContent.
'use strict';

const POLL_MS = 1000;
// No red (ERROR is red) and nothing too pale for a bar on white.
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#76b7b2', '#9c755f', '#d37295', '#8cd17d'];

const app = document.getElementById('app');
const statusLine = document.getElementById('status');

/**
 * el('td', { class: 'num', text: '3', css: { left: '10%' } }, child, …). Styles go through the
 * CSSOM: the page's Content-Security-Policy forbids inline style attributes.
 */
function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'css') for (const [name, css] of Object.entries(value)) node.style.setProperty(name, css);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) if (child !== undefined && child !== null && child !== false) node.append(child);
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { cache: 'no-store' });
  const body = await response.json();
  return { status: response.status, body };
}

function formatMs(ms) {
  if (ms === 0) return '0 ms';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(2) : ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

function formatTime(nanos) {
  const date = new Date(Number(BigInt(nanos) / 1000000n));
  return date.toLocaleTimeString(undefined, { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
}

function formatValue(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A service's colour comes from its name (FNV-1a), so it is the same on every page; a service
 * whose colour another one on this page already has takes the next free one.
 */
const colors = new Map();
function colorOf(service) {
  const known = colors.get(service);
  if (known) return known;
  let hash = 0x811c9dc5;
  for (const char of service) hash = Math.imul(hash ^ char.codePointAt(0), 0x01000193) >>> 0;
  const taken = new Set(colors.values());
  let index = hash % PALETTE.length;
  for (let i = 0; i < PALETTE.length && taken.has(PALETTE[index]); i++) index = (index + 1) % PALETTE.length;
  colors.set(service, PALETTE[index]);
  return PALETTE[index];
}

function chip(service) {
  const color = colorOf(service);
  return el('span', { class: 'chip', text: service, css: { color, 'border-color': color } });
}

function showStatus(info) {
  statusLine.replaceChildren();
  const stats = info.stats;
  const parts = [`${stats.traces} trace${stats.traces === 1 ? '' : 's'}`, `${stats.spans} span${stats.spans === 1 ? '' : 's'}`];
  statusLine.append(parts.join(' · '));
  if (stats.droppedTraces > 0) {
    statusLine.append(' · ', el('span', {
      class: 'dropped',
      text: `${stats.droppedTraces} older trace${stats.droppedTraces === 1 ? '' : 's'} dropped (${stats.droppedSpans} spans; keeps ${info.limits.maxTraces} traces / ${info.limits.maxSpans} spans)`,
    }));
  }
  statusLine.append(' · ', info.manifest ? `checked against ${info.manifest}` : 'no manifest: no conformance findings');
}

// ---------------------------------------------------------------- the list

async function showList() {
  document.title = 'Traces · spanwright dev';
  let shown = -1;
  const refresh = async () => {
    let result;
    try {
      result = await getJson('/api/traces');
    } catch {
      statusLine.textContent = 'viewer not reachable (stopped?)';
      return;
    }
    const info = result.body;
    if (info.version === shown) return;
    shown = info.version;
    showStatus(info);
    renderList(info);
  };
  await refresh();
  setInterval(refresh, POLL_MS);
}

function renderList(info) {
  if (info.traces.length === 0) {
    app.replaceChildren(el('div', { class: 'empty' },
      el('p', { text: 'No traces yet. Send OTLP here from any number of services:' }),
      el('p', {}, el('code', { text: `OTEL_EXPORTER_OTLP_ENDPOINT=${info.otlp.http}` }), ' (http/protobuf or http/json), or gRPC at ', el('code', { text: info.otlp.grpc })),
      el('p', { text: 'This page updates by itself.' })));
    return;
  }
  const body = el('tbody');
  for (const trace of info.traces) {
    const href = `/traces/${trace.traceId}`;
    const root = trace.rootName || '(root not received yet)';
    body.append(el('tr', { class: 'trace-row', 'data-trace-id': trace.traceId, onclick: () => { location.href = href; } },
      el('td', { class: 'mono', text: formatTime(trace.startTimeUnixNano) }),
      el('td', {}, el('a', { class: 'root-name', href, text: root }), el('span', { class: 'trace-id mono', text: trace.traceId.slice(0, 8) }),
        trace.partial ? el('span', { class: 'none', text: ' (partial)' }) : null),
      el('td', {}, ...trace.services.map((service) => chip(service))),
      el('td', { class: 'num', text: trace.spanCount }),
      el('td', { class: 'num', text: formatMs(trace.durationMs) }),
      el('td', { class: 'num' }, trace.errors > 0 ? el('span', { class: 'badge error', text: trace.errors }) : el('span', { class: 'none', text: '0' })),
      el('td', { class: 'num' }, trace.findings > 0 ? el('span', { class: 'badge finding', text: trace.findings }) : el('span', { class: 'none', text: '–' }))));
  }
  const more = info.stats.traces - info.traces.length;
  const shownNote = more > 0 ? el('p', { class: 'empty', text: `the ${info.traces.length} newest shown; ${more} older still held (GET /api/traces?limit=${info.stats.traces})` }) : null;
  app.replaceChildren(el('table', { class: 'traces' },
    el('thead', {}, el('tr', {},
      el('th', { text: 'Started' }), el('th', { text: 'Root span' }), el('th', { text: 'Services' }),
      el('th', { class: 'num', text: 'Spans' }), el('th', { class: 'num', text: 'Duration' }),
      el('th', { class: 'num', text: 'Errors' }), el('th', { class: 'num', text: 'Findings' }))),
    body), ...(shownNote ? [shownNote] : []));
}

// ---------------------------------------------------------------- one trace

/** Spans of every service in one tree by parent id: roots (no parent, or a parent not received) and children by start. */
function buildRows(spans) {
  const byId = new Map(spans.map((span) => [span.spanId, { span, children: [] }]));
  const roots = [];
  for (const node of byId.values()) {
    const parent = node.span.parentSpanId === null ? undefined : byId.get(node.span.parentSpanId);
    if (parent && parent !== node) parent.children.push(node);
    else roots.push(node);
  }
  const byStart = (a, b) => {
    const x = BigInt(a.span.startTimeUnixNano);
    const y = BigInt(b.span.startTimeUnixNano);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const rows = [];
  const walk = (node, depth) => {
    rows.push({ span: node.span, depth });
    node.children.sort(byStart);
    for (const child of node.children) walk(child, depth + 1);
  };
  roots.sort(byStart);
  for (const root of roots) walk(root, 0);
  return rows;
}

async function showTrace(traceId) {
  let shown = -1;
  const open = new Set();
  const refresh = async () => {
    let result;
    try {
      result = await getJson(`/api/traces/${traceId}`);
    } catch {
      statusLine.textContent = 'viewer not reachable (stopped?)';
      return;
    }
    if (result.status !== 200) {
      if (shown !== -2) app.replaceChildren(el('p', { class: 'empty' }, result.body.error, ' · ', el('a', { href: '/', text: 'all traces' })));
      shown = -2;
      return;
    }
    const trace = result.body;
    if (trace.version === shown) return;
    shown = trace.version;
    renderTrace(trace, open);
    if (!document.documentElement.dataset.renderMs) {
      // Milliseconds from navigation start to the last row in the DOM (read by the tests and measure.ts).
      document.documentElement.dataset.renderMs = String(Math.round(performance.now()));
    }
  };
  getJson('/api/traces?limit=0').then((result) => showStatus(result.body), () => {});
  await refresh();
  setInterval(refresh, POLL_MS);
}

function renderTrace(trace, open) {
  const rows = buildRows(trace.spans);
  const root = rows[0] ? rows[0].span : undefined;
  const start = BigInt(trace.startTimeUnixNano);
  const total = Math.max(trace.durationMs, 0.001);
  const offsetMs = (nanos) => Number(BigInt(nanos) - start) / 1e6;
  document.title = `${root ? root.name : trace.traceId} · spanwright dev`;

  const head = el('div', { class: 'trace-head' },
    el('h1', { text: root ? root.name : trace.traceId }),
    el('div', { class: 'facts' },
      el('span', {}, 'Trace ', el('b', { class: 'mono', text: trace.traceId })),
      el('span', {}, 'Duration ', el('b', { text: formatMs(trace.durationMs) })),
      el('span', {}, 'Spans ', el('b', { text: trace.spanCount })),
      el('span', {}, 'Services ', ...trace.services.map((service) => chip(service))),
      trace.errors > 0 ? el('span', { class: 'badge error', text: `${trace.errors} error${trace.errors === 1 ? '' : 's'}` }) : null,
      trace.findings > 0 ? el('span', { class: 'badge finding', text: `${trace.findings} finding${trace.findings === 1 ? '' : 's'}` }) : null,
      el('a', { href: '/', text: '← all traces' })));

  const ticks = el('div', { class: 'ticks' });
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    ticks.append(el('div', { class: fraction === 1 ? 'tick last' : 'tick', css: { left: `${fraction * 100}%` }, text: formatMs(total * fraction) }));
  }
  const waterfall = el('div', { class: 'waterfall' }, el('div', { class: 'ruler' }, el('div', { class: 'name-cell', text: 'Service · span' }), ticks));

  const fragment = document.createDocumentFragment();
  for (const { span, depth } of rows) {
    const left = (offsetMs(span.startTimeUnixNano) / total) * 100;
    const width = (span.durationMs / total) * 100;
    const color = colorOf(span.serviceName);
    const isError = span.status.code === 'ERROR';
    const labelLeft = left + width > 80;
    const row = el('div', {
      class: `span-row${isError ? ' error' : ''}${open.has(span.spanId) ? ' selected' : ''}`,
      'data-span-id': span.spanId,
      'data-depth': depth,
      'data-service': span.serviceName,
      role: 'button',
      tabindex: 0,
    },
    el('div', { class: 'name-cell', css: { 'padding-left': `${8 + depth * 16}px` } },
      el('span', { class: 'service-mark', css: { background: color } }),
      el('span', { class: 'service', text: span.serviceName }),
      el('span', { class: 'span-name', text: span.name || '(unnamed)' }),
      isError ? el('span', { class: 'error-mark', title: span.status.message || 'status ERROR', text: '!' }) : null,
      span.findings.length > 0 ? el('span', { class: 'finding-mark', title: span.findings.map((f) => f.message).join('\n'), text: `${span.findings.length} finding${span.findings.length === 1 ? '' : 's'}` }) : null),
    el('div', { class: 'bar-cell' },
      el('div', { class: 'grid', css: { left: '25%' } }), el('div', { class: 'grid', css: { left: '50%' } }), el('div', { class: 'grid', css: { left: '75%' } }),
      el('div', { class: 'bar', css: { left: `${left}%`, width: `${width}%`, background: color } }),
      el('div', { class: 'bar-label', css: labelLeft ? { right: `${100 - left + 0.5}%` } : { left: `${left + width + 0.5}%` }, text: formatMs(span.durationMs) })));
    const toggle = () => {
      if (open.has(span.spanId)) {
        open.delete(span.spanId);
        row.classList.remove('selected');
        if (row.nextElementSibling?.classList.contains('details')) row.nextElementSibling.remove();
      } else {
        open.add(span.spanId);
        row.classList.add('selected');
        row.after(details(span, depth, offsetMs));
      }
    };
    row.addEventListener('click', toggle);
    row.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); toggle(); } });
    fragment.append(row);
    if (open.has(span.spanId)) fragment.append(details(span, depth, offsetMs));
  }
  waterfall.append(fragment);
  app.replaceChildren(head, waterfall);
}

function table(values, extraClass) {
  const entries = Object.entries(values);
  if (entries.length === 0) return el('div', { class: 'none', text: 'none' });
  return el('table', { class: extraClass },
    el('tbody', {}, ...entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) =>
      el('tr', { 'data-key': key }, el('td', { class: 'key', text: key }), el('td', { class: 'value', text: formatValue(value) })))));
}

function details(span, depth, offsetMs) {
  const status = span.status.code === 'ERROR'
    ? el('span', { class: 'status-error', text: `ERROR${span.status.message ? `: ${span.status.message}` : ''}` })
    : el('span', { text: span.status.code + (span.status.message ? `: ${span.status.message}` : '') });
  return el('div', { class: 'details', 'data-details-for': span.spanId, css: { '--indent': `${depth * 16}px` } },
    el('h2', { text: span.name || '(unnamed)' }),
    el('div', { class: 'sub' },
      `${span.serviceName} · ${span.kind.toLowerCase()} · ${formatMs(span.durationMs)} · starts at +${formatMs(offsetMs(span.startTimeUnixNano))} · status `, status),
    span.findings.length > 0 ? el('section', { class: 'findings-section' }, el('h3', { text: 'Conformance findings' }),
      el('ul', { class: 'findings' }, ...span.findings.map((finding) => el('li', { class: 'finding' }, el('span', { class: 'rule', text: finding.rule }), finding.message)))) : null,
    el('section', { class: 'attributes' }, el('h3', { text: 'Attributes' }), table(span.attributes, 'attributes')),
    el('section', { class: 'events' }, el('h3', { text: `Events (${span.events.length})` }),
      span.events.length === 0 ? el('div', { class: 'none', text: 'none' }) : el('div', {}, ...span.events.map((event) =>
        el('div', { class: 'event' }, el('div', {}, el('span', { class: 'when mono', text: `+${formatMs(offsetMs(event.timeUnixNano))}` }), el('b', { text: event.name })),
          Object.keys(event.attributes).length > 0 ? table(event.attributes) : null)))),
    span.links.length > 0 ? el('section', { class: 'links' }, el('h3', { text: `Links (${span.links.length})` }),
      el('ul', {}, ...span.links.map((link) => el('li', {}, el('a', { class: 'mono', href: `/traces/${link.traceId}`, text: `${link.traceId} / ${link.spanId}` }),
        Object.keys(link.attributes).length > 0 ? table(link.attributes) : null)))) : null,
    el('section', { class: 'resource' }, el('h3', { text: 'Resource' }), table(span.resource.attributes)),
    el('section', { class: 'ids' }, el('h3', { text: 'Identity' }), table({
      'span id': span.spanId,
      'parent span id': span.parentSpanId ?? '(root)',
      'instrumentation scope': span.scope.version ? `${span.scope.name} ${span.scope.version}` : span.scope.name,
    })));
}

// ---------------------------------------------------------------- routing

const match = /^\/traces\/([0-9a-fA-F]{32})\/?$/.exec(location.pathname);
if (match) showTrace(match[1].toLowerCase());
else showList();
