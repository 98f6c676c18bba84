// The page's KQL export in Chromium: "Copy KQL" puts the query of the rule in force on the clipboard
// (the native CLI's text for the same rule and target), "Download .kql" saves it, a tuned threshold
// shows in the query, and a row's detail offers its pivot queries with their own Copy buttons.
// The clipboard: the context is granted clipboard-read and clipboard-write (playwright's
// BrowserContext.grantPermissions); 127.0.0.1 is a secure context, so navigator.clipboard works.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { chromium } from 'playwright-core';

import { EXAMPLE_EVENTS, EXAMPLE_INTEL, SITE, parseJsonl, requireFile, runNative } from '../js/support.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml',
};
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];

function serve(root) {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const cli = (args) => String(runNative(['--export-kql', ...args]).stdout);

describe('the page: KQL export', () => {
  let server, browser, context, page, origin;
  const pageErrors = [];

  before(async () => {
    requireFile(path.join(SITE, 'index.html'), 'the site (W/web/index.html)');
    server = await serve(SITE);
    origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1400, height: 1000 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${origin}/`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.click('#settings summary');
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.close();
  });

  const clipboard = () => page.evaluate(() => navigator.clipboard.readText());
  async function copyKql() {
    await page.evaluate(() => navigator.clipboard.writeText(''));
    await page.click('#kql-copy');
    await page.waitForFunction(() => /^Copied/.test(document.getElementById('kql-message').textContent), null, { timeout: 15000 });
    return clipboard();
  }

  test('Copy KQL puts the seed query of the rule in force on the clipboard, for each target', async () => {
    assert.equal(await copyKql(), cli([]));
    assert.equal(await page.inputValue('#kql-text'), cli([]));  // and shows it
    for (const target of ['defender', 'adx', 'sentinel']) {
      await page.selectOption('#kql-target', target);
      assert.equal(await copyKql(), cli(['--target', target]), target);
    }
  });

  test('a tuned threshold is in the copied query, which the CLI gives for the exported rule', async () => {
    await page.fill('#rule-beaconMinConnections', '23');
    await page.click('#rule-apply');
    await page.waitForFunction(() => document.getElementById('rule-message').textContent !== '', null, { timeout: 15000 });
    const tuned = await copyKql();
    assert.ok(tuned.includes('let BeaconMinConnections = 23;'));
    // The rule in force as the page exports it, through the CLI: the same query.
    const [ruleFile] = await Promise.all([page.waitForEvent('download'), page.click('#rule-export')]);
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-kql-e2e-')), 'rule.json');
    fs.copyFileSync(await ruleFile.path(), config);
    assert.equal(tuned, cli(['--config', config]));
    await page.fill('#rule-beaconMinConnections', '12');
    await page.click('#rule-apply');
    await page.waitForFunction(() => /12/.test(document.getElementById('rule-beaconMinConnections').value));
  });

  test('beyond mode and the Sentinel TI table switch are the rule in force too', async () => {
    await page.check('#mode-beyond');
    await page.waitForFunction(() => /^Beyond the seed/.test(document.getElementById('rule-message').textContent), null, { timeout: 15000 });
    assert.equal(await copyKql(), cli(['--mode', 'beyond']));
    await page.selectOption('#kql-ti-table', 'ThreatIntelIndicators');
    await page.waitForFunction(() => !document.getElementById('kql-ti-table').disabled);
    const successor = await copyKql();
    assert.ok(successor.includes('    ThreatIntelIndicators\n'));
    assert.ok(!successor.includes('ThreatIntelligenceIndicator'));
    await page.selectOption('#kql-ti-table', 'ThreatIntelligenceIndicator');
    await page.check('#mode-seed');
    await page.waitForFunction(() => /^Seed rule/.test(document.getElementById('rule-message').textContent), null, { timeout: 15000 });
    assert.equal(await copyKql(), cli([]));
  });

  test('Download .kql saves the same text', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#kql-download')]);
    assert.equal(download.suggestedFilename(), 'vpshunt-beacon-sentinel.kql');
    const file = await download.path();
    assert.equal(fs.readFileSync(file, 'utf8'), cli([]));
  });

  test("a row's detail offers its pivots; each Copy KQL puts that query on the clipboard", async () => {
    const rows = parseJsonl(runNative(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet']).stdout);
    await page.setInputFiles('#file-input', [EXAMPLE_EVENTS, EXAMPLE_INTEL]);
    await page.waitForFunction((n) => document.querySelectorAll('#results-body tr').length === n, rows.length, { timeout: 30000 });
    await page.click('#results-body tr:first-child');
    await page.waitForSelector('#kql-pivots details[data-pivot="process-tree"]', { timeout: 30000 });
    const ids = await page.$$eval('#kql-pivots details', (ds) => ds.map((d) => d.dataset.pivot));
    assert.deepEqual(ids, ['process-tree', 'binary', 'address-fleet', 'network', 'account-signins']);
    const first = rows[0];
    for (const id of ids) {
      await page.evaluate(() => navigator.clipboard.writeText(''));
      await page.click(`#kql-pivots details[data-pivot="${id}"] button`);
      await page.waitForFunction((i) => document.querySelector(`#kql-pivots details[data-pivot="${i}"] .hint`).textContent.includes('Copied'),
        id, { timeout: 10000 });
      const text = await clipboard();
      const shown = await page.textContent(`#kql-pivots details[data-pivot="${id}"] pre`);
      assert.equal(text, shown, id);
      assert.ok(text.startsWith('// '), id);
    }
    const fleet = await page.textContent('#kql-pivots details[data-pivot="address-fleet"] pre');
    assert.ok(fleet.includes(`let Address = ${JSON.stringify(first.RemoteIP)};`));
    const tree = await page.textContent('#kql-pivots details[data-pivot="process-tree"] pre');
    assert.ok(tree.includes(`let Device = ${JSON.stringify(first.DeviceName)};`));
    await page.click('#detail-close');
  });

  test('the page threw nothing', () => {
    assert.deepEqual(pageErrors, []);
  });
});
