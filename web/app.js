// The page: files in, a tab per detection (overview, virtual table, detail view), rule settings,
// exports. All analysis happens in the worker (worker.js + the wasm core), and the rows stay there:
// the table asks for the page of rows in view (sorted and filtered by the core). This file keeps
// the page's state and draws it; every score, reason and statistic shown is the core's.
import { loadExample as exampleFiles, SCENARIOS } from './assets.js';
import { overview } from './charts.js';
import { WorkerClient } from './client.js';
import { renderDetail } from './detail.js';
import { $, download, el, formatBytes, formatCount, formatInterval } from './dom.js';
import { appendKqlPivots, wireKqlExport } from './kql.js';
import { VirtualTable } from './table.js';
import { renderSuppressions, tuningSection } from './tuning.js';

// ---------------------------------------------------------------------------------------------
// State

const state = {
  files: [],          // {file, name, kind, format} in the order the worker read them
  rule: null,         // the rule the worker holds (object)
  defaultRule: null,
  now: '',            // '' = latest event
  formats: [],        // [{name, description}]
  schemas: {},        // detection -> {title, columns, pageSeed, pageBeyond, ...} (the core's declarations)
  results: null,      // the latest Summary's results (no rows)
  detection: 'beacon',  // the tab in view
  tabs: {},           // detection -> {sortKeys: [{column, desc}], filter, hostingOnly, tiOnly}
  selected: null,     // {detection, key} of the row whose detail is open
  cancelled: false,
};

const client = new WorkerClient({
  onProgress: showProgress,
  onFatal: (error) => showError(error.message),
  // workers (issue 12): ?workers=1 one worker, ?workers=2 two for every input, else two for big inputs
  workers: new URLSearchParams(globalThis.location ? location.search : '').get('workers') || 'auto',
});

function tab(detection = state.detection) {
  if (!state.tabs[detection]) state.tabs[detection] = { sortKeys: [], filter: '', hostingOnly: false, tiOnly: false };
  return state.tabs[detection];
}

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
  if (p.phase === 'finish') {
    $('progress-bar').removeAttribute('value');  // indeterminate: the core makes the rows
    $('progress-text').textContent = 'Making the results (scoring, sorting, filling the table)…';
    return;
  }
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
  renderResults();
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

async function loadExample(name = 'example') {
  hideError();
  try {
    const files = await exampleFiles(name);
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
// Results: tabs, overview, the virtual table

function applySummary(summary) {
  if (!summary) return;
  state.results = summary.results;
  state.cancelled = false;
  renderFiles();
  const r = summary.results;
  const counts = detectionsWithRows().map((d) => `${formatCount(r.detections[d].rowCount)} ${d}`).join(', ');
  $('status').textContent = `Analysed ${r.files.length} file(s); now = ${r.now ?? '— (no events)'} (${r.nowSource}).` +
    (counts ? ` Rows: ${counts}.` : '') +
    (summary.read ? ` Last read: ${formatBytes(summary.read.bytes)} at ${summary.read.mbps.toFixed(0)} MB/s.` : '');
  // A tab without rows gives way to the first that has some (an inbound-only firewall log opens on
  // Inbound, not on an empty Beacons tab); with no rows anywhere, Beacons.
  const hasRows = (d) => r.detections[d] && r.detections[d].rowCount > 0;
  if (!detectionsWithRows().includes(state.detection) || !hasRows(state.detection))
    state.detection = detectionsWithRows().find(hasRows) || 'beacon';
  renderResults();
  if (state.selected) {
    const { detection, key } = state.selected;
    if (r.detections[detection] && r.detections[detection].rowCount > 0) openDetail(detection, key);
    else closeDetail();
  }
}

// The tabs shown: beacon always, every other detection that has rows (in the core's order).
function detectionsWithRows() {
  const r = state.results;
  if (!r) return [];
  return r.detectionOrder.filter((d) => d === 'beacon' || r.detections[d].rowCount > 0);
}

function mode() { return state.results && state.results.mode === 'beyond' ? 'beyond' : 'seed'; }

// The tab's columns: the schema's page view for the mode first, then the rest (Detection is the tab).
function columnsOf(detection) {
  const schema = (state.results && state.results.detections[detection]) || state.schemas[detection];
  if (!schema) return [];
  const byName = new Map(schema.columns.map((c) => [c.name, c]));
  const view = mode() === 'beyond' ? schema.pageBeyond : schema.pageSeed;
  const first = view.map((v) => ({ ...byName.get(v.column), header: v.header }));
  const rest = schema.columns.filter((c) => c.name !== 'Detection' && !view.some((v) => v.column === c.name)).map((c) => ({ ...c, header: c.name }));
  return [...first, ...rest].map((c) => ({ ...c, numeric: c.type === 'int' || c.type === 'number' }));
}

let table = null;

function renderResults() {
  const tabs = $('tabs');
  tabs.replaceChildren();
  const shown = detectionsWithRows();
  for (const d of shown.length ? shown : ['beacon']) {
    const info = state.results ? state.results.detections[d] : null;
    const title = (info && info.title) || (state.schemas[d] && state.schemas[d].title) || d;
    const button = el('button', {
      type: 'button', role: 'tab', class: 'tab', id: `tab-${d}`, 'data-detection': d, 'aria-selected': String(d === state.detection),
      'aria-controls': 'results-panel', tabindex: d === state.detection ? '0' : '-1',
    }, title, el('span', { class: 'tab-count', text: info ? ` ${formatCount(info.rowCount)}` : '' }));
    button.addEventListener('click', () => selectTab(d));
    button.addEventListener('keydown', (e) => {
      const list = [...tabs.querySelectorAll('[role=tab]')];
      const i = list.indexOf(button);
      const next = e.key === 'ArrowRight' ? list[(i + 1) % list.length] : e.key === 'ArrowLeft' ? list[(i - 1 + list.length) % list.length] : null;
      if (next) { e.preventDefault(); next.focus(); next.click(); }
    });
    tabs.append(button);
  }
  const t = tab();
  $('filter').value = t.filter;
  $('filter-hosting').checked = t.hostingOnly;
  $('filter-ti').checked = t.tiOnly;
  const cols = columnsOf(state.detection);
  $('filter-hosting').disabled = !cols.some((c) => c.name === 'IsHosting');
  $('filter-ti').disabled = !cols.some((c) => c.name === 'IsTIMatch');
  $('results-panel').setAttribute('aria-labelledby', `tab-${state.detection}`);
  renderNotices();
  renderOverview();
  refreshView();
}

function selectTab(detection) {
  if (detection === state.detection) return;
  state.detection = detection;
  closeDetail();
  renderResults();
}

function renderNotices() {
  const asnStatus = $('asn-status');
  asnStatus.hidden = !state.results || state.results.asnDatabaseLoaded !== false;
  asnStatus.textContent = asnStatus.hidden ? '' :
    'Hosting attribution is unavailable: no IP → ASN database is loaded, so RemoteASN, Hosting and the hosting part of every Score are empty.';
  const hasResults = !!state.results;
  $('export-csv').disabled = !hasResults;
  $('export-json').disabled = !hasResults;
}

async function renderOverview() {
  const box = $('overview');
  const info = state.results && state.results.detections[state.detection];
  if (!info || info.rowCount === 0) { box.replaceChildren(); return; }
  const detection = state.detection;
  const noun = `${info.title} rows`;
  // An empty chart of the same size holds the place while the worker answers: the table below
  // does not move down under the analyst's pointer when the overview arrives.
  box.replaceChildren(overview({ bins: [], networks: [], from: '', to: '', noun }));
  const o = await client.request('overview', { detection }).catch(() => null);
  if (detection !== state.detection || (state.results && state.results.detections[detection]) !== info) return;  // cleared or replaced meanwhile
  if (o) box.replaceChildren(overview({ bins: o.bins, networks: o.networks, from: o.from, to: o.to, noun }));
}

function viewRequest(offset = 0, limit = 200, detection = state.detection) {
  const t = tab(detection);
  const only = [];
  if (t.hostingOnly) only.push('IsHosting');
  if (t.tiOnly) only.push('IsTIMatch');
  return { detection, sort: t.sortKeys, filter: t.filter, only, offset, limit };
}

// A new view of the tab: the first page gives the counts; the table fetches the rest as it scrolls.
async function refreshView() {
  if (!table) {
    table = new VirtualTable({
      container: $('results-table'), label: 'Results',
      // The rows drawn are those of the view last reset (its detection and results), even in the
      // moment after a tab switch or a new analysis and before the new view's counts arrive: a
      // click on such a row opens nothing, rather than asking one detection (or session) for a key
      // of another.
      fetchPage: (offset, limit, view) => fetchRows(offset, limit, view.detection),
      renderCell, onOpen: (row, view) => {
        if (view && view.detection === state.detection && view.results === state.results) openDetail(view.detection, row._key);
      }, onSort: sortBy,
    });
  }
  const detection = state.detection;
  const info = state.results && state.results.detections[detection];
  const t0 = performance.now();
  const first = info ? await client.request('view', { request: viewRequest(0, 1) }).catch((e) => { showError(e.message); return null; }) : null;
  if (detection !== state.detection) return;
  const total = first ? first.total : 0, matched = first ? first.matched : 0;
  table.reset({ columns: columnsOf(detection), sortKeys: tab().sortKeys, total: matched, context: { detection, results: state.results } });
  $('row-count').textContent = !state.results ? 'No results yet.'
    : matched === total ? `${formatCount(total)} row${total === 1 ? '' : 's'}`
      : `${formatCount(matched)} of ${formatCount(total)} rows match the filter`;
  const keys = tab().sortKeys;
  $('sort-info').textContent = keys.length
    ? 'Sorted by ' + keys.map((k) => `${k.column} ${k.desc ? '↓' : '↑'}`).join(', then ')
    : (info ? `Core order: ${coreOrder(detection)}` : '');
  $('sort-reset').disabled = keys.length === 0;
  document.body.dataset.viewMs = String(Math.round(performance.now() - t0));
  document.body.dataset.viewRows = String(matched);
  // Bumps once the table has its new view: a test (or a tool) that changed the view waits for it
  // rather than for a row count the old view may already have had.
  document.body.dataset.view = String(++viewGeneration);
}
let viewGeneration = 0;

// A page of the view; beacon rows also learn which of them are known software (the core's
// catalogue and the rule's knownSoftware entries), which seed rows carry in no column.
async function fetchRows(offset, limit, detection) {
  const page = await client.request('view', { request: viewRequest(offset, limit, detection) });
  if (detection === 'beacon' && page.rows.length) {
    const { notes } = await client.request('knownSoftware', { keys: page.rows.map((r) => r._key) });
    const byKey = new Map(notes.map((n) => [n.key, n]));
    for (const row of page.rows) {
      const note = byKey.get(row._key);
      if (note && note.knownSoftware) row._knownSoftware = { product: note.knownSoftware, reason: note.reason };
    }
  }
  return page;
}

function coreOrder(detection) {
  if (detection === 'beacon') return mode() === 'beyond' ? 'VpsScore ↓, RiskScore ↓, ConnectionCount ↓' : 'RiskScore ↓, ConnectionCount ↓';
  const schema = state.schemas[detection];
  return schema ? schema.order : '';
}

function sortBy(name, add) {
  const col = columnsOf(state.detection).find((c) => c.name === name);
  const firstDesc = col && (col.numeric || col.type === 'bool');  // numbers: largest first
  const t = tab();
  const existing = t.sortKeys.find((k) => k.column === name);
  if (add) {
    if (existing) existing.desc = !existing.desc;
    else t.sortKeys.push({ column: name, desc: firstDesc });
  } else if (existing && t.sortKeys.length === 1) {
    existing.desc = !existing.desc;
  } else {
    t.sortKeys = [{ column: name, desc: existing ? existing.desc : firstDesc }];
  }
  refreshView().then(() => {
    const button = document.querySelector(`#results-table th button[data-column="${name}"]`);
    if (button) button.focus();
  });
}

function cellText(col, value) {
  if (value === null || value === undefined) return '';
  if (col.type === 'ints') return value.join(', ');
  if (col.type === 'texts') return value.join(' · ');
  if (col.type === 'bool') return value ? 'true' : 'false';
  if (col.name === 'MedianIntervalSeconds') return `every ${formatInterval(value)}`;
  if (col.name === 'PeriodicityScore') return `${Math.round(value * 100)}%`;
  return String(value);
}

const LONG = new Set(['InitiatingProcessCommandLine', 'TIDescription', 'Reasons', 'VpsReasons', 'Targets', 'RemoteOrg']);
const SCORES = new Set(['Score', 'RiskScore', 'VpsScore']);

function renderCell(col, row) {
  const value = row[col.name];
  const classes = [col.numeric ? 'num' : '', value === null || value === undefined ? 'null' : '', LONG.has(col.name) ? 'long' : ''].filter(Boolean);
  const td = el('td', { class: classes.join(' ') || undefined });
  if (col.name === 'HostingProvider') {
    if (row.IsHosting) {
      td.append(document.createTextNode(row.HostingProvider || 'hosting'));
      if (row.HostingCategory) td.append(el('span', { class: `badge badge-${row.HostingCategory}`, text: row.HostingCategory }));
    } else if (row.RemoteOrg) {
      td.append(el('span', { class: 'secondary', text: row.RemoteOrg }));
    }
    if (row.RemoteASN !== null && row.RemoteASN !== undefined) td.title = `AS${row.RemoteASN}${row.RemoteOrg ? ' ' + row.RemoteOrg : ''}`;
    return td;
  }
  td.textContent = cellText(col, value);
  if (col.name === 'InitiatingProcessFileName' && row._knownSoftware) {
    // Shown by the stylesheet (td[data-known]::after), so that the cell's text stays the export's.
    td.dataset.known = row._knownSoftware.product;
    td.title = `known software: ${row._knownSoftware.reason}`;
  }
  if (SCORES.has(col.name) && typeof value === 'number') td.classList.add('score', value >= 70 ? 'score-high' : value >= 40 ? 'score-mid' : 'score-low');
  if (LONG.has(col.name)) td.title = td.textContent;
  return td;
}

// ---------------------------------------------------------------------------------------------
// Detail view

async function openDetail(detection, key) {
  state.selected = { detection, key };
  if (table) table.select(key);
  // The core keeps aggregates only: the connections of one row come from one more pass over the
  // event files (quick for small files; shows progress and can be cancelled for big ones).
  const before = $('status').textContent;
  const detail = await run('detail', { detection, key }, 'Reading the connections of this row…');
  if (detail) $('status').textContent = before;
  if (!detail || !state.selected || state.selected.key !== key || state.selected.detection !== detection) return;
  const { title, parts } = renderDetail(detection, detail, {
    mode: mode(), asnLoaded: !(state.results && state.results.asnDatabaseLoaded === false),
    schema: state.results && state.results.detections[detection],
    openMember: (d, k) => openMemberRow(d, k),
  });
  $('detail').hidden = false;
  $('detail-title').textContent = title;
  const body = $('detail-body');
  body.replaceChildren(...parts);
  const tuning = tuningSection(detection, detail, addSuppression);
  if (tuning) body.prepend(tuning);
  appendKqlPivots(body, detection, detail.row, client);
  $('detail').scrollIntoView({ block: 'nearest' });
}

// A row listed in a network's detail: its own tab, then its own detail.
async function openMemberRow(detection, key) {
  if (detection !== state.detection) {
    state.detection = detection;
    closeDetail();
    renderResults();
  }
  await openDetail(detection, key);
}

function closeDetail() {
  state.selected = null;
  $('detail').hidden = true;
  $('detail-body').replaceChildren();
  if (table) table.select(null);
}

// ---------------------------------------------------------------------------------------------
// Tuning from a row: entries of the rule's suppressions, applied at once (no re-read)

async function addSuppression(entry) {
  closeDetail();  // the row may be gone once the entry is in force
  const rule = { ...state.rule, suppressions: [...(state.rule.suppressions || []), entry] };
  const ok = await applyRule(rule, state.now);
  if (ok) $('status').textContent = `Added to the rule: ${entry.kind} entry by ${entry.who}. ${$('rule-message').textContent}`;
  return ok;
}

async function removeSuppression(index) {
  const list = [...(state.rule.suppressions || [])];
  const [removed] = list.splice(index, 1);
  if (!removed) return;
  if (await applyRule({ ...state.rule, suppressions: list }, state.now))
    $('status').textContent = `Undone: the ${removed.kind} entry by ${removed.who}. ${$('rule-message').textContent}`;
}

function downloadRule() {
  download('vpshunt-rule.json', JSON.stringify(state.rule, null, 2) + '\n', 'application/json');
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
  $('rule-preset').textContent = rule.exclusionPreset === 'seed'
    ? 'Exclusion lists in force: the seed\'s own (SEED_RULE.kql), exactly.'
    : rule.exclusionPreset === 'extended'
      ? 'Exclusion lists in force: the "extended" preset (the seed\'s lists plus more browsers and Windows/Defender processes).'
      : 'Exclusion lists in force: your own (neither the seed\'s nor the extended preset).';
  $('rule-hostingOverridesExclusions').checked = !!rule.hostingOverridesExclusions;
  renderSuppressions($('suppressions'), rule.suppressions, removeSuppression, downloadRule);
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
    for (const t of Object.values(state.tabs)) t.sortKeys = [];
    const ok = await applyRule({ ...state.rule, mode }, state.now);
    if (!ok) $('mode-' + previous).checked = true;
    else $('rule-message').textContent = mode === 'beyond'
      ? 'Beyond the seed: whole flows over the lookback, ranked by VpsScore.'
      : 'Seed rule: the seed KQL exactly, ranked by RiskScore.';
  } finally {
    for (const radio of document.querySelectorAll('input[name="mode"]')) radio.disabled = false;
  }
}

async function exportResults(format) {
  const result = await run('exportView', { request: viewRequest(), format }, `Preparing the ${format.toUpperCase()} export…`);
  if (!result) return;
  const ext = format === 'csv' ? 'csv' : 'jsonl';
  download(`vpshunt-${state.detection}.${ext}`, result.text, format === 'csv' ? 'text/csv' : 'application/x-ndjson');
  $('status').textContent = `Exported the ${state.detection} rows in view as ${format.toUpperCase()}.`;
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
  $('load-example').addEventListener('click', () => loadExample('example'));
  $('clear-files').addEventListener('click', async () => {
    state.files = [];
    closeDetail();
    const summary = await run('reset', {});
    applySummary(summary);
    state.results = null;
    renderResults();
    renderFiles();
  });
  $('cancel').addEventListener('click', cancel);

  $('load-scenario').addEventListener('click', () => loadExample('scenario'));
  // The filter is applied in the worker; typing waits for a pause of 150 ms.
  let filterTimer = null;
  $('filter').addEventListener('input', (e) => {
    clearTimeout(filterTimer);
    const value = e.target.value;
    filterTimer = setTimeout(() => { tab().filter = value; refreshView(); }, 150);
  });
  $('filter-hosting').addEventListener('change', (e) => { tab().hostingOnly = e.target.checked; refreshView(); });
  $('filter-ti').addEventListener('change', (e) => { tab().tiOnly = e.target.checked; refreshView(); });
  for (const radio of document.querySelectorAll('input[name="mode"]')) radio.addEventListener('change', () => setMode(radio.value));
  $('sort-reset').addEventListener('click', () => { tab().sortKeys = []; refreshView(); });
  $('export-csv').addEventListener('click', () => exportResults('csv'));
  $('export-json').addEventListener('click', () => exportResults('jsonl'));
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
  $('rule-export').addEventListener('click', downloadRule);
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

async function init() {
  wirePage();
  wireKqlExport({ run, client, state, applyRule });
  $('load-scenario').hidden = !SCENARIOS.scenario;
  const info = await run('init', {}, 'Loading the analysis engine…');
  if (!info) return;
  state.formats = info.formats;
  state.schemas = info.schemas;
  state.rule = info.rule;
  state.defaultRule = info.defaultRule;
  fillRuleForm(state.rule, state.now);
  renderResults();
  $('status').textContent = 'Ready. Drop exports above, or press “Load example”.' +
    (info.asnDatabase === 'loaded' ? '' : ` (Hosting attribution is off: the IP → ASN database is ${info.asnDatabase === 'none' ? 'not part of this site' : info.asnDatabase}.)`);
  document.body.dataset.ready = 'true';
}

init();
