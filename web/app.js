// The page: files in, results table, detail view, rule settings, exports. All analysis happens in
// the worker (worker.js + the wasm core); this file only keeps the page's state and draws it.
//
// Security: every piece of log text reaches the DOM through textContent / createTextNode /
// setAttribute on SVG geometry — never innerHTML — so a command line holding
// `<img src=x onerror=alert(1)>` shows as those characters.
//
// Sorting: a click on a header sorts by that column alone (a second click reverses it); a
// Shift+click adds the column as the next key (or reverses it when it already is one). With no
// keys, rows keep the core's order (RiskScore desc, ConnectionCount desc). Numbers compare
// numerically, times chronologically, text case-insensitively; ties keep the core's order.

import { createWorker, loadExample as exampleFiles } from './assets.js';

// Seed columns (the KQL's output), then the "beyond the seed" columns. `value(row)` (optional)
// gives the sort/filter value when the column is not one field of the row; `show(value, row)`
// (optional) gives the cell's text when it is not the value as it is.
const COLUMNS = [
  ['Timestamp', 'time'], ['DeviceName', 'text'], ['AccountName', 'text'],
  ['InitiatingProcessFileName', 'text'], ['InitiatingProcessCommandLine', 'text'], ['RemoteIP', 'text'],
  ['ConnectionCount', 'number'], ['ConnectionsPerMinute', 'number'], ['UniqueRemotePorts', 'number'],
  ['RemotePorts', 'ports'], ['TotalBytesSent', 'number'], ['TotalBytesReceived', 'number'],
  ['ByteRatio', 'number'], ['IsTIMatch', 'bool'], ['ThreatType', 'text'], ['TIConfidence', 'number'],
  ['TIDescription', 'text'], ['RiskScore', 'number'],
  ['VpsScore', 'number'],
  // Hosting: hosting providers first (by name), then other networks (by organisation).
  ['Hosting', 'text', { value: (r) => (r.IsHosting ? '0 ' + (r.HostingProvider || '') : r.RemoteOrg ? '1 ' + r.RemoteOrg : null) }],
  ['RemoteASN', 'number'], ['DeviceCount', 'number'],
  ['MedianIntervalSeconds', 'number', { show: (v) => `every ${formatInterval(v)}` }],
  ['PeriodicityScore', 'number', { show: (v) => `${Math.round(v * 100)}%` }],
  ['FirstConnection', 'time'], ['LastConnection', 'time'],
].map(([name, type, extra = {}]) => ({ name, type, ...extra }));
const columnValue = (col, row) => (col.value ? col.value(row) : row[col.name]);
const BEYOND_FIRST = ['VpsScore', 'RemoteIP', 'Hosting', 'RemoteASN', 'DeviceCount', 'MedianIntervalSeconds', 'PeriodicityScore'];
// Beyond the seed, its own columns come first (the rows are ranked by VpsScore); the seed's follow.
function displayColumns() {
  if (!(state.results && state.results.mode === 'beyond')) return COLUMNS;
  return [...BEYOND_FIRST.map((n) => COLUMNS.find((c) => c.name === n)), ...COLUMNS.filter((c) => !BEYOND_FIRST.includes(c.name))];
}
const PAGE_SIZE = 200;

const $ = (id) => document.getElementById(id);
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}
const SVG_NS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

// ---------------------------------------------------------------------------------------------
// The worker: request/reply by id; progress messages; cancel = terminate and start a fresh one.

class WorkerClient {
  constructor({ onProgress, onFatal }) {
    this.onProgress = onProgress;
    this.onFatal = onFatal;
    this.start();
  }
  start() {
    this.nextId = 1;
    this.pending = new Map();
    this.worker = createWorker();
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll({ code: 'worker', message: `the analysis worker failed: ${event.message || 'unknown error'}` });
    };
  }
  receive(msg) {
    if (!msg) return;
    if (msg.type === 'progress') { this.onProgress(msg); return; }
    if (msg.type === 'fatal') { this.onFatal(msg.error); return; }
    if (msg.type === 'ready') return;
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(Object.assign(new Error(msg.error.message), msg.error));
  }
  request(type, payload = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload });
    });
  }
  failAll(error) {
    for (const { reject } of this.pending.values()) reject(Object.assign(new Error(error.message), error));
    this.pending.clear();
  }
  cancel() {
    this.worker.terminate();
    this.failAll({ code: 'cancelled', message: 'cancelled' });
    this.start();
  }
  get busy() { return this.pending.size > 0; }
}

// ---------------------------------------------------------------------------------------------
// State

const state = {
  files: [],          // {file, name, kind, format} in the order the worker read them
  rule: null,         // the rule the worker holds (object)
  defaultRule: null,
  now: '',            // '' = latest event
  formats: [],        // [{name, description}]
  results: null,      // resultsToJson of the latest analysis
  rows: [],           // row models: {row, index, keys, haystack}
  view: [],           // filtered + sorted row models
  sortKeys: [],       // [{name, dir: 1 | -1}]
  filter: '',
  hostingOnly: false,
  tiOnly: false,
  page: 0,
  selectedGroup: null,
  cancelled: false,
};

const client = new WorkerClient({
  onProgress: showProgress,
  onFatal: (error) => showError(error.message),
});

// ---------------------------------------------------------------------------------------------
// Running requests with progress, errors and cancel

let busyCount = 0;
function setBusy(delta) {
  busyCount += delta;
  $('progress').hidden = busyCount === 0;
  if (busyCount === 0) {
    $('progress-bar').value = 0;
    $('progress-text').textContent = '';
  }
}

// `label` marks a request that may read files: it shows the progress bar and the Cancel button.
async function run(type, payload, label) {
  hideError();
  const showsProgress = !!label;
  if (showsProgress) setBusy(1);
  if (label) $('status').textContent = label;
  try {
    const result = await client.request(type, payload);
    return result;
  } catch (e) {
    if (e.code === 'cancelled') {
      $('status').textContent = 'Cancelled. The files below were not analysed; press “Analyse again” to read them again.';
      return null;
    }
    showError(e.message + (e.code === 'out-of-memory' ? ' — the analysis was stopped; reload the page to start again.' : ''));
    return null;
  } finally {
    if (showsProgress) setBusy(-1);
  }
}

function showProgress(p) {
  const fraction = p.bytesTotal > 0 ? Math.min(p.bytesDone / p.bytesTotal, 1) : (p.done ? 1 : 0);
  $('progress-bar').value = fraction;
  $('progress-text').textContent = (p.phase === 'collect' ? 'Second pass for exact counts — ' : '') +
    `${p.file} (${p.fileIndex + 1} of ${p.fileCount}): ${formatBytes(p.bytesDone)} of ${formatBytes(p.bytesTotal)}` +
    ` · ${p.mbps.toFixed(p.mbps < 10 ? 1 : 0)} MB/s · ${p.rows.toLocaleString('en-US')} records`;
}

function showError(message) {
  $('error').hidden = false;
  $('error').textContent = message;
}
function hideError() {
  $('error').hidden = true;
  $('error').textContent = '';
}

async function cancel() {
  client.cancel();
  state.cancelled = true;
  state.results = null;
  setRows(null);
  renderFiles();
  // The new worker starts from the seed rule; give it the page's rule and now again.
  if (state.rule) await run('setRule', { rule: state.rule });
  if (state.now) await run('setNow', { now: state.now });
  $('status').textContent = 'Cancelled. The files below were not analysed; press “Analyse again” to read them again.';
}

// ---------------------------------------------------------------------------------------------
// Files

function fileEntry(file, kind = 'auto') {
  return { file, name: file.name, kind, format: '' };
}
function wire(entries) {
  return entries.map(({ file, name, kind, format }) => ({ file, name, kind, format }));
}

async function addFiles(fileList) {
  const entries = Array.from(fileList).map((f) => fileEntry(f));
  if (entries.length === 0) return;
  if (state.cancelled) return setFiles([...state.files, ...entries]);
  state.files.push(...entries);
  renderFiles();
  const summary = await run('addFiles', { files: wire(entries) }, `Reading ${entries.length} file(s)…`);
  applySummary(summary);
}

async function setFiles(entries) {
  state.files = entries;
  state.cancelled = false;
  renderFiles();
  const summary = await run('setFiles', { files: wire(entries) }, `Reading ${entries.length} file(s)…`);
  applySummary(summary);
}

async function loadExample() {
  hideError();
  try {
    const files = await exampleFiles('example');
    await setFiles(files.map(({ file, kind }) => fileEntry(file, kind)));
  } catch (e) {
    showError(`Could not load the example: ${e.message}`);
  }
}

async function changeFileOptions(index, kind, format) {
  const entry = state.files[index];
  entry.kind = kind;
  entry.format = format;
  if (state.cancelled) return setFiles(state.files);
  const summary = await run('setFileOptions', { index, kind, format }, `Reading the files again (${entry.name} as ${kind}${format ? ', ' + format : ''})…`);
  applySummary(summary);
}

async function removeFile(index) {
  state.files.splice(index, 1);
  if (state.cancelled) return setFiles(state.files);
  const summary = await run('removeFile', { index }, 'Reading the remaining files again…');
  applySummary(summary);
}

function renderFiles() {
  const list = $('file-list');
  list.replaceChildren();
  const reports = (state.results && state.results.files) || [];
  state.files.forEach((entry, index) => {
    const report = reports[index] && reports[index].path === entry.name ? reports[index] : null;
    list.append(renderFile(entry, index, report));
  });
  $('clear-files').disabled = state.files.length === 0;
  if (state.cancelled && state.files.length > 0) {
    list.append(el('li', { class: 'again' }, el('button', { type: 'button', onclick: () => setFiles(state.files), text: 'Analyse again' })));
  }
  const notices = $('notices');
  notices.replaceChildren();
  for (const notice of (state.results && state.results.notices) || []) notices.append(el('li', { text: notice }));
}

function renderFile(entry, index, report) {
  const kindSelect = el('select', { 'aria-label': `Kind of ${entry.name}` },
    ...['auto', 'events', 'intel'].map((k) => el('option', { value: k, text: k === 'auto' ? 'detect kind' : k })));
  kindSelect.value = entry.kind;
  const formatSelect = el('select', { 'aria-label': `Format of ${entry.name}` },
    el('option', { value: '', text: 'detect format' }),
    ...state.formats.map((f) => el('option', { value: f.name, title: f.description, text: f.name })));
  formatSelect.value = entry.format;
  const onChange = () => changeFileOptions(index, kindSelect.value, formatSelect.value);
  kindSelect.addEventListener('change', onChange);
  formatSelect.addEventListener('change', onChange);

  const li = el('li', { class: 'file' + (report && report.fatal ? ' fatal' : ''), 'data-file': entry.name });
  const head = el('div', { class: 'file-head' },
    el('span', { class: 'file-name', text: entry.name }),
    el('span', { class: 'file-size', text: formatBytes(entry.file.size) }),
    el('span', { class: 'file-detected', text: report ? `${report.kind}, ${report.format || 'unknown format'}` : (state.cancelled ? 'not analysed' : 'reading…') }),
    el('label', { class: 'inline' }, 'kind ', kindSelect),
    el('label', { class: 'inline' }, 'format ', formatSelect),
    el('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${entry.name}`, onclick: () => removeFile(index), text: 'Remove' }));
  li.append(head);
  if (!report) return li;

  li.append(el('div', { class: 'file-counts' },
    `${report.records.toLocaleString('en-US')} records · ${report.kept.toLocaleString('en-US')} kept · ${report.skipped.toLocaleString('en-US')} skipped`));
  const details = el('ul', { class: 'file-details' });
  if (report.fatal) details.append(el('li', { class: 'problem', text: 'This file could not be used.' }));
  for (const p of report.problems || []) {
    const where = p.line ? `line ${p.line}${p.column ? ':' + p.column : ''}` : 'file';
    details.append(el('li', { class: 'problem' }, el('span', { class: 'where', text: where }), ' ', p.message));
  }
  if (report.problemsTotal > (report.problems || []).length)
    details.append(el('li', { class: 'problem', text: `… and ${report.problemsTotal - report.problems.length} more problems` }));
  for (const [reason, count] of Object.entries(report.skipReasons || {}))
    details.append(el('li', { class: 'skip', text: `skipped ${count.toLocaleString('en-US')}: ${reason}` }));
  for (const [reason, count] of Object.entries(report.filtered || {}))
    details.append(el('li', { class: 'note', text: `filtered out by the rule ${count.toLocaleString('en-US')}: ${reason}` }));
  if ((report.missingColumns || []).length)
    details.append(el('li', { class: 'problem', text: `missing columns: ${report.missingColumns.join(', ')}` }));
  for (const note of report.notes || []) details.append(el('li', { class: 'note', text: note }));
  if (details.childElementCount) li.append(details);
  return li;
}

// ---------------------------------------------------------------------------------------------
// Results: row models, sort, filter, paging

function applySummary(summary) {
  if (!summary) return;
  state.results = summary.results;
  state.cancelled = false;
  setRows(summary.results);
  renderFiles();
  const r = summary.results;
  $('status').textContent = `Analysed ${r.files.length} file(s); now = ${r.now ?? '— (no events)'} (${r.nowSource}).` +
    (summary.read ? ` Last read: ${formatBytes(summary.read.bytes)} at ${summary.read.mbps.toFixed(0)} MB/s.` : '');
  if (state.selectedGroup !== null) {
    const still = state.rows.find((m) => m.row.GroupId === state.selectedGroup);
    if (still) openDetail(still); else closeDetail();
  }
}

function timeKey(text) {
  if (typeof text !== 'string') return '';
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z$/.exec(text);
  return m ? m[1] + '.' + (m[2] || '').padEnd(9, '0') : text;
}

function sortKey(value, type) {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'number': return Number(value);
    case 'bool': return value ? 1 : 0;
    case 'time': return timeKey(value);
    case 'ports': return value;  // array of numbers
    default: return String(value).toLowerCase();
  }
}

function cellText(value, type) {
  if (value === null || value === undefined) return '';
  if (type === 'ports') return value.join(', ');
  if (type === 'bool') return value ? 'true' : 'false';
  return String(value);
}

function columnText(col, row) {
  if (col.name === 'Hosting') return hostingText(row);
  const value = row[col.name];
  if (value === null || value === undefined) return '';
  return col.show ? col.show(value, row) : cellText(value, col.type);
}

function hostingText(row) {
  if (row.IsHosting) return `${row.HostingProvider || 'hosting'}${row.HostingCategory ? ' ' + row.HostingCategory : ''}`;
  return row.RemoteOrg || '';
}
function asnText(row) {
  return row.RemoteASN === null || row.RemoteASN === undefined ? '' : `AS${row.RemoteASN}${row.RemoteOrg ? ' ' + row.RemoteOrg : ''}`;
}

function setRows(results) {
  state.rows = results ? results.rows.map((row, index) => ({
    row, index,
    keys: COLUMNS.map((c) => sortKey(columnValue(c, row), c.type)),
    haystack: null,
  })) : [];
  state.page = 0;
  updateView();
}

function compareKeys(a, b, type) {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;  // nulls last either way
  if (type === 'ports') {
    for (let i = 0; i < Math.min(a.length, b.length); ++i) if (a[i] !== b[i]) return a[i] - b[i];
    return a.length - b.length;
  }
  if (type === 'number' || type === 'bool') return a - b;
  return a < b ? -1 : a > b ? 1 : 0;
}

function updateView() {
  const needle = state.filter.trim().toLowerCase();
  let view = state.rows;
  const { hostingOnly, tiOnly } = state;
  if (needle || hostingOnly || tiOnly) {
    view = view.filter((m) => {
      if (hostingOnly && !m.row.IsHosting) return false;
      if (tiOnly && !m.row.IsTIMatch) return false;
      if (!needle) return true;
      if (m.haystack === null) {
        m.haystack = (COLUMNS.map((c) => columnText(c, m.row)).join('\u0001') + '\u0001' + asnText(m.row) + '\u0001' +
          (m.row.VpsReasons || []).join('\u0001')).toLowerCase();
      }
      return m.haystack.includes(needle);
    });
  } else {
    view = view.slice();
  }
  if (state.sortKeys.length) {
    const keys = state.sortKeys.map(({ name, dir }) => {
      const col = COLUMNS.findIndex((c) => c.name === name);
      return { col, type: COLUMNS[col].type, dir };
    });
    view.sort((x, y) => {
      for (const { col, type, dir } of keys) {
        const a = x.keys[col], b = y.keys[col];
        if (a === null || b === null) {
          if (a !== b) return a === null ? 1 : -1;
          continue;
        }
        const c = compareKeys(a, b, type);
        if (c !== 0) return c * dir;
      }
      return x.index - y.index;
    });
  }
  state.view = view;
  const pages = Math.max(1, Math.ceil(view.length / PAGE_SIZE));
  if (state.page >= pages) state.page = pages - 1;
  renderTable();
}

function renderHead() {
  const tr = $('results-head');
  tr.replaceChildren();
  for (const col of displayColumns()) {
    const position = state.sortKeys.findIndex((k) => k.name === col.name);
    const key = position >= 0 ? state.sortKeys[position] : null;
    const th = el('th', {
      scope: 'col', class: col.type === 'number' ? 'num' : undefined,
      'aria-sort': key && position === 0 ? (key.dir > 0 ? 'ascending' : 'descending') : undefined,
      'data-column': col.name,
    });
    const button = el('button', { type: 'button', class: 'sort', 'data-column': col.name, title: `Sort by ${col.name} (Shift+click: add as next key)` },
      col.name,
      key ? el('span', { class: 'sort-mark', 'aria-hidden': 'true', text: (key.dir > 0 ? ' ▲' : ' ▼') + (state.sortKeys.length > 1 ? position + 1 : '') } ) : null);
    button.addEventListener('click', (event) => sortBy(col.name, event.shiftKey));
    th.append(button);
    tr.append(th);
  }
  $('sort-info').textContent = state.sortKeys.length
    ? 'Sorted by ' + state.sortKeys.map((k) => `${k.name} ${k.dir > 0 ? '↑' : '↓'}`).join(', then ')
    : (state.results && state.results.mode === 'beyond' ? 'Core order: VpsScore ↓' : 'Core order: RiskScore ↓, ConnectionCount ↓');
  $('sort-reset').disabled = state.sortKeys.length === 0;
}

function sortBy(name, add) {
  const type = COLUMNS.find((c) => c.name === name).type;
  const firstDir = type === 'number' || type === 'bool' ? -1 : 1;  // numbers: largest first
  const existing = state.sortKeys.find((k) => k.name === name);
  if (add) {
    if (existing) existing.dir = -existing.dir;
    else state.sortKeys.push({ name, dir: firstDir });
  } else if (existing && state.sortKeys.length === 1) {
    existing.dir = -existing.dir;
  } else {
    state.sortKeys = [{ name, dir: existing ? existing.dir : firstDir }];
  }
  state.page = 0;
  updateView();
  const button = document.querySelector(`#results-head button[data-column="${name}"]`);
  if (button) button.focus();
}

function renderTable() {
  renderHead();
  const body = $('results-body');
  const start = state.page * PAGE_SIZE;
  const slice = state.view.slice(start, start + PAGE_SIZE);
  const fragment = document.createDocumentFragment();
  const columns = displayColumns();
  for (const model of slice) {
    const tr = el('tr', { tabindex: '0', 'data-group': model.row.GroupId, class: model.row.GroupId === state.selectedGroup ? 'selected' : undefined });
    for (const col of columns) tr.append(renderCell(col, model.row));
    tr.addEventListener('click', () => openDetail(model));
    tr.addEventListener('keydown', (event) => { if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); openDetail(model); } });
    fragment.append(tr);
  }
  body.replaceChildren(fragment);

  const total = state.rows.length, shown = state.view.length;
  $('row-count').textContent = !state.results ? 'No results yet.'
    : shown === total ? `${total.toLocaleString('en-US')} row${total === 1 ? '' : 's'}`
      : `${shown.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} rows match the filter`;
  const asnStatus = $('asn-status');
  asnStatus.hidden = !state.results || state.results.asnDatabaseLoaded !== false;
  asnStatus.textContent = asnStatus.hidden ? '' :
    'Hosting attribution is unavailable: no IP → ASN database is loaded, so RemoteASN, Hosting and the hosting part of VpsScore are empty.';
  const pages = Math.max(1, Math.ceil(shown / PAGE_SIZE));
  $('page-info').textContent = shown > PAGE_SIZE
    ? `rows ${(start + 1).toLocaleString('en-US')}–${Math.min(start + PAGE_SIZE, shown).toLocaleString('en-US')} of ${shown.toLocaleString('en-US')} (page ${state.page + 1} of ${pages})`
    : '';
  $('page-prev').disabled = state.page === 0;
  $('page-next').disabled = state.page >= pages - 1;
  $('pager').hidden = shown <= PAGE_SIZE;
  const hasResults = !!state.results;
  $('export-csv').disabled = !hasResults;
  $('export-json').disabled = !hasResults;
}

function renderCell(col, row) {
  const value = columnValue(col, row);
  const classes = [col.type === 'number' ? 'num' : '', value === null || value === undefined ? 'null' : '',
    col.name === 'InitiatingProcessCommandLine' || col.name === 'TIDescription' ? 'long' : ''].filter(Boolean);
  const td = el('td', { class: classes.join(' ') || undefined });
  if (col.name === 'Hosting') {
    if (row.IsHosting) {
      td.append(document.createTextNode(row.HostingProvider || 'hosting'));
      if (row.HostingCategory) td.append(el('span', { class: `badge badge-${row.HostingCategory}`, text: row.HostingCategory }));
    } else if (row.RemoteOrg) {
      td.append(el('span', { class: 'secondary', text: row.RemoteOrg }));
    }
    const asn = asnText(row);
    if (asn) td.title = asn;
  } else {
    td.textContent = columnText(col, row);
  }
  if (col.name === 'RiskScore') td.classList.add('score', scoreClass(value));
  if (col.name === 'VpsScore') td.classList.add('score', vpsScoreClass(value));
  if (col.name === 'RemoteASN' && row.RemoteOrg) td.title = row.RemoteOrg;
  if (col.name === 'MedianIntervalSeconds' && value !== null && value !== undefined) td.title = `${value} s`;
  if (col.name === 'PeriodicityScore' && value !== null && value !== undefined) td.title = String(value);
  if (td.classList.contains('long')) td.title = td.textContent;
  return td;
}

function scoreClass(score) {
  return score >= 80 ? 'score-high' : score >= 45 ? 'score-mid' : 'score-low';
}
function vpsScoreClass(score) {
  return score >= 70 ? 'score-high' : score >= 40 ? 'score-mid' : 'score-low';
}

// ---------------------------------------------------------------------------------------------
// Detail view

async function openDetail(model) {
  state.selectedGroup = model.row.GroupId;
  for (const tr of $('results-body').querySelectorAll('tr')) tr.classList.toggle('selected', Number(tr.dataset.group) === state.selectedGroup);
  // The core keeps aggregates only: the connections of one row come from one more pass over the
  // event files (quick for small files; shows progress and can be cancelled for big ones).
  const before = $('status').textContent;
  const detail = await run('detail', { groupId: model.row.GroupId }, 'Reading the connections of this row…');
  if (detail) $('status').textContent = before;
  if (!detail || state.selectedGroup !== model.row.GroupId) return;
  renderDetail(model.row, detail);
}

function closeDetail() {
  state.selectedGroup = null;
  $('detail').hidden = true;
  $('detail-body').replaceChildren();
  for (const tr of $('results-body').querySelectorAll('tr.selected')) tr.classList.remove('selected');
}

function renderDetail(row, detail) {
  const section = $('detail');
  section.hidden = false;
  $('detail-title').textContent = `${row.InitiatingProcessFileName || '(no process name)'} on ${row.DeviceName} → ${row.RemoteIP}`;
  const body = $('detail-body');
  body.replaceChildren();

  const facts = el('dl', { class: 'facts' });
  const fact = (k, v) => facts.append(el('dt', { text: k }), el('dd', { text: v === null || v === undefined || v === '' ? '—' : String(v) }));
  fact(isFlow(row) ? 'Timestamp (first bin)' : 'Bin (Timestamp)', row.Timestamp);
  fact('Device', row.DeviceName);
  fact('Account', row.AccountName);
  fact('Process', row.InitiatingProcessFileName);
  fact('Command line', row.InitiatingProcessCommandLine);
  fact('Remote IP', row.RemoteIP);
  fact('Connections', `${row.ConnectionCount} (${row.ConnectionsPerMinute} per minute)`);
  fact('First / last', `${row.FirstConnection} … ${row.LastConnection}`);
  fact('Bytes sent / received', `${row.TotalBytesSent ?? '—'} / ${row.TotalBytesReceived ?? '—'} (ratio ${row.ByteRatio})`);
  fact('Devices talking to this IP', row.DeviceCount);
  fact('IP first / last seen', row.RemoteIPFirstSeen ? `${row.RemoteIPFirstSeen} … ${row.RemoteIPLastSeen}` : null);
  body.append(el('h3', { text: 'Why RiskScore ' + row.RiskScore }), renderExplanation(row),
    el('h3', { text: 'Why VpsScore ' + row.VpsScore }), renderVpsReasons(row),
    el('h3', { text: 'Hosting attribution' }), renderHosting(row),
    el('h3', { text: isFlow(row) ? 'Flow (the whole lookback)' : 'Group' }), facts);

  body.append(el('h3', { text: 'Threat intelligence' }));
  if (row.IsTIMatch) {
    const ti = el('dl', { class: 'facts' });
    ti.append(el('dt', { text: 'ThreatType' }), el('dd', { text: row.ThreatType ?? '—' }),
      el('dt', { text: 'Confidence' }), el('dd', { text: row.TIConfidence ?? '—' }),
      el('dt', { text: 'Description' }), el('dd', { text: row.TIDescription ?? '—' }));
    body.append(ti);
  } else {
    body.append(el('p', { text: `No active indicator for ${row.RemoteIP} within the TI lookback (${state.rule ? formatMinutes(state.rule.tiLookbackMinutes) : '7 days'}).` }));
  }

  const shown = detail.times.length;
  body.append(el('h3', { text: 'Connections on a timeline' }),
    el('p', { class: 'hint', text: `${detail.total} connection(s) in this group` + (detail.complete ? '' : `; the first ${shown} are drawn`) + '. Each tick is one connection; colour = remote port.' }),
    renderTimeline(row, detail));

  const intervals = [];
  for (let i = 1; i < detail.ms.length; ++i) intervals.push((detail.ms[i] - detail.ms[i - 1]) / 1000);
  body.append(el('h3', { text: 'Intervals between connections' }), renderIntervals(intervals, row));

  const ports = new Map();
  for (const p of detail.ports) ports.set(p, (ports.get(p) || 0) + 1);
  const portTable = el('table', { class: 'small-table' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Remote port' }), el('th', { scope: 'col', class: 'num', text: 'Connections' }))),
    el('tbody', {}, ...[...ports.entries()].sort((a, b) => b[1] - a[1]).map(([p, n]) =>
      el('tr', {}, el('td', { text: p === null ? '(none)' : p }), el('td', { class: 'num', text: n })))));
  body.append(el('h3', { text: 'Ports' }),
    el('p', { text: `UniqueRemotePorts = ${row.UniqueRemotePorts}; RemotePorts (make_set, at most 5) = ${row.RemotePorts.join(', ') || '—'}` }),
    portTable);
  appendKqlPivots(body, row);  // KQL export
  section.scrollIntoView({ block: 'nearest' });
}

// Rows of beyond mode are whole flows; their ids start at 2^40 (Analysis::flowIdBase()).
const FLOW_ID_BASE = 2 ** 40;
function isFlow(row) {
  return row.GroupId >= FLOW_ID_BASE;
}

function renderVpsReasons(row) {
  const box = el('div', { class: 'explanation' });
  box.append(el('p', { class: 'verdict', text: `VpsScore ${row.VpsScore} of 100 (RiskScore, hosting, periodicity, prevalence and TI combined; it never changes RiskScore).` }));
  const reasons = row.VpsReasons || [];
  if (reasons.length) box.append(el('ul', { class: 'reasons' }, ...reasons.map((r) => el('li', { text: r }))));
  else box.append(el('p', { class: 'hint', text: 'No reasons given for this row.' }));
  return box;
}

function renderHosting(row) {
  const facts = el('dl', { class: 'facts hosting' });
  const fact = (k, v) => facts.append(el('dt', { text: k }), el('dd', { text: v === null || v === undefined || v === '' ? '—' : String(v) }));
  if (state.results && state.results.asnDatabaseLoaded === false) {
    return el('p', { text: 'Unavailable: no IP → ASN database is loaded.' });
  }
  fact('ASN', row.RemoteASN === null || row.RemoteASN === undefined ? 'unknown (no announced range)' : `AS${row.RemoteASN}`);
  fact('Organisation', row.RemoteOrg);
  fact('Hosting', row.IsHosting ? 'yes — a rented-server network' : 'no (not on the hosting list)');
  fact('Provider', row.HostingProvider);
  fact('Category', row.HostingCategory);
  return facts;
}

function describeCondition(cond) {
  const parts = [];
  if (cond.tiMatch !== undefined) parts.push(cond.tiMatch ? 'TI match' : 'no TI match');
  if (cond.minConnections !== undefined) parts.push(`≥ ${cond.minConnections} connections`);
  if (cond.maxUniquePorts !== undefined) parts.push(`≤ ${cond.maxUniquePorts} distinct ports`);
  return parts.length ? parts.join(' and ') : 'always';
}

// Walks the rule's case() table like the core does and says, in words, which row gave the score.
function explainScore(row, rule) {
  const lines = [];
  const table = (rule && rule.riskScore) || [];
  for (let i = 0; i < table.length; ++i) {
    const r = table[i];
    const failed = [];
    const held = [];
    if (r.tiMatch !== undefined && r.tiMatch !== null) {
      if (row.IsTIMatch === r.tiMatch) held.push(r.tiMatch ? 'TI match' : 'no TI match');
      else failed.push(r.tiMatch ? 'no TI match' : 'there is a TI match');
    }
    if (r.minConnections !== undefined && r.minConnections !== null) {
      if (row.ConnectionCount >= r.minConnections) held.push(`${row.ConnectionCount} ≥ ${r.minConnections} connections`);
      else failed.push(`${row.ConnectionCount} < ${r.minConnections} connections`);
    }
    if (r.maxUniquePorts !== undefined && r.maxUniquePorts !== null) {
      if (row.UniqueRemotePorts <= r.maxUniquePorts) held.push(`${row.UniqueRemotePorts} ≤ ${r.maxUniquePorts} distinct ports`);
      else failed.push(`${row.UniqueRemotePorts} > ${r.maxUniquePorts} distinct ports`);
    }
    if (failed.length === 0) {
      return { matched: i, text: `Row ${i + 1} of the score table matched: ${held.length ? held.join(' and ') : 'no conditions'} → ${r.score}.`, lines };
    }
    lines.push(`Row ${i + 1} (${describeCondition(r)} → ${r.score}) did not match: ${failed.join(', ')}.`);
  }
  const fallback = rule ? rule.defaultRiskScore : row.RiskScore;
  return { matched: -1, text: `No row of the score table matched, so the default score applies → ${fallback}.`, lines };
}

// A flow (beyond mode) keeps the seed's RiskScore of its busiest clock hour (the seed's ActionTypes
// only), which the flow's totals cannot show; name the score-table row that gives that score.
function explainFlowScore(row, rule) {
  const table = (rule && rule.riskScore) || [];
  const i = table.findIndex((r) => r.score === row.RiskScore);
  const which = i >= 0 ? `row ${i + 1} of the score table (${describeCondition(table[i])} → ${table[i].score})`
    : `the default score (${row.RiskScore})`;
  return {
    text: `RiskScore ${row.RiskScore} is the seed rule's score for this flow's busiest clock hour: ${which}.`,
    lines: ['Beyond the seed, a row is a whole flow over the lookback; its RiskScore is left as the seed rule gives it ' +
      '(connections of the seed ActionTypes inside one observation window), so it can be held against the same rule run in Sentinel.'],
  };
}

function renderExplanation(row) {
  const { text, lines } = isFlow(row) ? explainFlowScore(row, state.rule) : explainScore(row, state.rule);
  const box = el('div', { class: 'explanation' }, el('p', { class: 'verdict', text }));
  if (lines.length) box.append(el('ul', {}, ...lines.map((l) => el('li', { text: l }))));
  return box;
}

const PORT_COLOURS = ['#1f6fb2', '#c2571a', '#2f8f46', '#8a3fb0', '#b02a4a', '#5c6b7a'];

function renderTimeline(row, detail) {
  const width = 900, height = 90, pad = 30;
  const windowMinutes = (state.rule && state.rule.observationWindowMinutes) || 60;
  const start = Date.parse(row.Timestamp);
  const end = start + windowMinutes * 60000;
  const lo = Math.min(start, ...detail.ms.slice(0, 1));
  const hi = Math.max(end, ...detail.ms.slice(-1));
  const x = (ms) => pad + ((ms - lo) / Math.max(hi - lo, 1)) * (width - 2 * pad);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'timeline', role: 'img', 'aria-label': `Timeline of ${detail.times.length} connections` });
  root.append(svg('line', { x1: pad, y1: 60, x2: width - pad, y2: 60, class: 'axis' }));
  const portIndex = new Map();
  detail.ms.forEach((ms, i) => {
    const port = detail.ports[i];
    if (!portIndex.has(port)) portIndex.set(port, portIndex.size);
    const tick = svg('line', { x1: x(ms), y1: 20, x2: x(ms), y2: 58, stroke: PORT_COLOURS[portIndex.get(port) % PORT_COLOURS.length], 'stroke-width': 1.5 });
    const title = svg('title');
    title.textContent = `${detail.times[i]} port ${port ?? '—'}`;
    tick.append(title);
    root.append(tick);
  });
  const label = (ms, anchor) => {
    const t = svg('text', { x: x(ms), y: 78, 'text-anchor': anchor, class: 'tick-label' });
    t.textContent = new Date(ms).toISOString().slice(11, 19) + 'Z';
    return t;
  };
  root.append(label(lo, 'start'), label((lo + hi) / 2, 'middle'), label(hi, 'end'));
  let lx = pad;
  for (const [port, i] of portIndex) {
    const key = svg('text', { x: lx, y: 12, class: 'legend', fill: PORT_COLOURS[i % PORT_COLOURS.length] });
    key.textContent = `■ port ${port ?? '—'}`;
    root.append(key);
    lx += 90;
  }
  return root;
}

function median(sorted) {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

function renderIntervals(intervals, row) {
  const box = el('div', { class: 'intervals' });
  const core = [];
  if (row.MedianIntervalSeconds !== null && row.MedianIntervalSeconds !== undefined)
    core.push(`median interval ${row.MedianIntervalSeconds} s (${formatSeconds(row.MedianIntervalSeconds)})`);
  if (row.PeriodicityScore !== null && row.PeriodicityScore !== undefined)
    core.push(`PeriodicityScore ${Math.round(row.PeriodicityScore * 100)}% (${row.PeriodicityScore})`);
  if (core.length) box.append(el('p', { class: 'core-periodicity', text: `The core measured: ${core.join(', ')}.` }));
  if (intervals.length === 0) {
    box.append(el('p', { text: 'Only one connection: no intervals.' }));
    return box;
  }
  const sorted = intervals.slice().sort((a, b) => a - b);
  const med = median(sorted);
  const mad = median(intervals.map((v) => Math.abs(v - med)).sort((a, b) => a - b));
  const dispersion = med > 0 ? mad / med : 0;
  const mean = intervals.reduce((a, b) => a + b, 0) / intervals.length;
  const sd = Math.sqrt(intervals.reduce((a, b) => a + (b - mean) ** 2, 0) / intervals.length);
  const cv = mean > 0 ? sd / mean : 0;
  box.append(el('p', {
    class: 'interval-summary',
    text: `${intervals.length} intervals: min ${formatSeconds(sorted[0])}, median ${formatSeconds(med)}, max ${formatSeconds(sorted[sorted.length - 1])}, ` +
      `mean ${formatSeconds(mean)}; dispersion (MAD / median) ${(dispersion * 100).toFixed(1)}%, coefficient of variation ${cv.toFixed(2)} — ` +
      (dispersion < 0.05 ? 'very regular, like a beacon on a timer.' : dispersion < 0.3 ? 'fairly regular (a beacon with jitter?).' : 'irregular.'),
  }));
  // Histogram of the gaps: 24 bins between min and max; the dashed line marks the median.
  const bins = 24, width = 900, height = 130, pad = 30, top = 16;
  const lo = sorted[0], hi = sorted[sorted.length - 1];
  const counts = new Array(bins).fill(0);
  for (const v of intervals) counts[hi > lo ? Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins)) : 0]++;
  const peak = Math.max(...counts);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'histogram', role: 'img', 'aria-label': `Histogram of the ${intervals.length} intervals between connections` });
  const bw = (width - 2 * pad) / bins;
  const x = (v) => pad + (hi > lo ? ((v - lo) / (hi - lo)) * (width - 2 * pad) : 0);
  root.append(svg('line', { x1: pad, y1: height - 20, x2: width - pad, y2: height - 20, class: 'axis' }));
  counts.forEach((n, i) => {
    const h = peak ? (n / peak) * (height - 20 - top) : 0;
    const bar = svg('rect', { x: pad + i * bw + 1, y: height - 20 - h, width: Math.max(bw - 2, 1), height: h, class: 'bar', 'data-count': n });
    const title = svg('title');
    const a = lo + ((hi - lo) * i) / bins, b = lo + ((hi - lo) * (i + 1)) / bins;
    title.textContent = `${n} interval(s) of ${formatSeconds(a)}–${formatSeconds(b)}`;
    bar.append(title);
    root.append(bar);
  });
  const mx = x(med);
  root.append(svg('line', { x1: mx, y1: top - 4, x2: mx, y2: height - 20, class: 'median' }));
  const medLabel = svg('text', { x: mx, y: top - 6, 'text-anchor': mx > width / 2 ? 'end' : 'start', class: 'median-label' });
  medLabel.textContent = `median ${formatSeconds(med)}`;
  root.append(medLabel);
  const axisLabel = (text, xPos, anchor) => {
    const t = svg('text', { x: xPos, y: height - 4, 'text-anchor': anchor, class: 'tick-label' });
    t.textContent = text;
    return t;
  };
  root.append(axisLabel(formatSeconds(lo), pad, 'start'), axisLabel(formatSeconds((lo + hi) / 2), width / 2, 'middle'),
    axisLabel(formatSeconds(hi), width - pad, 'end'));
  box.append(root);
  const list = intervals.slice(0, 60).map((v) => formatSeconds(v)).join(', ') + (intervals.length > 60 ? ', …' : '');
  box.append(el('p', { class: 'interval-list', text: `In order: ${list}` }));
  return box;
}

// ---------------------------------------------------------------------------------------------
// Rule settings

const NUMBER_FIELDS = ['beaconMinConnections', 'observationWindowMinutes', 'lookbackMinutes', 'tiLookbackMinutes', 'defaultRiskScore', 'beyondMinConnections'];
const LIST_FIELDS = ['browserProcesses', 'systemProcesses', 'actionTypes', 'beyondExtraActionTypes'];

function fillRuleForm(rule, now) {
  for (const f of NUMBER_FIELDS) $('rule-' + f).value = rule[f];
  for (const f of LIST_FIELDS) $('rule-' + f).value = (rule[f] || []).join('\n');
  $('rule-remoteIpType').value = rule.remoteIpType ?? '';
  $('rule-riskScore').value = JSON.stringify(rule.riskScore || [], null, 1).replace(/\n\s*/g, ' ').replace(/\},\s*\{/g, '},\n{');
  $('rule-now').value = now || '';
  $('rule-beyondMinPeriodicity').value = rule.beyondMinPeriodicity ?? '';
  $('rule-hostingOverridesExclusions').checked = !!rule.hostingOverridesExclusions;
  const mode = rule.mode === 'beyond' ? 'beyond' : 'seed';
  $('mode-' + mode).checked = true;
  document.body.dataset.mode = mode;
}

function readRuleForm() {
  const rule = { ...(state.rule || {}) };
  for (const f of NUMBER_FIELDS) {
    const v = $('rule-' + f).value.trim();
    if (!/^-?\d+$/.test(v)) throw new Error(`${f}: expected a whole number, found "${v}"`);
    rule[f] = Number(v);
  }
  for (const f of LIST_FIELDS) rule[f] = $('rule-' + f).value.split('\n').map((s) => s.trim()).filter(Boolean);
  rule.remoteIpType = $('rule-remoteIpType').value.trim();
  const periodicity = $('rule-beyondMinPeriodicity').value.trim();
  if (!/^\d*\.?\d+$/.test(periodicity) || Number(periodicity) > 1) throw new Error(`beyondMinPeriodicity: expected a number between 0 and 1, found "${periodicity}"`);
  rule.beyondMinPeriodicity = Number(periodicity);
  rule.hostingOverridesExclusions = $('rule-hostingOverridesExclusions').checked;
  try {
    rule.riskScore = JSON.parse($('rule-riskScore').value);
  } catch (e) {
    throw new Error(`RiskScore table: not valid JSON (${e.message})`);
  }
  return rule;
}

async function applyRule(rule, now) {
  $('rule-message').textContent = '';
  const before = state.results;
  let summary = null;
  if (now !== state.now) {
    summary = await run('setNow', { now }, 'Applying now…');
    if (!summary) return false;
    state.now = now;
  }
  const ruleSummary = await run('setRule', { rule }, 'Applying the rule…');
  if (!ruleSummary) {
    if (summary) applySummary(summary);
    return false;
  }
  state.rule = await client.request('getRule');
  fillRuleForm(state.rule, state.now);
  applySummary(ruleSummary);
  $('rule-message').textContent = ruleSummary.reread
    ? 'Applied; this change needed the files to be read again.'
    : 'Applied without reading the files again.' + (before ? '' : '');
  return true;
}

// The rule switch: the mode is one field of the rule; changing it re-reads the files (the core says so).
async function setMode(mode) {
  if (!state.rule || state.rule.mode === mode) return;
  const previous = state.rule.mode === 'beyond' ? 'beyond' : 'seed';
  for (const radio of document.querySelectorAll('input[name="mode"]')) radio.disabled = true;
  try {
    state.sortKeys = [];
    const ok = await applyRule({ ...state.rule, mode }, state.now);
    if (!ok) $('mode-' + previous).checked = true;
    else $('rule-message').textContent = mode === 'beyond'
      ? 'Beyond the seed: whole flows over the lookback, ranked by VpsScore.'
      : 'Seed rule: the seed KQL exactly, ranked by RiskScore.';
  } finally {
    for (const radio of document.querySelectorAll('input[name="mode"]')) radio.disabled = false;
  }
}

function download(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function exportResults(format) {
  const result = await run('render', { format }, `Preparing the ${format.toUpperCase()} export…`);
  if (!result) return;
  download(`vpshunt-results.${format}`, result.text, format === 'csv' ? 'text/csv' : 'application/json');
  $('status').textContent = `Exported ${state.rows.length} rows as ${format.toUpperCase()}.`;
}

// ---------------------------------------------------------------------------------------------
// Formatting

function formatBytes(n) {
  if (n === undefined || n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; ++u; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
function formatSeconds(s) {
  if (s < 1) return `${(s * 1000).toFixed(0)} ms`;
  if (s < 120) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
// Beacon intervals read best in seconds ("every 290 s"), up to two hours.
function formatInterval(s) {
  if (s < 10) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${Math.round(s)} s`;
  return `${(s / 3600).toFixed(1)} h`;
}
function formatMinutes(m) {
  return m % 1440 === 0 ? `${m / 1440} day(s)` : m % 60 === 0 ? `${m / 60} hour(s)` : `${m} minutes`;
}

// ---------------------------------------------------------------------------------------------
// Wiring

function wirePage() {
  const drop = $('dropzone');
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer && e.dataTransfer.files.length) addFiles(e.dataTransfer.files);
  });
  // Dropping a file anywhere else must not navigate away from the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());

  $('file-input').addEventListener('change', (e) => {
    const files = Array.from(e.target.files);
    e.target.value = '';
    addFiles(files);
  });
  $('load-example').addEventListener('click', loadExample);
  $('clear-files').addEventListener('click', async () => {
    state.files = [];
    closeDetail();
    const summary = await run('reset', {});
    applySummary(summary);
    state.results = null;
    setRows(null);
    renderFiles();
  });
  $('cancel').addEventListener('click', cancel);

  $('filter').addEventListener('input', (e) => {
    state.filter = e.target.value;
    state.page = 0;
    updateView();
  });
  $('filter-hosting').addEventListener('change', (e) => { state.hostingOnly = e.target.checked; state.page = 0; updateView(); });
  $('filter-ti').addEventListener('change', (e) => { state.tiOnly = e.target.checked; state.page = 0; updateView(); });
  for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', () => setMode(radio.value));
  $('sort-reset').addEventListener('click', () => { state.sortKeys = []; updateView(); });
  $('page-prev').addEventListener('click', () => { state.page = Math.max(0, state.page - 1); renderTable(); });
  $('page-next').addEventListener('click', () => { state.page += 1; renderTable(); });
  $('export-csv').addEventListener('click', () => exportResults('csv'));
  $('export-json').addEventListener('click', () => exportResults('json'));
  $('detail-close').addEventListener('click', closeDetail);

  $('rule-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    let rule;
    try {
      rule = readRuleForm();
    } catch (err) {
      $('rule-message').textContent = err.message;
      return;
    }
    await applyRule(rule, $('rule-now').value.trim());
  });
  $('rule-defaults').addEventListener('click', () => applyRule(state.defaultRule, ''));
  $('rule-export').addEventListener('click', () => download('vpshunt-rule.json', JSON.stringify(state.rule, null, 2) + '\n', 'application/json'));
  $('rule-import').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    e.target.value = '';
    if (!file) return;
    let rule;
    try {
      rule = JSON.parse(await file.text());
    } catch (err) {
      $('rule-message').textContent = `${file.name}: not valid JSON (${err.message})`;
      return;
    }
    if (await applyRule(rule, state.now)) $('rule-message').textContent = `Imported ${file.name}. ` + $('rule-message').textContent;
  });
}

// ---------------------------------------------------------------------------------------------
// KQL export: the rule in force as one query (Copy KQL, Download .kql), and a row's investigation
// queries in its detail view. The text comes from the core (worker requests exportKql and
// pivotQueries); this only shows it and puts it on the clipboard.

// The detection whose query the buttons export: the tab in view (the beacon detection until the
// page has a tab per detection).
function kqlDetection() {
  return state.detection || 'beacon';
}

// Puts `text` on the clipboard; where the browser refuses (no permission, not a secure context),
// selects it in `textarea` for the user to copy. Returns true when it is on the clipboard.
async function copyText(text, textarea) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (textarea) {
      textarea.hidden = false;
      textarea.focus();
      textarea.select();
    }
    return false;
  }
}

async function ruleAsKql() {
  const target = $('kql-target').value;
  if (state.rule && state.rule.kqlTiTable) $('kql-ti-table').value = state.rule.kqlTiTable;
  const result = await run('exportKql', { target, detection: kqlDetection() });
  if (!result) return null;
  const text = $('kql-text');
  text.value = result.text;
  text.hidden = false;
  return { target, text: result.text };
}

function wireKqlExport() {
  // The TI table is a rule key (kqlTiTable): a change applies at once, without reading the files again.
  $('kql-ti-table').addEventListener('change', async (e) => {
    if (state.rule) await applyRule({ ...state.rule, kqlTiTable: e.target.value }, state.now);
  });
  $('kql-copy').addEventListener('click', async () => {
    const q = await ruleAsKql();
    if (!q) return;
    const copied = await copyText(q.text, $('kql-text'));
    $('kql-message').textContent = (copied ? 'Copied' : 'The clipboard is not available here: the query is selected below, copy it with Ctrl+C') +
      ` (${q.text.split('\n').length} lines for ${$('kql-target').selectedOptions[0].textContent}, the ${kqlDetection()} detection, the rule in force). ` +
      'Its header says what differs from this page\'s results.';
  });
  $('kql-download').addEventListener('click', async () => {
    const q = await ruleAsKql();
    if (!q) return;
    download(`vpshunt-${kqlDetection()}-${q.target}.kql`, q.text, 'text/plain');
    $('kql-message').textContent = `Downloaded vpshunt-${kqlDetection()}-${q.target}.kql.`;
  });
}

// The row's pivots (process tree, binary, the address across the fleet, its network, the account's
// sign-ins) for the target chosen in the settings, each with its own Copy button.
async function appendKqlPivots(body, row) {
  const target = $('kql-target').value;
  const section = el('div', { class: 'kql-pivots', id: 'kql-pivots' });
  body.append(el('h3', { text: `Investigate where the data lives (KQL for ${$('kql-target').selectedOptions[0].textContent})` }), section);
  const result = await run('pivotQueries', { detection: kqlDetection(), row, target });
  if (!result) return;
  for (const pivot of result.pivots) {
    const pre = el('pre', { class: 'kql-text', text: pivot.query });
    const status = el('span', { class: 'hint', 'aria-live': 'polite' });
    const copy = el('button', { type: 'button', class: 'secondary', text: 'Copy KQL', 'data-pivot': pivot.id });
    copy.addEventListener('click', async (e) => {
      e.preventDefault();  // a button in a <summary>: copy, do not fold
      const ok = await copyText(pivot.query, null);
      if (!ok) window.getSelection().selectAllChildren(pre);
      status.textContent = ok ? ' Copied.' : ' Selected: copy it with Ctrl+C.';
    });
    section.append(el('details', { class: 'kql-pivot', 'data-pivot': pivot.id },
      el('summary', {}, el('span', { text: pivot.title + ' ' }), copy, status), pre));
  }
}
// --- end KQL export ---

async function init() {
  wirePage();
  wireKqlExport();  // KQL export
  renderHead();
  renderTable();
  const info = await run('init', {}, 'Loading the analysis engine…');
  if (!info) return;
  state.formats = info.formats;
  state.rule = info.rule;
  state.defaultRule = info.defaultRule;
  fillRuleForm(state.rule, state.now);
  $('status').textContent = 'Ready. Drop exports above, or press “Load example”.' +
    (info.asnDatabase === 'loaded' ? '' : ` (Hosting attribution is off: the IP → ASN database is ${info.asnDatabase === 'none' ? 'not part of this site' : info.asnDatabase}.)`);
  document.body.dataset.ready = 'true';
}

init();
