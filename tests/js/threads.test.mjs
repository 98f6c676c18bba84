// Issue 12, both cores: the native CLI gives the same bytes (results and per-file summaries) on one
// thread and on several, with the files cut into pieces (VPSHUNT_PIECE_BYTES makes the small
// examples cut), for every output format, both modes, with and without --now. Pieces of 64 KiB and
// whole files (the default 8 MiB pieces) have whole pages inside each MiB read, which the CLI drops
// from its mapping once read (madvise): a collect pass (beyond mode, --now) reads them again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, NATIVE_CLI, RUNNER, requireFile, run } from './support.mjs';

const ex = (...p) => path.join(ROOT, 'examples', ...p);
const sets = {
  examples: ['--events', ex('DeviceNetworkEvents.csv'), '--intel', ex('ThreatIntelligenceIndicator.csv')],
  scenario: ['--events', ex('scenario/DeviceNetworkEvents.csv'), '--events', ex('scenario/SigninLogs.csv'),
    '--intel', ex('scenario/ThreatIntelligenceIndicator.csv'), '--events', ex('scenario/conn.log')],
};

function cli(args, threads, pieceBytes) {
  const env = { ...process.env };
  if (pieceBytes) env.VPSHUNT_PIECE_BYTES = String(pieceBytes);
  const r = run(requireFile(NATIVE_CLI, 'the native CLI'), [...args, '--threads', String(threads)], { env });
  assert.ok(r.status === 0, `exit ${r.status}: ${r.stderr}`);
  assert.ok(r.stdout.length > 0, 'no output');
  return r;
}

for (const [name, files] of Object.entries(sets)) {
  for (const mode of ['seed', 'beyond']) {
    for (const format of ['jsonl', 'json', 'csv', 'table']) {
      for (const now of [null, '2026-11-24T12:00:00Z']) {
        test(`${name} ${mode} ${format}${now ? ' --now' : ''}: --threads 1 and --threads 2 agree byte for byte`, () => {
          const args = [...files, '--mode', mode, '--format', format, ...(now ? ['--now', now] : [])];
          const one = cli(args, 1);
          for (const [threads, piece] of [[2, 4096], [3, 999], [2, 65536], [2, undefined]]) {
            const many = cli(args, threads, piece);
            assert.ok(one.stdout.equals(many.stdout), `results differ on ${threads} threads (pieces of ${piece} B)`);
            assert.equal(many.stderr.toString(), one.stderr.toString(), `summaries differ on ${threads} threads`);
          }
        });
      }
    }
  }
}

test('--threads takes a number of threads', () => {
  const r = run(requireFile(NATIVE_CLI, 'the native CLI'), [...sets.examples, '--threads', '0']);
  assert.equal(r.status, 1);
  assert.match(r.stderr.toString(), /--threads needs a number of threads \(1-64\), found "0"/);
  const help = run(NATIVE_CLI, ['--help']);
  assert.match(help.stdout.toString(), /--threads N/);
});

// --- the Node runner's --threads 2: a second wasm instance in a worker thread (wasm/runner.mjs) ---
// Byte for byte the native CLI's output on one thread, results and summaries: a CSV and a Zeek log
// cut in two (one half read by each instance), a gzip file handed whole to the helper while the main
// thread reads the file before it, threat intel and the files the helper may not read (missing, a
// directory) read by the main thread. VPSHUNT_HELPER_STATS proves the helper read what it should.

function runnerThreads(args, threads) {
  const statsFile = path.join(os.tmpdir(), `vpshunt-helper-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  const r = run(process.execPath, [requireFile(RUNNER, 'the Node runner'), ...args, '--threads', String(threads)],
    // A helper thread left running keeps the runner alive: such a run fails here (ETIMEDOUT), not hangs.
    { env: { ...process.env, VPSHUNT_HELPER_STATS: statsFile }, timeout: 120000 });
  let stats = null;
  if (fs.existsSync(statsFile)) {
    stats = JSON.parse(fs.readFileSync(statsFile, 'utf8'));
    fs.unlinkSync(statsFile);
  }
  return { r, stats };
}

const gzDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-threads-'));
const gz = path.join(gzDir, 'conn.log.gz');
fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(ex('scenario/conn.log'))));
const nodeSets = {
  // cut: DeviceNetworkEvents.csv and conn.log; read here: SigninLogs.csv (not cut, and the file
  // after it is intel), the intel
  scenario: { args: sets.scenario, cut: 2, handedOver: 0 },
  // read here: the missing file, the directory, and the gzip file (the file after it may not go
  // to the helper)
  'missing, directory, gzip': {
    args: ['--events', ex('DeviceNetworkEvents.csv'), '--events', gz, '--events', path.join(gzDir, 'absent.csv'),
      '--events', gzDir, '--intel', ex('ThreatIntelligenceIndicator.csv')],
    cut: 1, handedOver: 0,
  },
  // SigninLogs.csv read here while the helper reads the gzip file
  'gzip handed over': { args: ['--events', ex('scenario/SigninLogs.csv'), '--events', gz], cut: 0, handedOver: 1 },
};
for (const [name, { args: files, cut, handedOver }] of Object.entries(nodeSets)) {
  for (const mode of ['seed', 'beyond']) {
    for (const format of ['jsonl', 'table']) {
      for (const now of [null, '2026-11-24T12:00:00Z']) {
        test(`Node runner ${name} ${mode} ${format}${now ? ' --now' : ''}: --threads 2 writes the native CLI's bytes`, () => {
          const args = [...files, '--mode', mode, '--format', format, ...(now ? ['--now', now] : [])];
          const native = run(requireFile(NATIVE_CLI, 'the native CLI'), [...args, '--threads', '1']);
          const { r, stats } = runnerThreads(args, 2);
          assert.equal(r.status, native.status, r.stderr.toString());
          assert.ok(native.stdout.length > 0, 'no output');
          assert.ok(r.stdout.equals(native.stdout), 'results differ from the native CLI');
          assert.equal(r.stderr.toString(), native.stderr.toString(), 'summaries differ from the native CLI');
          assert.deepEqual(stats, { cut, handedOver, readAgain: 0 }, 'the helper did not read what it should');
          const one = runnerThreads(args, 1);
          assert.equal(one.stats, null, '--threads 1 started a helper');
          assert.ok(one.r.stdout.equals(native.stdout), '--threads 1 differs');
        });
      }
    }
  }
}

test('Node runner: the helper is not started for small inputs by default', () => {
  const { r, stats } = runnerThreads(sets.examples.concat(['--format', 'jsonl']), 2);
  assert.equal(r.status, 0);
  assert.notEqual(stats, null, '--threads 2 must start the helper');
  const env = { ...process.env, VPSHUNT_HELPER_STATS: path.join(gzDir, 'default.json') };
  const d = run(process.execPath, [RUNNER, ...sets.examples, '--format', 'jsonl'], { env });
  assert.equal(d.status, 0);
  assert.ok(!fs.existsSync(path.join(gzDir, 'default.json')), 'inputs under 64 MiB are read by one instance by default');
  assert.ok(d.stdout.equals(r.stdout));
});

test('Node runner: a bad --asn-db after the helper started is a usage error, as the CLI says it', () => {
  const args = [...sets.examples, '--asn-db', path.join(gzDir, 'absent.bin')];
  const native = run(requireFile(NATIVE_CLI, 'the native CLI'), [...args, '--threads', '1']);
  const { r } = runnerThreads(args, 2);
  assert.equal(native.status, 1);
  assert.equal(r.status, 1, 'the runner must exit (the helper thread stopped), with status 1');
  assert.match(r.stderr.toString(), /cannot open .*absent\.bin/);
  assert.equal(r.stderr.toString(), native.stderr.toString());
});
