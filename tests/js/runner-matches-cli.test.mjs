// The Node runner (wasm) prints exactly what the native CLI prints for the same input: stdout,
// stderr and exit status, byte for byte, for every output format.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { EXAMPLE_EVENTS, EXAMPLE_INTEL, GENERATOR, NATIVE_CLI, RUNNER, requireFile, run, runNative, runNode } from './support.mjs';

const FORMATS = ['jsonl', 'csv', 'json', 'table'];

function assertSameRun(args) {
  const native = runNative(args);
  const wasm = runNode(args);
  assert.equal(wasm.status, native.status, `exit status for ${args.join(' ')}; runner stderr: ${wasm.stderr}`);
  assert.ok(wasm.stdout.equals(native.stdout), `stdout differs for ${args.join(' ')}`);
  assert.ok(wasm.stderr.equals(native.stderr), `stderr differs for ${args.join(' ')}:\n--- native\n${native.stderr}\n--- runner\n${wasm.stderr}`);
  return native;
}

describe('Node runner vs native CLI', () => {
  let tmp;
  before(() => {
    requireFile(NATIVE_CLI, 'the native CLI');
    requireFile(RUNNER, 'the Node runner');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-runner-'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  for (const format of FORMATS) {
    test(`examples, --format ${format}`, () => {
      const native = assertSameRun(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', format]);
      assert.equal(native.status, 0);
      assert.ok(native.stdout.length > 0);
    });
  }

  test('examples as positional files (kind detected), --now, --quiet', () => {
    assertSameRun([EXAMPLE_INTEL, EXAMPLE_EVENTS, '--now', '2026-11-24T12:00:00Z', '--format', 'jsonl', '--quiet']);
  });

  test('a rule from --config, and --print-config', () => {
    const rule = path.join(tmp, 'rule.json');
    fs.writeFileSync(rule, JSON.stringify({ beaconMinConnections: 20, observationWindowMinutes: 30 }));
    assertSameRun(['--config', rule, '--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'csv']);
    assertSameRun(['--config', rule, '--print-config']);
    assertSameRun(['--print-config']);
  });

  test('beyond mode, an extra hosting list, a missing --asn-db', () => {
    for (const format of ['jsonl', 'json', 'table'])
      assertSameRun(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--mode', 'beyond', '--format', format]);
    const list = path.join(tmp, 'hosting.txt');
    fs.writeFileSync(list, 'AS14061 # DigitalOcean, again\nnot an ASN line\n');
    assertSameRun(['--events', EXAMPLE_EVENTS, '--hosting-list', list, '--format', 'csv']);
    assert.equal(assertSameRun(['--events', EXAMPLE_EVENTS, '--asn-db', path.join(tmp, 'no-such-asn.bin')]).status, 1);
    assert.equal(assertSameRun(['--events', EXAMPLE_EVENTS, '--mode', 'sideways']).status, 1);
  });

  test('gzip input (by magic bytes)', () => {
    const gz = path.join(tmp, 'events.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(EXAMPLE_EVENTS)));
    const plain = runNative(['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet']);
    const fromGz = assertSameRun(['--events', gz, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet']);
    assert.ok(fromGz.stdout.equals(plain.stdout), 'the gzipped example gives the same rows');
  });

  test('--output FILE writes the same bytes', () => {
    const a = path.join(tmp, 'native.csv'), b = path.join(tmp, 'runner.csv');
    const args = ['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'csv', '--quiet'];
    assert.equal(runNative([...args, '--output', a]).status, 0);
    assert.equal(runNode([...args, '--output', b]).status, 0);
    assert.ok(fs.readFileSync(a).equals(fs.readFileSync(b)));
  });

  test('usage errors and nothing-usable exit statuses match', () => {
    assert.equal(assertSameRun(['--bogus']).status, 1);
    assert.equal(assertSameRun(['--format', 'xml', EXAMPLE_EVENTS]).status, 1);
    assert.equal(assertSameRun(['--now', 'yesterday', EXAMPLE_EVENTS]).status, 1);
    assert.equal(assertSameRun([]).status, 1);
    const bad = path.join(tmp, 'bad-rule.json');
    fs.writeFileSync(bad, '{"beaconMinConnection": 3}');
    assert.equal(assertSameRun(['--config', bad, EXAMPLE_EVENTS]).status, 1);
    fs.writeFileSync(bad, '{"beaconMinConnections": ');
    assert.equal(assertSameRun(['--config', bad, EXAMPLE_EVENTS]).status, 1);
    assert.equal(assertSameRun(['--format', 'jsonl', path.join(tmp, 'missing.csv')]).status, 2);
    const empty = path.join(tmp, 'empty.csv');
    fs.writeFileSync(empty, '');
    assertSameRun(['--format', 'jsonl', empty]);
    assertSameRun(['--help']);
    assertSameRun(['--list-formats']);
  });

  describe('a generated export (vpshunt_gen --rows 20000 --groups 300 --seed 7)', () => {
    let events, intel;
    before(() => {
      requireFile(GENERATOR, 'vpshunt_gen (the native build makes it)');
      events = path.join(tmp, 'gen-events.csv');
      intel = path.join(tmp, 'gen-intel.csv');
      const r = run(GENERATOR, ['--rows', '20000', '--groups', '300', '--seed', '7', '--intel', intel, '--output', events]);
      assert.equal(r.status, 0, String(r.stderr));
    });
    for (const [format, mode] of [['jsonl', 'seed'], ['csv', 'seed'], ['json', 'seed'], ['jsonl', 'beyond']]) {
      test(`--format ${format} --mode ${mode}`, () => {
        const native = assertSameRun(['--events', events, '--intel', intel, '--format', format, '--mode', mode]);
        assert.equal(native.status, 0);
        if (format === 'jsonl' && mode === 'seed') assert.ok(native.stdout.toString().split('\n').length > 10, 'the generated export yields rows');
      });
    }
  });
});
