// Builds the single-file page: one HTML file holding the page, the worker, the wasm module, the
// IP -> ASN data and the bundled examples, which works opened from disk (file://) with no server
// and no network. Run by the wasm build (wasm/wasm.cmake) once the site exists:
//
//   node scripts/build-single-page.mjs W/web W/web/vpshunt.html
//
// SITE is the built site (index.html and what it references, worker.js, vpshunt.js, vpshunt.wasm,
// asn.bin, examples/). What it does:
//   * the page's module script(s) (<script type="module" src>) and the worker (worker.js) are bundled
//     by esbuild into classic scripts (IIFE): Chromium refuses module scripts and module workers from a
//     file:// page (origin null), but runs inline classic scripts and a worker from a blob: URL;
//   * globalThis.VPSHUNT_SINGLE_FILE is defined as true, so web/assets.js reads the inline data instead of URLs;
//   * vpshunt.wasm, asn.bin and every file that assets.js's SCENARIOS lists go into one
//     <script type="application/json" id="vpshunt-assets"> block as base64, gzip-compressed when
//     that makes them smaller (the browser's DecompressionStream undoes it);
//   * stylesheets (<link rel="stylesheet" href>) become <style> elements;
//   * the Content-Security-Policy becomes the single file's own: nothing may load from anywhere
//     (default-src 'none'), inline scripts and styles only by their sha256 hashes, the worker only
//     from blob:, no connect-src at all.
// Anything it does not recognise (a local file referenced another way, a script text that could end
// its <script> element early) stops the build with a message rather than writing a page that fetches.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

// The worker's entry: assets.js creates the served site's worker from './worker.js' too.
const WORKER_ENTRY = 'worker.js';
// The worker's inputs, inlined beside the examples (assets.js knows them by these paths).
const WORKER_INPUTS = ['vpshunt.wasm', 'asn.bin'];
// Compressed data is kept only when it saves at least this share (base64 text of an already
// compressed file would only grow, and un-gzipping costs start-up time).
const MIN_SAVING = 0.1;

function fail(message) {
  console.error(`build-single-page: ${message}`);
  process.exit(1);
}

const [siteArg, outArg] = process.argv.slice(2);
if (!siteArg || !outArg) fail('usage: node scripts/build-single-page.mjs SITE_DIR OUTPUT.html');
const site = path.resolve(siteArg);
const output = path.resolve(outArg);
const sitePath = (rel) => path.join(site, rel);
function readSite(rel, what) {
  const file = sitePath(rel);
  if (!fs.existsSync(file)) fail(`${what}: ${file} is missing (run the wasm build first: see wasm/wasm.cmake)`);
  return fs.readFileSync(file);
}

let esbuild;
try {
  esbuild = await import('esbuild');
} catch (e) {
  fail(`cannot load esbuild (${e.message}): run \`npm ci\` in the repository (it is a devDependency)`);
}

async function bundle(entry) {
  const result = await esbuild.build({
    entryPoints: [sitePath(entry)],
    absWorkingDir: site,  // the bundles' path comments, and so their hashes, do not depend on the caller's folder
    bundle: true,
    format: 'iife',
    write: false,
    charset: 'utf8',
    // Drops the served site's branches (module worker, fetches) from the bundles; readable otherwise,
    // so that a reviewer can read what runs.
    minifySyntax: true,
    legalComments: 'inline',
    define: {
      'globalThis.VPSHUNT_SINGLE_FILE': 'true',
      // Emscripten's factory takes its own URL from import.meta.url, which a classic script lacks;
      // with wasmBinary given it never uses it to fetch.
      'import.meta.url': 'location.href',
    },
    logLevel: 'silent',
  }).catch((e) => fail(`esbuild failed on ${entry}:\n${(e.errors || []).map((m) => `  ${m.text}`).join('\n') || e.message}`));
  if (result.warnings.length) fail(`esbuild warned on ${entry}:\n${result.warnings.map((m) => `  ${m.text}`).join('\n')}`);
  return result.outputFiles[0].text;
}

// Text inside <script> or <style> ends at the first "</script" / "</style"; "<!--" inside a script
// changes how the HTML parser looks for that end. esbuild escapes such sequences inside strings; this
// check makes sure nothing else produced one.
function checkInlineText(text, what, tag) {
  const lower = text.toLowerCase();
  for (const bad of [`</${tag}`, '<!--']) {
    const at = lower.indexOf(bad);
    if (at >= 0) fail(`${what} holds "${text.slice(at, at + 20)}" at offset ${at}: it would end or confuse its <${tag}> element`);
  }
  return text;
}
const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

function encodeFile(rel, what, extra = {}) {
  const raw = readSite(rel, what);
  const gz = zlib.gzipSync(raw, { level: 9 });
  const useGzip = gz.length <= raw.length * (1 - MIN_SAVING);
  return { encoding: useGzip ? 'gzip' : 'identity', size: raw.length, ...extra, data: (useGzip ? gz : raw).toString('base64') };
}

// --- the page ---------------------------------------------------------------------------------
let html = readSite('index.html', 'the page').toString('utf8');

const styles = [];
html = html.replace(/<link rel="stylesheet" href="([^"]+)">\n?/g, (_, href) => {
  const css = checkInlineText(readSite(href, `stylesheet ${href}`).toString('utf8'), href, 'style');
  // A url() or @import would name another file, which the policy (and file://) would refuse.
  const ref = /@import|url\(\s*(?!["']?data:)/i.exec(css);
  if (ref) fail(`${href} refers to another file (${css.slice(ref.index, ref.index + 40)}...): inline it as a data: URL`);
  styles.push(css);
  return `<style>${styles.at(-1)}</style>\n`;
});

const pageEntries = [];
html = html.replace(/<script type="module" src="([^"]+)"><\/script>\n?/g, (_, src) => {
  pageEntries.push(src);
  return '';
});
if (pageEntries.length === 0) fail('index.html has no <script type="module" src="..."> to bundle');
const pageScripts = [];
for (const entry of pageEntries) {
  const text = checkInlineText(await bundle(entry), `the bundle of ${entry}`, 'script');
  // The served site's branches (module worker, fetch of examples/) must have been folded away; a
  // leftover means assets.js's SINGLE_FILE constant no longer folds (see its comment).
  for (const served of ['fetch(', 'import.meta', "type: \"module\""]) {
    if (text.includes(served)) fail(`the bundle of ${entry} still holds ${served}: the served site's code was not dropped from it`);
  }
  pageScripts.push(text);
}
const workerSource = await bundle(WORKER_ENTRY);

// --- the data -----------------------------------------------------------------------------------
const { SCENARIOS } = await import(pathToFileURL(sitePath('assets.js')).href);
const files = {};
for (const rel of WORKER_INPUTS) files[rel] = encodeFile(rel, `the worker's input ${rel}`);
for (const [name, list] of Object.entries(SCENARIOS)) {
  for (const { path: rel, type } of list) {
    if (!files[rel]) files[rel] = encodeFile(rel, `${rel} (scenario "${name}" in assets.js)`, type ? { type } : {});
  }
}
// "<" as \u003c: the JSON cannot then end its <script> element, whatever the worker's source holds.
const dataBlock = JSON.stringify({ worker: workerSource, files }).replace(/</g, '\\u003c');

// --- Content-Security-Policy --------------------------------------------------------------------
// The JSON block is data (type="application/json" is never executed), so it needs no hash. The
// worker from a blob: URL inherits this policy: 'wasm-unsafe-eval' lets it compile the module.
const csp = [
  "default-src 'none'",
  `script-src ${pageScripts.map(sha256).join(' ')} 'wasm-unsafe-eval'`,
  'worker-src blob:',
  "connect-src 'none'",
  'img-src data:',
  `style-src ${styles.map(sha256).join(' ') || "'none'"}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const cspTag = /<meta http-equiv="Content-Security-Policy" content="[^"]*">/;
if (!cspTag.test(html)) fail('index.html has no <meta http-equiv="Content-Security-Policy" content="..."> to replace');
html = html.replace(cspTag, () => `<meta http-equiv="Content-Security-Policy" content="${csp}">`);

const bodyEnd = html.lastIndexOf('</body>');
if (bodyEnd < 0) fail('index.html has no </body>');
// At the end of <body>: the module scripts ran after parsing; these classic scripts run there too,
// after the data block they read.
const tail = `<script type="application/json" id="vpshunt-assets">${dataBlock}</script>\n` +
  pageScripts.map((s) => `<script>${s}</script>\n`).join('');
html = html.slice(0, bodyEnd) + tail + html.slice(bodyEnd);

// Nothing may point at another file any more: only data: URLs and links a person clicks remain.
const markup = html.slice(0, bodyEnd);
for (const m of markup.matchAll(/<(script|link|img|iframe|source|embed|object|audio|video)\b[^>]*\b(src|href|data)="([^"]*)"/gi)) {
  if (!m[3].startsWith('data:')) fail(`the page still references ${m[3]} (<${m[1]} ${m[2]}=...>): inline it or teach this script about it`);
}

const temp = `${output}.tmp-${process.pid}`;
fs.writeFileSync(temp, html);
fs.renameSync(temp, output);

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
const parts = Object.entries(files).map(([rel, f]) => `${rel} ${kib(f.size)} -> ${kib(f.data.length)}${f.encoding === 'gzip' ? ' gz' : ''}`);
console.log(`build-single-page: ${path.relative(process.cwd(), output)} ${(Buffer.byteLength(html) / 1048576).toFixed(2)} MiB` +
  ` (page ${kib(pageScripts.reduce((n, s) => n + s.length, 0))}, worker ${kib(workerSource.length)}, ${parts.join(', ')})`);
