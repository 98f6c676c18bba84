// One small page interface over two browser drivers, so that the same test bodies run in Chromium
// (npm playwright-core, over CDP) and in Firefox ESR (npm puppeteer-core, over WebDriver BiDi).
//
//   const browser = await launchBrowser('chromium' | 'firefox');
//   const page = await browser.newPage({ only: URL | null, downloads: DIR });
//   ... page.goto / click / fill / $$eval / waitForFunction / download / addInitScript ... (playwright's
//   names and argument order; see TestPage below) ...
//   await browser.close();
//   const server = await serve(DIR);   // a static server for the served site
//
// Every page records what the tests assert on: `requests` (every URL the page and its worker asked
// for, as the driver saw it), `errors` (uncaught exceptions and console errors), `dialogs` (alert()
// and the like, dismissed), and `violations()` (Content-Security-Policy violations the document
// reported). With `only`, every request but that URL is refused (aborted) before it leaves.
//
// The browsers come from Debian (/usr/bin/chromium, /usr/bin/firefox-esr; scripts/setup.sh installs
// both); neither npm package downloads one. Firefox gets a dead proxy for everything that is not
// localhost, so that nothing it or the page might try can reach a network even if a request slipped
// past the interception.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';
import puppeteer from 'puppeteer-core';

export const BROWSERS = {
  chromium: '/usr/bin/chromium',
  firefox: '/usr/bin/firefox-esr',
};
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic'];
const FIREFOX_PREFS = {
  'network.proxy.type': 1,
  'network.proxy.http': '127.0.0.1', 'network.proxy.http_port': 9,
  'network.proxy.ssl': '127.0.0.1', 'network.proxy.ssl_port': 9,
  'network.proxy.no_proxies_on': 'localhost, 127.0.0.1',
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  // kql.test.mjs: navigator.clipboard without the paste prompt (Firefox's own testing switch).
  'dom.events.testing.asyncClipboard': true,
};
const VIEWPORT = { width: 1400, height: 1000 };

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json', '.bin': 'application/octet-stream', '.svg': 'image/svg+xml',
};

// A static server for `root` on 127.0.0.1 (a free port: server.address().port). `hidden`: paths
// answered with 404 (e.g. /asn.bin, to run the page without hosting attribution).
export function serve(root, hidden = []) {
  const server = http.createServer((req, res) => {
    let rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (hidden.includes(rel) || !file.startsWith(root) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Installed before any of the page's scripts: CSP violations are events on the document, and a
// violation the page did not expect would otherwise show only on the browser's console.
function recordViolations() {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push(`${e.effectiveDirective || e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
  });
}

export async function launchBrowser(name) {
  const executablePath = BROWSERS[name];
  if (!executablePath) throw new Error(`no browser named ${name} (known: ${Object.keys(BROWSERS).join(', ')})`);
  if (!fs.existsSync(executablePath)) throw new Error(`${executablePath} not found: run scripts/setup.sh (it installs ${name === 'firefox' ? 'firefox-esr' : 'chromium'})`);
  if (name === 'chromium') {
    const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
    return {
      name,
      version: browser.version(),
      async newPage(options = {}) { return PlaywrightPage.open(browser, options); },
      close: () => browser.close(),
    };
  }
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath, protocol: 'webDriverBiDi', headless: true, extraPrefsFirefox: FIREFOX_PREFS,
  });
  return {
    name,
    version: await browser.version(),
    async newPage(options = {}) { return PuppeteerPage.open(browser, options); },
    close: () => browser.close(),
  };
}

// The methods the tests use, with playwright's semantics; PlaywrightPage forwards them, and
// PuppeteerPage builds the ones puppeteer lacks or names differently.
class TestPage {
  constructor() {
    this.requests = [];
    this.errors = [];
    this.dialogs = [];
  }
  textContent(selector) { return this.$eval(selector, (e) => e.textContent); }
  violations() { return this.evaluate(() => window.__violations || ['the CSP recorder did not run']); }
  waitForTimeout(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }
}

class PlaywrightPage extends TestPage {
  static async open(browser, { only = null, downloads = null } = {}) {
    const self = new PlaywrightPage();
    self.context = await browser.newContext({ acceptDownloads: true, viewport: VIEWPORT });
    self.downloads = downloads;
    self.context.on('request', (r) => self.requests.push(r.url()));  // the page's and its worker's
    if (only) await self.context.route('**/*', (route) => (route.request().url() === only ? route.continue() : route.abort()));
    await self.context.addInitScript(recordViolations);
    self.page = await self.context.newPage();
    self.page.on('dialog', (d) => { self.dialogs.push(d.message()); d.dismiss(); });
    self.page.on('pageerror', (e) => self.errors.push(`uncaught: ${e.message}`));
    self.page.on('console', (m) => { if (m.type() === 'error') self.errors.push(`console: ${m.text()}`); });
    return self;
  }
  addInitScript(fn) { return this.page.addInitScript(fn); }
  goto(url) { return this.page.goto(url); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  $eval(selector, fn, arg) { return this.page.$eval(selector, fn, arg); }
  $$eval(selector, fn, arg) { return this.page.$$eval(selector, fn, arg); }
  click(selector, options) { return this.page.click(selector, options); }
  fill(selector, value) { return this.page.fill(selector, value); }
  check(selector) { return this.page.check(selector); }
  uncheck(selector) { return this.page.uncheck(selector); }
  isChecked(selector) { return this.page.isChecked(selector); }
  isHidden(selector) { return this.page.isHidden(selector); }
  isVisible(selector) { return this.page.isVisible(selector); }
  inputValue(selector) { return this.page.inputValue(selector); }
  setInputFiles(selector, files) { return this.page.setInputFiles(selector, files); }
  waitForSelector(selector, options) { return this.page.waitForSelector(selector, options); }
  waitForFunction(fn, arg, options) { return this.page.waitForFunction(fn, arg, options); }
  screenshot(file) { return this.page.screenshot({ path: file, fullPage: true }); }
  // The text of the file that clicking `selector` downloads.
  async download(selector) {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.page.click(selector)]);
    return fs.readFileSync(await download.path(), 'utf8');
  }
  close() { return this.context.close(); }
}

class PuppeteerPage extends TestPage {
  static async open(browser, { only = null, downloads = null } = {}) {
    const self = new PuppeteerPage();
    self.downloads = downloads || fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-e2e-downloads-'));
    self.context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: self.downloads } });
    self.page = await self.context.newPage();
    await self.page.setViewport(VIEWPORT);
    await self.page.evaluateOnNewDocument(recordViolations);
    // Interception is on for every page, so that each request is seen (and, with `only`, refused).
    await self.page.setRequestInterception(true);
    self.page.on('request', (r) => {
      self.requests.push(r.url());
      if (only && r.url() !== only) r.abort();
      else r.continue();
    });
    self.page.on('dialog', (d) => { self.dialogs.push(d.message()); d.dismiss(); });
    self.page.on('pageerror', (e) => self.errors.push(`uncaught: ${e.message}`));
    self.page.on('console', (m) => { if (m.type() === 'error') self.errors.push(`console: ${m.text()}`); });
    return self;
  }
  addInitScript(fn) { return this.page.evaluateOnNewDocument(fn); }
  goto(url) { return this.page.goto(url); }
  evaluate(fn, arg) { return this.page.evaluate(fn, arg); }
  $eval(selector, fn, arg) { return this.page.$eval(selector, fn, arg); }
  $$eval(selector, fn, arg) { return this.page.$$eval(selector, fn, arg); }
  async click(selector, { modifiers = [] } = {}) {
    for (const key of modifiers) await this.page.keyboard.down(key);
    try {
      // A virtual table redraws its rows as it scrolls, and scrolling the element into view can
      // replace the very node puppeteer found: find it again (playwright's click retries likewise).
      for (let attempt = 1; ; ++attempt) {
        try {
          await this.page.click(selector);
          break;
        } catch (e) {
          if (attempt >= 5 || !/not clickable|detached|not an Element/i.test(String(e && e.message))) throw e;
          await this.waitForTimeout(50);
        }
      }
    } finally {
      for (const key of modifiers) await this.page.keyboard.up(key);
    }
  }
  // As a person would, so that the page sees its input events (puppeteer's fill('') empties the field
  // without any).
  async fill(selector, value) {
    await this.page.focus(selector);
    await this.page.keyboard.down('Control');
    await this.page.keyboard.press('a');
    await this.page.keyboard.up('Control');
    await this.page.keyboard.press('Backspace');
    if (value) await this.page.keyboard.type(value);
  }
  async check(selector) { if (!(await this.isChecked(selector))) await this.click(selector); }
  async uncheck(selector) { if (await this.isChecked(selector)) await this.click(selector); }
  isChecked(selector) { return this.$eval(selector, (e) => e.checked); }
  inputValue(selector) { return this.$eval(selector, (e) => e.value); }
  // Playwright's visibility: a non-empty box and not visibility:hidden.
  isVisible(selector) {
    return this.page.evaluate((s) => {
      const e = document.querySelector(s);
      if (!e) return false;
      const box = e.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && getComputedStyle(e).visibility !== 'hidden';
    }, selector);
  }
  async isHidden(selector) { return !(await this.isVisible(selector)); }
  async setInputFiles(selector, files) {
    const input = await this.page.$(selector);
    await input.uploadFile(...files);
  }
  waitForSelector(selector, { timeout } = {}) { return this.page.waitForSelector(selector, { visible: true, timeout }); }
  waitForFunction(fn, arg, { timeout } = {}) { return this.page.waitForFunction(fn, { timeout, polling: 50 }, arg); }
  screenshot(file) { return this.page.screenshot({ path: file, fullPage: true }); }
  // Puppeteer has no download event: the file appears in the context's download folder, complete
  // once Firefox has renamed it from its .part name.
  async download(selector, { timeout = 30000 } = {}) {
    const before = new Set(fs.readdirSync(this.downloads));
    await this.click(selector);
    const deadline = Date.now() + timeout;
    for (;;) {
      const fresh = fs.readdirSync(this.downloads).filter((f) => !before.has(f) && !f.endsWith('.part'));
      const partial = fs.readdirSync(this.downloads).some((f) => f.endsWith('.part'));
      if (fresh.length && !partial) return fs.readFileSync(path.join(this.downloads, fresh[0]), 'utf8');
      if (Date.now() > deadline) throw new Error(`no download appeared in ${this.downloads} within ${timeout} ms`);
      await this.waitForTimeout(50);
    }
  }
  close() { return this.context.close(); }
}
