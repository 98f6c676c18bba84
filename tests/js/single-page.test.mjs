// The single-file page (W/web/vpshunt.html, scripts/build-single-page.mjs) as a file, without a
// browser: its Content-Security-Policy allows exactly its own inline scripts and styles (by hash)
// and nothing from anywhere, no element points at another file, and the data block holds exact
// copies of the site's vpshunt.wasm, asn.bin and every example file the page lists. The browsers'
// view of it (file://, every request refused) is tests/e2e/page.test.mjs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { SITE, requireFile } from './support.mjs';

const SINGLE_PAGE = path.join(SITE, 'vpshunt.html');
const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('the single-file page', () => {
  let html, csp, scripts, styles, data;

  before(() => {
    html = fs.readFileSync(requireFile(SINGLE_PAGE, 'the single-file page (W/web/vpshunt.html)'), 'utf8');
    const metas = [...html.matchAll(/<meta http-equiv="Content-Security-Policy" content="([^"]*)">/g)];
    assert.equal(metas.length, 1, 'one CSP meta tag');
    csp = Object.fromEntries(metas[0][1].split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    const blocks = [...html.matchAll(/<script type="application\/json" id="vpshunt-assets">([\s\S]*?)<\/script>/g)];
    assert.equal(blocks.length, 1, 'one data block');
    data = JSON.parse(blocks[0][1]);
  });

  test('the CSP allows its inline scripts and styles by hash, nothing else, and no connection at all', () => {
    assert.ok(scripts.length >= 1);
    assert.deepEqual(csp['script-src'], [...scripts.map(sha256), "'wasm-unsafe-eval'"]);
    assert.deepEqual(csp['style-src'], styles.map(sha256));
    assert.deepEqual(csp['default-src'], ["'none'"]);
    assert.deepEqual(csp['connect-src'], ["'none'"]);
    assert.deepEqual(csp['worker-src'], ['blob:']);
    assert.deepEqual(csp['img-src'], ['data:']);
    for (const d of ['object-src', 'base-uri', 'form-action']) assert.deepEqual(csp[d], ["'none'"], d);
    assert.ok(!/unsafe-inline|'unsafe-eval'|\*|https?:/.test(Object.values(csp).flat().join(' ')), 'no wildcard, host or unsafe-inline');
  });

  test('every script element is the data block or hashed inline code; no element points at another file', () => {
    const tags = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1].trim());
    assert.deepEqual(tags.filter((a) => a !== '' && a !== 'type="application/json" id="vpshunt-assets"'), []);
    // The markup outside the scripts (the scripts' text may hold such strings as data).
    const markup = html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');
    const refs = [...markup.matchAll(/<(\w+)\b[^>]*?\s(src|href)="([^"]*)"/g)].map((m) => `${m[1]} ${m[2]}=${m[3]}`);
    assert.deepEqual(refs.filter((r) => !/^a href=https:/.test(r) && !/=data:/.test(r)), []);
    assert.ok(!/<link rel="stylesheet"/.test(markup));
  });

  test('the data block holds exact copies of the module, asn.bin and every listed example', async () => {
    const { SCENARIOS } = await import(pathToFileURL(path.join(SITE, 'assets.js')).href);
    const listed = Object.values(SCENARIOS).flat().map((f) => f.path);
    assert.ok(listed.length >= 2);
    const wanted = ['vpshunt.wasm', 'asn.bin', ...listed];
    assert.deepEqual(Object.keys(data.files).sort(), [...new Set(wanted)].sort());
    for (const rel of wanted) {
      const entry = data.files[rel];
      const bytes = Buffer.from(entry.data, 'base64');
      const content = entry.encoding === 'gzip' ? zlib.gunzipSync(bytes) : bytes;
      assert.ok(['gzip', 'identity'].includes(entry.encoding), `${rel}: ${entry.encoding}`);
      assert.equal(entry.size, content.length, `${rel} size`);
      assert.ok(content.equals(fs.readFileSync(path.join(SITE, rel))), `${rel} is the site's file`);
    }
    assert.equal(data.files['asn.bin'].encoding, 'gzip', 'asn.bin compresses, so it is stored compressed');
  });

  test('the bundles are classic scripts holding none of the served site\'s loading code', () => {
    for (const text of [...scripts, data.worker]) {
      assert.ok(!/^\s*(import|export)\s/m.test(text), 'no ES module syntax');
      assert.ok(!text.includes('import.meta'), 'no import.meta');
    }
    for (const text of scripts) assert.ok(!text.includes('fetch('), 'the page bundle fetches nothing');
    assert.match(data.worker, /createDispatcher/, 'the worker bundle holds the protocol (engine.js)');
  });
});
