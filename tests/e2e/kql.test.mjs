// The page's KQL export in Chromium and Firefox ESR (VPSHUNT_E2E_BROWSERS=chromium or firefox runs
// one), on the served site and on the single file from file://:
// "Copy KQL" puts the query of the rule in force for the tab in view on the clipboard (the native
// CLI's text for the same rule, target and detection), "Download .kql" saves it, a tuned threshold
// shows in the query, a non-beacon tab exports its own detection, and a row's detail offers its
// pivot queries with their own Copy buttons (beacon on the example; inbound, signin and
// infrastructure on the training scenario, for Sentinel and Defender).
// The clipboard: Chromium's context is granted clipboard-read and clipboard-write (playwright's
// BrowserContext.grantPermissions); Firefox runs with its testing pref dom.events.testing.asyncClipboard
// (driver.mjs), which lets navigator.clipboard read without the paste prompt. Where the page cannot
// write it, it selects the query in its text box and says so; the test then reads the text box, so
// both paths compare the same text.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { BROWSERS, launchBrowser, serve } from './driver.mjs';
import { EXAMPLE_EVENTS, EXAMPLE_INTEL, ROOT, SITE, parseJsonl, requireFile, runNative } from '../js/support.mjs';

const SCENARIO = path.join(ROOT, 'examples/scenario');

const cli = (args) => {
  const r = runNative(['--export-kql', ...args]);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stdout);
};

// Chromium (playwright): the context's permissions. Firefox (puppeteer over BiDi) has no
// clipboard permission to grant: the driver's testing pref lets the page's clipboard calls through.
async function grantClipboard(page, origin) {
  if (page.context.grantPermissions)
    await page.context.grantPermissions(['clipboard-read', 'clipboard-write'], origin ? { origin } : {});
}

const browsers = (process.env.VPSHUNT_E2E_BROWSERS || Object.keys(BROWSERS).join(',')).split(',').map((b) => b.trim()).filter(Boolean);

const PAGES = {
  served: async (browser) => {
    requireFile(path.join(SITE, 'index.html'), 'the site (W/web/index.html)');
    const server = await serve(SITE);
    const origin = `http://127.0.0.1:${server.address().port}`;
    const page = await browser.newPage();
    await grantClipboard(page, origin);
    return { url: `${origin}/`, page, close: () => server.close() };
  },
  single: async (browser) => {
    const single = path.join(SITE, 'vpshunt.html');
    requireFile(single, 'the single-file page (W/web/vpshunt.html)');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-kql-single-'));
    const file = path.join(dir, 'vpshunt.html');
    fs.copyFileSync(single, file);
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ only: url });
    await grantClipboard(page, null);
    return { url, page, close: () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};

for (const browserName of browsers)
  describe(`the page: KQL export (${browserName})`, () => {
    let browser = null;
    before(async () => { browser = await launchBrowser(browserName); });
    after(async () => { if (browser) await browser.close(); });
    for (const kind of Object.keys(PAGES)) describe(kind, () => checks(() => browser, kind));
  });

function checks(theBrowser, kind) {
  let target, page;

  before(async () => {
    target = await PAGES[kind](theBrowser());
    page = target.page;
    await page.goto(target.url);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
    await page.click('#settings summary');
  });

  after(async () => {
    if (page) await page.close();
    if (target) target.close();
  });

  // A <select>'s value, as a user picks it (the driver has no selectOption: each driver's own page).
  const select = (selector, value) => (page.page.selectOption ? page.page.selectOption(selector, value) : page.page.select(selector, value));

  // A pivot's Copy KQL in the open detail view: the clipboard (or, where the page could not write
  // it, the selection it made instead) holds exactly the query shown.
  async function copyPivot(id) {
    await page.evaluate(() => navigator.clipboard.writeText('').catch(() => {}));
    await page.click(`#kql-pivots details[data-pivot="${id}"] button`);
    await page.waitForFunction((i) => /Copied|Selected/.test(document.querySelector(`#kql-pivots details[data-pivot="${i}"] .hint`).textContent),
      id, { timeout: 10000 });
    const shown = await page.textContent(`#kql-pivots details[data-pivot="${id}"] pre`);
    const status = await page.textContent(`#kql-pivots details[data-pivot="${id}"] .hint`);
    const text = status.includes('Copied') ? await page.evaluate(() => navigator.clipboard.readText())
      : await page.evaluate(() => String(window.getSelection()));
    assert.equal(text, shown, id);
    assert.ok(text.startsWith('// '), id);
  }

  // Copy KQL, then the text that was copied: the clipboard's, or (where the page could not write
  // it) the text box the page selected instead.
  async function copyKql() {
    const clipboard = await page.evaluate(() => navigator.clipboard.writeText('').then(() => true, () => false));
    await page.evaluate(() => { document.getElementById('kql-message').textContent = ''; });
    await page.click('#kql-copy');
    await page.waitForFunction(() => /^(Copied|The clipboard is not available)/.test(document.getElementById('kql-message').textContent),
      null, { timeout: 15000 });
    const message = await page.textContent('#kql-message');
    const shown = await page.inputValue('#kql-text');
    if (!message.startsWith('Copied')) return shown;
    assert.ok(clipboard, `${kind}: the page copied, so the clipboard is writable`);
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, shown, 'the copied text is the one shown');
    return copied;
  }

  // A tab shown as a user clicks it: its new view drawn (body[data-view] bumps once the table has
  // it). Until then the table still shows the old tab's rows, which open nothing when clicked.
  async function showTab(detection) {
    const since = await page.evaluate(() => Number(document.body.dataset.view || 0));
    assert.notEqual(await page.evaluate((d) => document.getElementById(`tab-${d}`).getAttribute('aria-selected'), detection), 'true',
      `${detection}: not the tab in view already (a click there draws no new view)`);
    await page.click(`#tab-${detection}`);
    await page.waitForFunction((d) => document.getElementById(`tab-${d}`).getAttribute('aria-selected') === 'true', detection);
    await page.waitForFunction((g) => Number(document.body.dataset.view || 0) > g, since, { timeout: 30000 });
  }

  // The first row's detail, once that row's page has arrived (a row still loading has no key),
  // opened from the keyboard (the table's one tab stop, Home, Enter): no pointer position that a
  // late layout change could move off the row. If no detail shows within 10 s the page's state is
  // printed and Enter pressed once more, so that a failure says what the page was doing.
  async function openFirstRow(pivot) {
    const shown = pivot ? `#kql-pivots details[data-pivot="${pivot}"]` : '#kql-pivots details';
    await page.waitForSelector('#results-table tr.data[data-key]', { timeout: 30000 });
    for (let attempt = 1; ; ++attempt) {
      await page.page.focus('#results-table tbody');
      await page.page.keyboard.press('Home');
      await page.page.keyboard.press('Enter');
      try {
        await page.waitForSelector(shown, { timeout: attempt === 1 ? 10000 : 30000 });
        return;
      } catch (e) {
        const state = await page.evaluate(() => ({
          tab: (document.querySelector('[role=tab][aria-selected=true]') || {}).id, view: document.body.dataset.view,
          active: (document.querySelector('#results-table tr.active') || {}).outerHTML?.slice(0, 160),
          detailHidden: document.getElementById('detail').hidden, status: document.getElementById('status').textContent,
          error: document.getElementById('error').hidden ? '' : document.getElementById('error').textContent,
          focus: document.activeElement && document.activeElement.tagName,
        }));
        console.log(`# ${kind}: no detail after Enter (attempt ${attempt}): ${JSON.stringify(state)}`);
        if (attempt >= 2) throw e;
      }
    }
  }

  test('Copy KQL gives the seed query of the rule in force, for each target', async () => {
    assert.equal(await copyKql(), cli([]));
    for (const t of ['defender', 'adx', 'sentinel']) {
      await select('#kql-target', t);
      assert.equal(await copyKql(), cli(['--target', t]), t);
    }
  });

  test('a tuned threshold is in the copied query, which the CLI gives for the exported rule', async () => {
    await page.fill('#rule-beaconMinConnections', '23');
    await page.click('#rule-apply');
    await page.waitForFunction(() => document.getElementById('rule-message').textContent !== '', null, { timeout: 15000 });
    const tuned = await copyKql();
    assert.ok(tuned.includes('let BeaconMinConnections = 23;'));
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-kql-e2e-')), 'rule.json');
    fs.writeFileSync(config, await page.download('#rule-export'));
    assert.equal(tuned, cli(['--config', config]));
    await page.fill('#rule-beaconMinConnections', '12');
    await page.click('#rule-apply');
    await page.waitForFunction(() => document.getElementById('rule-beaconMinConnections').value === '12');
    await page.waitForFunction(() => document.getElementById('rule-message').textContent !== '', null, { timeout: 15000 });
  });

  test('beyond mode and the Sentinel TI table switch are the rule in force too', async () => {
    await page.check('#mode-beyond');
    await page.waitForFunction(() => /^Beyond the seed/.test(document.getElementById('rule-message').textContent), null, { timeout: 15000 });
    assert.equal(await copyKql(), cli(['--mode', 'beyond']));
    await select('#kql-ti-table', 'ThreatIntelIndicators');
    await page.waitForFunction(() => !document.getElementById('kql-ti-table').disabled);
    const successor = await copyKql();
    assert.ok(successor.includes('    ThreatIntelIndicators\n'));
    assert.ok(!successor.includes('ThreatIntelligenceIndicator'));
    await select('#kql-ti-table', 'ThreatIntelligenceIndicator');
    await page.check('#mode-seed');
    await page.waitForFunction(() => /^Seed rule/.test(document.getElementById('rule-message').textContent), null, { timeout: 15000 });
    assert.equal(await copyKql(), cli([]));
  });

  test('Download .kql saves the same text', async () => {
    assert.equal(await page.download('#kql-download'), cli([]));
    assert.match(await page.textContent('#kql-message'), /vpshunt-beacon-sentinel\.kql/);
  });

  test('another tab exports its own detection: inbound and infrastructure on the example', async () => {
    await page.setInputFiles('#file-input', [EXAMPLE_EVENTS, EXAMPLE_INTEL]);
    await page.waitForSelector('#tab-inbound', { timeout: 30000 });
    for (const detection of ['inbound', 'infrastructure']) {
      await showTab(detection);
      const text = await copyKql();
      assert.equal(text, cli(['--detect', detection]), detection);
      assert.ok(text.startsWith(`// vpshunt: the "${detection}" detection as KQL`), detection);
      assert.equal(await page.download('#kql-download'), cli(['--detect', detection]));
      assert.match(await page.textContent('#kql-message'), new RegExp(`vpshunt-${detection}-sentinel\\.kql`));
      // Its rows have pivots of their own.
      await openFirstRow();
      assert.equal(await page.$$eval('#kql-pivots p.hint', (ps) => ps.length), 0, `${detection}: pivots, not "none yet"`);
      await page.click('#detail-close');
    }
    await select('#kql-target', 'defender');
    assert.equal(await copyKql(), cli(['--detect', 'infrastructure', '--target', 'defender']));
    await select('#kql-target', 'sentinel');
    await showTab('beacon');
    assert.equal(await copyKql(), cli([]));
  });

  test("a beacon row's detail offers its pivots; each Copy KQL puts that query on the clipboard", async () => {
    const rows = parseJsonl(runNative(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet']).stdout)
      .filter((r) => r.Detection === 'beacon');
    await openFirstRow('process-tree');
    const ids = await page.$$eval('#kql-pivots details', (ds) => ds.map((d) => d.dataset.pivot));
    assert.deepEqual(ids, ['process-tree', 'binary', 'address-fleet', 'network', 'account-signins']);
    for (const id of ids) await copyPivot(id);
    // The first row shown is the core's first beacon row (the same order).
    const fleet = await page.textContent('#kql-pivots details[data-pivot="address-fleet"] pre');
    assert.ok(fleet.includes(`let Address = ${JSON.stringify(rows[0].RemoteIP)};`), fleet.slice(0, 400));
    const tree = await page.textContent('#kql-pivots details[data-pivot="process-tree"] pre');
    assert.ok(tree.includes(`let Device = ${JSON.stringify(rows[0].DeviceName)};`));
    await page.click('#detail-close');
  });

  test('inbound, signin and infrastructure rows of the scenario offer their pivots; each Copy KQL copies the query shown', async () => {
    const files = ['DeviceNetworkEvents.csv', 'SigninLogs.csv', 'conn.log', 'ThreatIntelligenceIndicator.csv'].map((f) => path.join(SCENARIO, f));
    const rows = parseJsonl(runNative([...files.slice(0, 3), '--intel', files[3], '--format', 'jsonl', '--quiet']).stdout);
    await page.setInputFiles('#file-input', files);
    await page.waitForSelector('#tab-signin', { timeout: 30000 });
    const expected = {
      inbound: ['address-everywhere', 'logons-from-source', 'processes-after-contact', 'network', 'asn'],
      signin: ['user-signins', 'address-everywhere', 'network', 'asn'],
      infrastructure: ['network-everywhere', 'network-beacons', 'network-signins', 'asn'],
    };
    for (const target of ['sentinel', 'defender'])
      for (const detection of Object.keys(expected)) {
        await select('#kql-target', target);
        await showTab(detection);
        await openFirstRow();
        // The first row shown is the core's first row of the detection (a hosting row: it has an AS pivot).
        const first = rows.find((r) => r.Detection === detection);
        const ids = await page.$$eval('#kql-pivots details', (ds) => ds.map((d) => d.dataset.pivot));
        assert.deepEqual(ids, expected[detection], `${detection} ${target}`);
        for (const id of ids) await copyPivot(id);
        const head = await page.textContent(`#kql-pivots details[data-pivot="${ids[0]}"] pre`);
        if (detection === 'infrastructure') assert.ok(head.includes(`let Network = ${JSON.stringify(first.Network)};`), head.slice(0, 400));
        else if (detection === 'inbound') assert.ok(head.includes(`let Address = ${JSON.stringify(first.RemoteIP)};`), head.slice(0, 400));
        else assert.ok(head.includes(JSON.stringify((first.SuccessUsers.length ? first.SuccessUsers : first.Users)[0])), head.slice(0, 400));
        const h3 = await page.$$eval('#detail-body h3', (hs) => hs.map((h) => h.textContent).join('|'));
        assert.match(h3, target === 'defender' ? /Defender/ : /Sentinel/);
        await page.click('#detail-close');
      }
    await select('#kql-target', 'sentinel');
  });

  test('the page threw nothing', () => {
    assert.deepEqual(page.errors, []);
  });
}
