// Issue 12, the page's two workers: the main worker's dispatcher and a helper's, each over its own
// wasm instance, joined by a MessageChannel as the page joins its two workers (connectHelper /
// serveMain, web/engine.js). Cut files, whole files handed over and threat intel kept in the main
// give the same results as one worker: every output format, the status (files, problems with their
// lines, summaries) and the rows of every view.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SITE, loadModule, loadEngineJs, requireFile } from './support.mjs';

const ex = (...p) => path.join(ROOT, 'examples', ...p);
const fx = (...p) => path.join(ROOT, 'tests/fixtures', ...p);
const file = (p, kind = 'auto') => ({ file: new File([fs.readFileSync(p)], path.basename(p)), kind });

// A Defender export whose command lines hold quoted commas and line breaks (every row of one agent),
// CRLF and LF, bad rows (their problems' lines must survive the cut), inbound rows, in no time order.
function hardCsv(rows, seed) {
  let x = BigInt(seed);
  const rnd = (n) => {
    x = (x * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number((x >> 33n) % BigInt(n));
  };
  const actions = ['ConnectionSuccess', 'ConnectionAttempt', 'InboundConnectionAccepted', 'ConnectionFound'];
  let s = 'Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,'
    + 'InitiatingProcessCommandLine,InitiatingProcessAccountName,LocalIP,LocalPort\r\n';
  for (let i = 0; i < rows; i++) {
    const dev = rnd(5), agent = rnd(4), minute = rnd(60 * 30);
    const day = 23 + Math.floor(minute / 1440), hh = Math.floor(minute / 60) % 24, mm = minute % 60;
    const ts = `2026-11-${day}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(rnd(60)).padStart(2, '0')}Z`;
    const cmd = agent === 1 ? '"agent.exe --x ""a,b""\nline two\nline three"' : `agent${agent}.exe`;
    let line = `${ts},ws-${dev},${actions[rnd(4)]},198.51.100.${1 + agent * 3 + rnd(2)},443,Public,agent${agent}.exe,${cmd},user${dev},10.0.0.${dev},3389`;
    const bad = rnd(40);
    if (bad === 0) line = 'yesterday' + line.slice(line.indexOf(','));
    else if (bad === 1) line += ',extra';
    s += line + (i % 2 ? '\n' : '\r\n');
  }
  return s;
}

async function dispatcherOf(Module, createDispatcher) {
  const pending = new Map();
  let nextId = 1;
  const asn = new Uint8Array(fs.readFileSync(requireFile(path.join(SITE, 'asn.bin'), 'asn.bin in the wasm build')));
  const d = createDispatcher({
    Module, asnDatabase: asn, sliceBytes: 65536,
    post: (msg) => {
      if (msg.type === 'progress' || !pending.has(msg.id)) return;
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result); else p.reject(Object.assign(new Error(msg.error.message), { error: msg.error }));
    },
  });
  return (type, payload = {}, transfer) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    d.handle({ id, type, ...payload }, transfer);
  });
}

let setup;
async function workers() {
  if (!setup) {
    setup = (async () => {
      const { createDispatcher } = await loadEngineJs();
      const one = await dispatcherOf(await loadModule(), createDispatcher);
      const main = await dispatcherOf(await loadModule(), createDispatcher);
      const helper = await dispatcherOf(await loadModule(), createDispatcher);  // a wasm instance of its own
      const channel = new MessageChannel();
      await helper('serveMain', { port: channel.port2 });
      await main('connectHelper', { port: channel.port1, mode: 'always' });
      return { one, main, channel };
    })();
  }
  return setup;
}

async function everything(request, files, { mode = 'seed', now = '' } = {}) {
  await request('setRule', { rule: { mode } });
  await request('setNow', { now });
  const summary = await request('setFiles', { files });
  const out = { status: summary.results, workers: summary.read && summary.read.workers };
  for (const format of ['jsonl', 'csv', 'json']) out[format] = (await request('render', { format })).text;
  out.views = {};
  for (const detection of summary.results.detectionOrder || Object.keys(summary.results.detections)) {
    out.views[detection] = await request('view', { request: { detection, offset: 0, limit: 100000 } });
  }
  return out;
}

async function same(name, makeFiles, options = {}) {
  const { one, main } = await workers();
  const a = await everything(one, makeFiles(), options);
  const b = await everything(main, makeFiles(), options);
  assert.ok(b.workers, `${name}: the helper was not used`);
  for (const format of ['jsonl', 'csv', 'json']) assert.equal(b[format], a[format], `${name}: ${format} differs`);
  assert.deepEqual(b.status, a.status, `${name}: status (files, problems, summaries) differs`);
  assert.deepEqual(b.views, a.views, `${name}: rows differ`);
  assert.ok(a.jsonl.length > 0 || a.status.files.length > 0, `${name}: nothing was read`);
  return b.workers;
}

const hard = hardCsv(20000, 99);

for (const mode of ['seed', 'beyond']) {
  test(`${mode}: a CSV with quoted line breaks across the cut gives one worker's results`, async () => {
    const w = await same('hard.csv', () => [{ file: new File([hard], 'hard.csv'), kind: 'auto' }], { mode });
    assert.equal(w.cut, 1);
    assert.equal(w.readAgain, 0);
  });
  test(`${mode}: the examples (events cut, intel in the main) with and without now`, async () => {
    const files = () => [file(ex('DeviceNetworkEvents.csv'), 'events'), file(ex('ThreatIntelligenceIndicator.csv'), 'intel')];
    assert.equal((await same('examples', files, { mode })).cut, 1);
    assert.equal((await same('examples now', files, { mode, now: '2026-11-24T12:00:00Z' })).cut, 1);
  });
  test(`${mode}: the scenario (sign-ins, events, intel, Zeek) and other shapes, cut or handed over whole`, async () => {
    const scenario = () => ['SigninLogs.csv', 'DeviceNetworkEvents.csv', 'ThreatIntelligenceIndicator.csv', 'conn.log']
      .map((n) => file(ex('scenario', n)));
    const s = await same('scenario', scenario, { mode });
    assert.ok(s.cut >= 2, JSON.stringify(s));  // the events CSV and conn.log
    // A one-document JSON and a sign-in log are never cut: the second goes whole to the helper.
    const shapes = () => [file(fx('json/defender_stream_crlf.jsonl')), file(fx('json/defender_graph_api.json')),
      file(ex('scenario', 'SigninLogs.csv')), { file: new File([hardCsv(500, 3)], 'small.csv'), kind: 'auto' },
      file(ex('scenario', 'conn.log'))];
    const t = await same('shapes', shapes, { mode });
    assert.ok(t.handedOver >= 1 && t.cut >= 1, JSON.stringify(t));
  });
}

// The scenario's conn.log with id.orig_h and id.resp_h swapped in its header and every record:
// read with the first log's layout, its records would mean something else.
function swappedConn(log) {
  return log.split('\n').map((line) => {
    const header = line.startsWith('#fields\t') || line.startsWith('#types\t');
    if (line === '' || (line[0] === '#' && !header)) return line;
    const f = line.split('\t');
    const k = header ? 1 : 0;
    [f[2 + k], f[4 + k]] = [f[4 + k], f[2 + k]];
    return f.join('\t');
  }).join('\n');
}

for (const mode of ['seed', 'beyond']) {
  test(`${mode}: concatenated Zeek logs, the second in another layout: cut, then read again whole by the main`, async () => {
    const log = fs.readFileSync(ex('scenario', 'conn.log'), 'utf8');
    const both = log + swappedConn(log);
    assert.notEqual(swappedConn(log), log);
    const w = await same('concatenated conn.log', () => [{ file: new File([both], 'conn.log'), kind: 'auto' }], { mode });
    assert.equal(w.cut, 0, JSON.stringify(w));  // counts the cut files merged
    assert.equal(w.readAgain, 1, JSON.stringify(w));
    // One log alone is cut and merged: nothing reads the whole file before the cut any more.
    const one = await same('conn.log', () => [{ file: new File([log], 'conn.log'), kind: 'auto' }], { mode });
    assert.equal(one.cut, 1, JSON.stringify(one));
    assert.equal(one.readAgain, 0, JSON.stringify(one));
  });
}

test('a helper that gives damaged bytes: the main reads the file itself, results unchanged', async () => {
  const { Engine } = await loadEngineJs();
  const Module = await loadModule();
  const e = new Engine(Module, '');
  e.beginPiece('x.csv', 'auto', '', 0);
  e.feed(new TextEncoder().encode(hard.slice(0, 1000)));
  e.endFile();
  assert.throws(() => e.importPiece(new Uint8Array([1, 2, 3])), (err) => err.code === 'bad-blob'
    && /aggregate blob damaged at byte 0: not an aggregate blob \(3 bytes\)/.test(err.message));
  assert.equal(e.mergePieces(1), false);  // one piece is no cut file: dropped
  assert.deepEqual(e.status('').files, []);
  e.delete();
});

test.after(() => { if (setup) setup.then(({ channel }) => { channel.port1.close(); channel.port2.close(); }); });
