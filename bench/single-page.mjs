// The single-file page (W/web/vpshunt.html): its size, what it holds, and how long it takes to become
// interactive in Chromium and in Firefox ESR, next to the served site. Not a pass/fail test.
//
//   node bench/single-page.mjs [--runs N] [--browsers chromium,firefox] [--screenshots DIR]
//
// Start-up is measured inside the page: performance.now() (0 = navigation start) at the moment
// app.js sets body[data-ready="true"], i.e. the worker has compiled the wasm module, loaded asn.bin
// and answered `init`, and "Load example" works. Each run opens a fresh browser context (no cache).
// The single file is opened from file:// in an empty folder with every other request refused, the
// site from a local server on 127.0.0.1. "Load example" is the time from the click to the status
// line "Analysed 2 file(s)". Prints the median and the range over the runs (default 5).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

import { launchBrowser, serve } from '../tests/e2e/driver.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = process.env.VPSHUNT_WASM_BUILD || 'W';
const SITE = path.join(path.isAbsolute(build) ? build : path.join(ROOT, build), 'web');
const SINGLE_PAGE = path.join(SITE, 'vpshunt.html');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const runs = Number(option('--runs', '5'));
const browsers = option('--browsers', 'chromium,firefox').split(',');
const screenshots = option('--screenshots', '');
if (!fs.existsSync(SINGLE_PAGE)) {
  console.error(`single-page: ${SINGLE_PAGE} not found: build the wasm tree first (it writes vpshunt.html)`);
  process.exit(2);
}

// --- size -----------------------------------------------------------------------------------------
const html = fs.readFileSync(SINGLE_PAGE, 'utf8');
const MiB = (n) => `${(n / 1048576).toFixed(2)} MiB`;
const KiB = (n) => `${(n / 1024).toFixed(0)} KiB`;
const block = /<script type="application\/json" id="vpshunt-assets">([\s\S]*?)<\/script>/.exec(html);
const data = JSON.parse(block[1]);
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].reduce((n, m) => n + Buffer.byteLength(m[1]), 0);
const size = fs.statSync(SINGLE_PAGE).size;
console.log(`vpshunt.html: ${size.toLocaleString('en-US')} bytes (${MiB(size)}); gzipped for transfer ${MiB(zlib.gzipSync(html).length)}`);
console.log(`  page script ${KiB(scripts)}, worker script ${KiB(Buffer.byteLength(data.worker))}`);
for (const [rel, f] of Object.entries(data.files)) {
  console.log(`  ${rel}: ${KiB(f.size)} -> ${KiB(f.data.length)} as base64${f.encoding === 'gzip' ? ' of its gzip' : ''}`);
}
const siteBytes = ['index.html', 'app.js', 'assets.js', 'engine.js', 'worker.js', 'style.css', 'vpshunt.js', 'vpshunt.wasm', 'asn.bin',
  ...Object.keys(data.files).filter((f) => f.startsWith('examples/'))].reduce((n, f) => n + (fs.existsSync(path.join(SITE, f)) ? fs.statSync(path.join(SITE, f)).size : 0), 0);
console.log(`  (the same files served: ${MiB(siteBytes)})`);

// --- start-up ---------------------------------------------------------------------------------------
function watchReady() {
  new MutationObserver(() => {
    if (!window.__readyAt && document.body && document.body.dataset.ready === 'true') window.__readyAt = performance.now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-ready'] });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = (xs) => `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-bench-single-'));
const single = path.join(dir, 'vpshunt.html');
fs.copyFileSync(SINGLE_PAGE, single);
const singleUrl = pathToFileURL(single).href;
const server = await serve(SITE);
const servedUrl = `http://127.0.0.1:${server.address().port}/`;

console.log(`\nstart-up to an interactive page (median of ${runs}, range), and "Load example":`);
try {
  for (const name of browsers) {
    const browser = await launchBrowser(name);
    try {
      for (const [label, url, only] of [['single file, file://', singleUrl, singleUrl], ['served site, http  ', servedUrl, null]]) {
        const ready = [];
        const example = [];
        for (let i = 0; i < runs; ++i) {
          const page = await browser.newPage({ only });
          try {
            await page.addInitScript(watchReady);
            await page.goto(url);
            await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
            ready.push(await page.evaluate(() => window.__readyAt));
            example.push(await page.evaluate(() => new Promise((resolve) => {
              const t0 = performance.now();
              document.querySelector('#load-example').click();
              const poll = () => (/Analysed 2 file/.test(document.querySelector('#status').textContent)
                ? resolve(performance.now() - t0) : setTimeout(poll, 5));
              poll();
            })));
            if (screenshots && i === 0) {
              fs.mkdirSync(screenshots, { recursive: true });
              await page.screenshot(path.join(screenshots, `${name}-${only ? 'single' : 'served'}.png`));
            }
            if (page.errors.length) console.log(`  ${name} ${label}: errors: ${page.errors.join(' | ')}`);
          } finally {
            await page.close();
          }
        }
        console.log(`  ${name.padEnd(8)} ${browser.version.padEnd(18)} ${label}: interactive ${summary(ready)}; Load example ${summary(example)}`);
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(`\n${os.cpus().length} cores (${os.cpus()[0].model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
