// The page in Chromium on a large export: time to rows, whether the progress bar moves while it runs, the
// latency of sort and filter on the result, and how much memory the browser's processes hold. Not a
// pass/fail test.
//
//   node bench/page.mjs [--now ISO8601] [--label NAME] [--node-seconds S] FILE [FILE...]
//
// Serves W/web (or $VPSHUNT_WASM_BUILD/web) on 127.0.0.1, opens it in Debian's Chromium through
// playwright-core, sets the rule's `now` when --now is given (as the Node runner's --now, so both do the
// same work), hands FILE(s) (events and intel alike) to the file input and waits for the result count.
// Every 250 ms it samples the progress bar and the memory (PSS) of the browser's processes (the worker
// holding the wasm heap included), from /proc. Then it runs the probes (PROBES below: sort by a column,
// type a filter, clear it), each timed from the action to the frame after the page shows its effect.
// Prints: time to rows (and, with --node-seconds, its ratio to the Node runner's wall time on the same
// files), MB/s, progress-bar positions, the result count, probe latencies, memory with the page loaded
// and at the peak, and one machine-readable line `page-result {json}`.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

// What the benchmark needs of the page, in one place: when the page changes, change these.
const SELECTORS = {
  ready: 'body[data-ready="true"]',
  fileInput: '#file-input',
  progress: '#progress',          // hidden when idle
  progressBar: '#progress-bar',   // <progress>: value 0..1
  progressText: '#progress-text',
  rowCount: '#row-count',         // "N rows" once results are shown
  error: '#error',                // hidden unless an error is shown
  ruleNow: '#rule-now',           // the rule form's `now`
  ruleForm: '#rule-form',
  ruleMessage: '#rule-message',   // filled once the rule is applied
  results: '#results-table',
  status: '#status',                // "Analysed N file(s) ... Rows: ..." once the results are shown
  dataRows: '#results-table tr.data[data-key]',  // rows drawn with their cells
};

// Latency probes on the shown result. `act` runs in the page and starts the change; `signature` (in the
// page) must differ once the page shows its effect. Each is timed from just before `act` to the first
// animation frame after `signature` changed. A probe whose elements are missing reports "n/a".
// The table is virtual (web/table.js): only the rows in view are in the DOM, paged from the worker,
// which sorts and filters in the core's store.
const PROBES = [
  {
    name: 'sort',
    what: 'click the DeviceName header (RemoteIP where there is none) to sort by it',
    act: () => document.querySelector('#results-table th button[data-column="DeviceName"], #results-table th button[data-column="RemoteIP"]').click(),
    available: () => !!document.querySelector('#results-table th button[data-column="DeviceName"], #results-table th button[data-column="RemoteIP"]'),
    signature: () => {
      const th = document.querySelector('#results-table th[data-column="DeviceName"], #results-table th[data-column="RemoteIP"]');
      const tr = document.querySelector('#results-table tr.data');
      return `${th ? th.getAttribute('aria-sort') : ''}|${tr ? tr.textContent : ''}`;
    },
  },
  {
    name: 'reverse',
    what: 'click the same header again (reverse the sort)',
    act: () => document.querySelector('#results-table th[aria-sort] button').click(),
    available: () => !!document.querySelector('#results-table th[aria-sort] button'),
    signature: () => {
      const th = document.querySelector('#results-table th[aria-sort]') || document.querySelector('#results-table th');
      const tr = document.querySelector('#results-table tr.data');
      return `${th ? th.getAttribute('aria-sort') : ''}|${tr ? tr.textContent : ''}`;
    },
  },
  {
    name: 'scroll',
    what: 'scroll the table to its middle (rows fetched and drawn)',
    act: () => {
      const wrap = document.querySelector('#results-table .table-wrap');
      wrap.scrollTop = wrap.scrollHeight / 2;
    },
    available: () => {
      const wrap = document.querySelector('#results-table .table-wrap');
      return !!wrap && wrap.scrollHeight > 4 * wrap.clientHeight;  // a result that fills a few screens
    },
    signature: () => {
      // Changes once the rows under the new viewport are drawn with their cells (not placeholders).
      const rows = [...document.querySelectorAll('#results-table tr.data')];
      const filled = rows.filter((tr) => tr.dataset.key !== undefined);
      return filled.length ? filled[Math.floor(filled.length / 2)].dataset.index : '';
    },
  },
  {
    name: 'filter',
    what: 'type "ws-0001" into the filter box; the page waits 150 ms for a pause in typing',
    act: () => {
      const f = document.getElementById('filter');
      f.value = 'ws-0001';
      f.dispatchEvent(new Event('input', { bubbles: true }));
    },
    available: () => !!document.getElementById('filter'),
    signature: () => {
      const tr = document.querySelector('#results-table tr.data');  // probes run in the page: self-contained
      return `${document.getElementById('row-count').textContent}|${tr ? tr.dataset.index + ':' + tr.textContent : ''}`;
    },
  },
  {
    name: 'unfilter',
    what: 'clear the filter box',
    act: () => {
      const f = document.getElementById('filter');
      f.value = '';
      f.dispatchEvent(new Event('input', { bubbles: true }));
    },
    available: () => !!document.getElementById('filter') && document.getElementById('filter').value !== '',
    signature: () => {
      const tr = document.querySelector('#results-table tr.data');  // probes run in the page: self-contained
      return `${document.getElementById('row-count').textContent}|${tr ? tr.dataset.index + ':' + tr.textContent : ''}`;
    },
  },
];

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = process.env.VPSHUNT_WASM_BUILD || 'W';
const SITE = path.join(path.isAbsolute(build) ? build : path.join(ROOT, build), 'web');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.csv': 'text/csv; charset=utf-8' };
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const opts = { now: '', label: '', nodeSeconds: 0, workers: '', files: [] };
{
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--now') opts.now = argv[++i] || '';
    else if (argv[i] === '--label') opts.label = argv[++i] || '';
    else if (argv[i] === '--node-seconds') opts.nodeSeconds = Number(argv[++i]) || 0;
    else if (argv[i] === '--workers') opts.workers = argv[++i] || '';  // the page's ?workers= (1, 2; default: auto)
    else opts.files.push(argv[i]);
  }
}
if (!opts.files.length) {
  console.error('usage: node bench/page.mjs [--now ISO8601] [--label NAME] [--node-seconds S] [--workers 1|2] FILE [FILE...]');
  process.exit(2);
}
if (!fs.existsSync(path.join(SITE, 'index.html'))) {
  console.error(`page: ${SITE}/index.html not found: build the wasm tree first`);
  process.exit(2);
}
const bytes = opts.files.reduce((n, f) => n + fs.statSync(f).size, 0);

const server = http.createServer((req, res) => {
  let rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  if (rel.endsWith('/')) rel += 'index.html';
  const file = path.join(SITE, path.normalize(rel));
  if (!file.startsWith(SITE) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
  fs.createReadStream(file).pipe(res);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

// Proportional resident memory (PSS) of a process and (unless `descendants` is false) all its descendants.
function treeRssKiB(pid, descendants = true) {
  const children = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid).push(Number(d));
    } catch { /* gone */ }
  }
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop();
    try {
      // PSS: shared pages (Chromium's libraries, shared memory) divided among the processes sharing them.
      const m = /^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8'));
      if (m) total += Number(m[1]);
    } catch { /* gone */ }
    if (descendants) stack.push(...(children.get(p) || []));
  }
  return total;
}
// Chromium's processes are this process's descendants: their memory is the tree's less ours.
const browserKiB = () => treeRssKiB(process.pid) - treeRssKiB(process.pid, false);

// Times one probe in the page: from just before act() to the first frame after signature() changed.
// The probe's functions go in as source text of one expression (evaluated by the DevTools protocol, so the
// page's Content-Security-Policy, which forbids eval, does not apply). null: not available; -1: no change.
async function runProbe(page, probe, timeoutMs = 60000) {
  return page.evaluate(`(async () => {
    const act = ${probe.act.toString()}, available = ${probe.available.toString()}, signature = ${probe.signature.toString()};
    if (!available()) return null;
    const before = signature();
    const t0 = performance.now();
    act();
    for (;;) {
      await new Promise((r) => requestAnimationFrame(r));
      if (signature() !== before) break;
      if (performance.now() - t0 > ${Number(timeoutMs)}) return -1;
    }
    await new Promise((r) => requestAnimationFrame(r));  // the frame that shows it
    return performance.now() - t0;
  })()`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
let status = 0;
const tag = opts.label ? `page (${opts.label})` : 'page';
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/${opts.workers ? `?workers=${encodeURIComponent(opts.workers)}` : ''}`);
  await page.waitForSelector(SELECTORS.ready, { timeout: 60000 });
  if (opts.now) {
    // The rule form's now, applied before any file is given (so the page reads the files once, as the
    // Node runner does with --now).
    await page.evaluate(({ s, now }) => {
      document.querySelector(s.ruleNow).value = now;
      document.querySelector(s.ruleMessage).textContent = '';
      document.querySelector(s.ruleForm).requestSubmit();
    }, { s: SELECTORS, now: opts.now });
    await page.waitForFunction((s) => document.querySelector(s.ruleMessage).textContent.trim() !== '', SELECTORS, { timeout: 60000 });
  }
  const samples = [];
  const idleKiB = browserKiB();
  let peakKiB = idleKiB;
  const started = Date.now();
  await page.setInputFiles(SELECTORS.fileInput, opts.files);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = await page.evaluate((sel) => ({
      busy: !document.querySelector(sel.progress).hidden,
      value: document.querySelector(sel.progressBar).value,
      text: document.querySelector(sel.progressText).textContent,
      rows: document.querySelector(sel.rowCount).textContent,
      status: document.querySelector(sel.status).textContent,
      drawn: document.querySelectorAll(sel.dataRows).length,
      error: document.querySelector(sel.error).hidden ? '' : document.querySelector(sel.error).textContent,
    }), SELECTORS);
    const mem = browserKiB();
    peakKiB = Math.max(peakKiB, mem);
    samples.push({ t: (Date.now() - started) / 1000, mem: mem / 1024, ...s });
    // Done when the page says it analysed the files and shows their rows: the table has drawn rows,
    // or the status counts none anywhere. (The progress bar alone is not enough: between the read and
    // the first view of a million rows, the row count still says the "0 rows" of before.)
    const analysed = /^Analysed/.test(s.status);
    if (!s.busy && analysed && (s.drawn > 0 || !/Rows: .*[1-9]/.test(s.status))) break;
    if (s.error || errors.length) break;
    if (Date.now() - started > 30 * 60 * 1000) throw new Error('gave up after 30 minutes');
  }
  // Sampled every 250 ms: time to rows is exact to a quarter of a second.
  const seconds = (Date.now() - started) / 1000;
  const last = samples[samples.length - 1];
  const moving = new Set(samples.filter((s) => s.busy).map((s) => Number(s.value).toFixed(3))).size;
  const phases = new Set(samples.filter((s) => s.busy).map((s) => (/Second pass/.test(s.text) ? 'collect' : 'read')));
  const rowsText = last.rows.trim().split('\n')[0];
  const result = { label: opts.label, files: opts.files.length, mb: +(bytes / 1e6).toFixed(1), seconds: +seconds.toFixed(2),
    rows: Number((/([\d,]+)\s+rows?/.exec(rowsText) || [, '0'])[1].replace(/,/g, '')), idleMiB: Math.round(idleKiB / 1024) };
  const vsNode = opts.nodeSeconds > 0 ? `, ${(seconds / opts.nodeSeconds).toFixed(2)}x the Node runner's ${opts.nodeSeconds.toFixed(2)} s` : '';
  if (opts.nodeSeconds > 0) result.vsNode = +(seconds / opts.nodeSeconds).toFixed(2);
  console.log(`${tag}: ${opts.files.length} file(s), ${result.mb.toFixed(0)} MB, rows shown after ${seconds.toFixed(1)} s` +
              `${vsNode} (${(bytes / 1e6 / seconds).toFixed(0)} MB/s over the whole analysis)`);
  console.log(`${tag}: progress bar: ${moving} distinct values over ${samples.length} samples, phases: ${[...phases].join(' + ') || '-'}`);
  console.log(`${tag}: ${rowsText}`);
  if (!last.error && !errors.length) {
    for (const probe of PROBES) {
      const ms = await runProbe(page, probe);
      peakKiB = Math.max(peakKiB, browserKiB());
      result[`${probe.name}Ms`] = ms === null ? null : Math.round(ms);
      console.log(`${tag}: ${probe.name} (${probe.what}): ` +
                  (ms === null ? 'n/a (the page has no such control)' : ms < 0 ? 'no change seen within 60 s' : `${ms.toFixed(0)} ms`));
    }
  }
  result.peakMiB = Math.round(peakKiB / 1024);
  console.log(`${tag}: memory of the browser's processes (PSS summed): ` +
              `${result.idleMiB} MiB with the page loaded, ${result.peakMiB} MiB at the peak`);
  const sample = samples.filter((s) => s.busy).map((s) => `${s.t.toFixed(1)}s ${(s.value * 100).toFixed(0)}% ${s.mem.toFixed(0)} MiB`);
  console.log(`${tag}: samples: ${sample.filter((_, i) => i % Math.max(1, Math.ceil(sample.length / 12)) === 0).join(', ')}`);
  if (last.error || errors.length) {
    console.log(`${tag}: ERROR: ${last.error || errors.join('; ')}`);
    result.error = last.error || errors.join('; ');
    status = 1;
  }
  console.log(`page-result ${JSON.stringify(result)}`);
} finally {
  await browser.close();
  server.close();
}
process.exit(status);
