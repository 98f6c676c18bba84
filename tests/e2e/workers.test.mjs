// Issue 12, the page's two workers, in real browsers: the same generated export (quoted line breaks
// in command lines, so that the cut must fall outside quotes) opened with ?workers=1 and ?workers=2
// shows the same rows, on the served site and in the single file from file:// (no cross-origin
// isolation in either: the workers share no memory). In Chromium the page's workers are counted.
// VPSHUNT_E2E_BROWSERS=chromium (or firefox) runs one browser only.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { BROWSERS, launchBrowser, serve } from './driver.mjs';
import { SITE, requireFile } from '../js/support.mjs';

const browsers = (process.env.VPSHUNT_E2E_BROWSERS || Object.keys(BROWSERS).join(',')).split(',').map((b) => b.trim()).filter(Boolean);

function generated(dir) {
  let x = 7n;
  const rnd = (n) => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number((x >> 33n) % BigInt(n));
  };
  const lines = ['Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,'
    + 'InitiatingProcessCommandLine,InitiatingProcessAccountName'];
  const base = Date.parse('2026-11-24T00:00:00Z');
  for (let i = 0; i < 30000; i++) {
    const agent = rnd(6), dev = rnd(9);
    const cmd = agent % 2 ? `"agent${agent}.exe --tag ""x,y""\nsecond line"` : `agent${agent}.exe -c`;
    lines.push(`${new Date(base + rnd(30 * 3600) * 1000).toISOString()},ws-${dev},ConnectionSuccess,`
      + `198.51.100.${1 + agent * 2 + rnd(2)},443,Public,agent${agent}.exe,${cmd},user${dev}`);
  }
  const file = path.join(dir, 'generated.csv');
  fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
  return file;
}

async function rowsWith(browser, url, input, counts) {
  const page = await browser.newPage();
  try {
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60000 });
    const since = await page.evaluate(() => Number(document.body.dataset.view || 0));
    await page.setInputFiles('#file-input', [input]);
    await page.waitForFunction((g) => Number(document.body.dataset.view || 0) > g && document.querySelector('#results-table table')
      && !document.querySelector('#results-table tr.loading'), since, { timeout: 120000 });
    const rows = await page.evaluate(async () => {
      const wrap = document.querySelector('#results-table .table-wrap');
      const total = Number(document.querySelector('#results-table table').getAttribute('aria-rowcount')) - 1;
      const out = [];
      const pause = () => new Promise((r) => setTimeout(r, 20));
      const deadline = Date.now() + 60000;
      wrap.scrollTop = 0;
      await pause();
      while (Date.now() < deadline) {
        while (wrap.querySelector('tr.loading') && Date.now() < deadline) await pause();
        for (const tr of wrap.querySelectorAll('tr.data:not(.loading)')) {
          const i = Number(tr.dataset.index);
          if (i < total && !out[i]) out[i] = Array.from(tr.children, (td) => td.textContent);
        }
        if (out.filter(Boolean).length >= total || wrap.scrollTop + wrap.clientHeight >= wrap.scrollHeight - 1) break;
        wrap.scrollTop += Math.max(1, wrap.clientHeight - 60);
        await pause();
      }
      return { total, rows: out };
    });
    if (counts && page.page && typeof page.page.workers === 'function') counts.push(page.page.workers().length);
    assert.deepEqual(page.errors, [], `${url}: no error`);
    return rows;
  } finally {
    await page.close();
  }
}

for (const name of browsers) {
  describe(`${name}: one worker and two give the same rows`, () => {
    let browser, server, dir, input, origin;
    before(async () => {
      requireFile(path.join(SITE, 'index.html'), 'the site (W/web/index.html)');
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-workers-'));
      input = generated(dir);
      server = await serve(SITE);
      origin = `http://127.0.0.1:${server.address().port}`;
      browser = await launchBrowser(name);
    });
    after(async () => {
      if (browser) await browser.close();
      if (server) server.close();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    test('the served site: ?workers=1 and ?workers=2', async () => {
      const counts = [];
      const one = await rowsWith(browser, `${origin}/?workers=1`, input, counts);
      const two = await rowsWith(browser, `${origin}/?workers=2`, input, counts);
      assert.ok(one.total > 10, `${one.total} rows`);
      assert.equal(two.total, one.total);
      assert.ok(one.rows.every(Boolean) && two.rows.every(Boolean), 'every row was drawn');
      assert.deepEqual(two.rows, one.rows);
      if (name === 'chromium') assert.deepEqual(counts, [1, 2], 'the page started one worker, then two');
    });

    test('the single file from file://: ?workers=1 and ?workers=2', async () => {
      const single = path.join(SITE, 'vpshunt.html');
      requireFile(single, 'the single-file page (W/web/vpshunt.html)');
      const copy = path.join(dir, 'vpshunt.html');
      fs.copyFileSync(single, copy);
      const url = pathToFileURL(copy).href;
      const one = await rowsWith(browser, `${url}?workers=1`, input);
      const two = await rowsWith(browser, `${url}?workers=2`, input);
      assert.ok(one.total > 10, `${one.total} rows`);
      assert.deepEqual(two.rows, one.rows);
    });
  });
}
