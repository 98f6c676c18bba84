// The page in Chromium on a large export: how long the analysis takes, whether the progress bar
// moves while it runs, and how much memory the tab's processes hold at the end. Not a pass/fail test.
//
//   node bench/page.mjs FILE [FILE...]      (bench/run.sh runs it with BENCH_PAGE=1 on a ~2 GB export)
//
// Serves W/web (or $VPSHUNT_WASM_BUILD/web) on 127.0.0.1, opens it in Debian's Chromium through
// playwright-core, hands FILE(s) to the file input and waits for the result count. Every 250 ms it
// samples the progress bar (value and text). At the end it prints: seconds, MB/s, the number of
// distinct progress values seen (a moving bar shows many), the result count, and the resident
// memory (PSS) of the browser's processes (the worker holding the wasm heap included), from /proc,
// before the file is given and at the peak.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = process.env.VPSHUNT_WASM_BUILD || 'W';
const SITE = path.join(path.isAbsolute(build) ? build : path.join(ROOT, build), 'web');
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.bin': 'application/octet-stream', '.csv': 'text/csv; charset=utf-8' };
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node bench/page.mjs FILE [FILE...]');
  process.exit(2);
}
if (!fs.existsSync(path.join(SITE, 'index.html'))) {
  console.error(`page: ${SITE}/index.html not found: build the wasm tree first`);
  process.exit(2);
}
const bytes = files.reduce((n, f) => n + fs.statSync(f).size, 0);

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

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
let status = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
  const samples = [];
  let peakKiB = 0;
  const idleKiB = treeRssKiB(process.pid) - treeRssKiB(process.pid, false);
  const started = Date.now();
  await page.setInputFiles('#file-input', files);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const s = await page.evaluate(() => ({
      busy: !document.getElementById('progress').hidden,
      value: document.getElementById('progress-bar').value,
      text: document.getElementById('progress-text').textContent,
      rows: document.getElementById('row-count').textContent,
      error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
    }));
    // Chromium's processes are this process's descendants: their memory is the tree's less ours.
    peakKiB = Math.max(peakKiB, treeRssKiB(process.pid) - treeRssKiB(process.pid, false));
    samples.push({ t: (Date.now() - started) / 1000, mem: (treeRssKiB(process.pid) - treeRssKiB(process.pid, false)) / 1024, ...s });
    if (!s.busy && /rows?\b/.test(s.rows) && samples.length > 2) break;
    if (s.error || errors.length) break;
    if (Date.now() - started > 30 * 60 * 1000) throw new Error('gave up after 30 minutes');
  }
  const seconds = (Date.now() - started) / 1000;
  const last = samples[samples.length - 1];
  const moving = new Set(samples.filter((s) => s.busy).map((s) => s.value.toFixed(3))).size;
  const phases = new Set(samples.filter((s) => s.busy).map((s) => (/Second pass/.test(s.text) ? 'collect' : 'read')));
  console.log(`page: ${files.length} file(s), ${(bytes / 1e6).toFixed(0)} MB, ${seconds.toFixed(1)} s in all (${(bytes / 1e6 / seconds).toFixed(0)} MB/s over the whole analysis)`);
  console.log(`page: progress bar: ${moving} distinct values over ${samples.length} samples, phases: ${[...phases].join(' + ')}`);
  console.log(`page: ${last.rows.trim().split('\n')[0]}`);
  console.log(`page: memory of the browser's processes (PSS summed): ` +
              `${(idleKiB / 1024).toFixed(0)} MiB with the page loaded, ${(peakKiB / 1024).toFixed(0)} MiB at the peak`);
  const sample = samples.filter((s) => s.busy).map((s) => `${s.t.toFixed(1)}s ${(s.value * 100).toFixed(0)}% ${s.mem.toFixed(0)} MiB`);
  console.log(`page: samples: ${sample.filter((_, i) => i % Math.max(1, Math.ceil(sample.length / 12)) === 0).join(', ')}`);
  if (last.error || errors.length) {
    console.log(`page: ERROR: ${last.error || errors.join('; ')}`);
    status = 1;
  }
} finally {
  await browser.close();
  server.close();
}
process.exit(status);
