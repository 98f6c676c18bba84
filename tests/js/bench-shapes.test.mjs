// The benchmark's inputs and its peer (bench/run.sh): every vpshunt_gen shape is deterministic and read
// whole by vpshunt, the default shape's bytes have not moved, and the seed rule as DuckDB SQL
// (bench/seed-rule.mjs, through @duckdb/node-api) finds exactly the beacon rows vpshunt finds on each
// shape, so the benchmark compares like with like. Small files; no timing.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';

import { GENERATOR, NATIVE_CLI, ROOT, parseJsonl, requireFile, run } from './support.mjs';

const NOW = '2026-11-24T14:00:00Z';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-bench-shapes-'));
const gen = (args) => {
  const r = run(requireFile(GENERATOR, 'the native generator vpshunt_gen'), args);
  assert.equal(r.status, 0, String(r.stderr));
  return String(r.stderr);
};
const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

// Sizes that give every shape seed rows on both sides of the threshold.
const SHAPES = [
  { shape: 'short', args: ['--bytes', '6M', '--groups', '600'], sql: 'defender', columns: 22 },
  { shape: 'full', args: ['--bytes', '16M', '--groups', '300'], sql: 'defender', columns: 45 },
  { shape: 'zeek', args: ['--bytes', '6M', '--groups', '600'], sql: 'zeek' },
  { shape: 'results', args: ['--groups', '20'], sql: 'defender', columns: 22 },
];

test('the default shape is byte-for-byte what it was (tests and the README depend on it)', () => {
  const file = path.join(tmp, 'default.csv');
  const ti = path.join(tmp, 'default-ti.csv');
  gen(['--rows', '20000', '--groups', '300', '--seed', '7', '--intel', ti, '--output', file]);
  // The hashes of the generator before --shape existed.
  assert.equal(sha256(file), '65227293ff0bd263b462c92451c2ee1e037f37a173a8cb7d04a9f19b215a00e8', 'events');
  assert.equal(sha256(ti), 'ef268af2e861d135bb9a979f381cbbd1622a74316c40d24be50b16da4e9dac85', 'intel');
});

describe('vpshunt_gen --shape', () => {
  for (const s of SHAPES) {
    test(`${s.shape}: same flags, same bytes; vpshunt reads every row and finds beacons`, () => {
      const file = path.join(tmp, `${s.shape}.csv`), again = path.join(tmp, `${s.shape}-again.csv`);
      const ti = path.join(tmp, `${s.shape}-ti.csv`);
      const summary = gen(['--shape', s.shape, ...s.args, '--intel', ti, '--output', file]);
      gen(['--shape', s.shape, ...s.args, '--output', again]);
      assert.equal(sha256(file), sha256(again), 'deterministic');
      const written = Number(/(\d+) rows,/.exec(summary)[1]);
      if (s.columns) {
        const header = fs.readFileSync(file, 'utf8').slice(0, 4096).split('\n')[0];
        assert.equal(header.split(',').length, s.columns, header);
      }
      const r = run(requireFile(NATIVE_CLI, 'the native CLI'), ['--events', file, '--intel', ti, '--now', NOW, '--format', 'jsonl']);
      assert.equal(r.status, 0, String(r.stderr));
      const report = String(r.stderr).split('\n').find((l) => l.startsWith(file));
      assert.match(report, new RegExp(`${written} records, \\d+ kept, 0 skipped`), report);
      const beacons = parseJsonl(r.stdout).filter((row) => row.Detection === undefined || row.Detection === 'beacon');
      assert.ok(beacons.length > 0, 'seed rows');
      assert.ok(beacons.some((row) => row.IsTIMatch) && beacons.some((row) => !row.IsTIMatch), 'with and without a TI match');
    });
  }
});

test('scan: N distinct sources, each connecting twice; every one an inbound row and an infrastructure row', () => {
  const file = path.join(tmp, 'scan.log'), again = path.join(tmp, 'scan-again.log');
  const summary = gen(['--shape', 'scan', '--groups', '700', '--output', file]);
  gen(['--shape', 'scan', '--groups', '700', '--output', again]);
  assert.equal(sha256(file), sha256(again), 'deterministic');
  assert.match(summary, /1400 rows,/);
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
  const sources = new Map();
  for (const l of lines) sources.set(l.split('\t')[2], (sources.get(l.split('\t')[2]) || 0) + 1);
  assert.equal(sources.size, 700, 'distinct sources');
  assert.ok([...sources.values()].every((n) => n === 2), 'each source twice');
  const r = run(requireFile(NATIVE_CLI, 'the native CLI'), ['--events', file, '--now', NOW, '--format', 'jsonl']);
  assert.equal(r.status, 0, String(r.stderr));
  assert.match(String(r.stderr), /1400 records, \d+ kept, 0 skipped/);
  const rows = parseJsonl(r.stdout);
  const inbound = rows.filter((row) => row.Detection === 'inbound');
  // Every source whose connections fall in the lookback (the span's first hour is before it).
  assert.ok(inbound.length >= 650 && inbound.length <= 700, `${inbound.length} inbound rows`);
  assert.ok(inbound.every((row) => sources.has(row.RemoteIP)));
  assert.equal(rows.filter((row) => row.Detection === 'infrastructure').length, inbound.length, 'one network per source');
});

describe('the seed rule as DuckDB SQL finds the rows vpshunt finds', async () => {
  let duckdb = null;
  try {
    duckdb = await import('@duckdb/node-api');
  } catch {
    // Visible, not silent: the package comes with `npm ci`.
    test('SKIP: @duckdb/node-api is not installed (npm ci)', () => {});
    return;
  }
  const { seedRuleQuery, setupStatements } = await import(path.join(ROOT, 'bench/seed-rule.mjs'));
  const cfg = run(requireFile(NATIVE_CLI, 'the native CLI'), ['--print-config']);
  const rule = JSON.parse(String(cfg.stdout));
  const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: '2' });
  const conn = await instance.connect();
  const key = (r, bin) => [bin, r.DeviceName || '', r.AccountName || '', r.InitiatingProcessFileName || '', r.InitiatingProcessCommandLine || '',
    r.RemoteIP, Number(r.ConnectionCount), Number(r.UniqueRemotePorts), Boolean(r.IsTIMatch), Number(r.RiskScore)].join('|');
  for (const s of SHAPES) {
    test(`${s.shape}`, async () => {
      const file = path.join(tmp, `${s.shape}.csv`), ti = path.join(tmp, `${s.shape}-ti.csv`);
      if (!fs.existsSync(file)) gen(['--shape', s.shape, ...s.args, '--intel', ti, '--output', file]);
      const r = run(NATIVE_CLI, ['--events', file, '--intel', ti, '--now', NOW, '--format', 'jsonl', '--quiet']);
      assert.equal(r.status, 0, String(r.stderr));
      const ours = parseJsonl(r.stdout).filter((row) => row.Detection === undefined || row.Detection === 'beacon')
        .map((row) => key(row, Date.parse(row.Timestamp)));
      for (const st of setupStatements(s.sql)) await conn.run(st);
      const reader = await conn.runAndReadAll(seedRuleQuery({ rule, shape: s.sql, events: file, intel: ti, now: NOW }));
      const theirs = reader.getRowObjectsJson().map((row) => key(row, Date.parse(String(row.Timestamp).replace(' ', 'T') + 'Z')));
      assert.ok(ours.length > 0);
      assert.deepEqual([...theirs].sort(), [...ours].sort());
      // The same order too, where the seed's sort decides it.
      const order = (keys) => keys.map((k) => k.split('|').slice(-1)[0] + '|' + k.split('|')[6]);
      assert.deepEqual(order(theirs), order(ours));
    });
  }
});
