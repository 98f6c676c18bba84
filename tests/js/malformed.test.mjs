// The malformed-input corpus (tests/fixtures/malformed, listed in its EXPECTED.txt) through both
// front ends in one run together with a good export: the native CLI and the Node runner print the
// same bytes on stdout and stderr, every malformed file's first problem is printed with its file,
// line and column (damaged gzip: with the file), and the good export's row still comes out.
// tests/core/unit-malformed.cpp checks the same corpus against the core directly.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ROOT, parseJsonl, runNative, runNode } from './support.mjs';

const CORPUS = 'tests/fixtures/malformed';

function expectations() {
  const out = new Map();
  for (const line of fs.readFileSync(path.join(ROOT, CORPUS, 'EXPECTED.txt'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [file, where, message] = line.split('\t');
    out.set(file, where === '-' ? null : { where, message });
  }
  return out;
}

function corpusFiles() {
  const files = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(path.join(ROOT, CORPUS, dir), { withFileTypes: true })) {
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (rel !== 'EXPECTED.txt') files.push(rel);
    }
  };
  walk('');
  return files.sort();
}

describe('the malformed corpus, with a good export in the same run', () => {
  let tmp, good, args;
  const expected = expectations();
  const files = corpusFiles();
  before(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-malformed-'));
    good = path.join(tmp, 'good.csv');
    const lines = ['Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessAccountName'];
    for (let i = 0; i < 12; ++i)
      lines.push(`2026-11-24T10:${String(i).padStart(2, '0')}:00Z,ws-1,ConnectionSuccess,45.32.100.7,443,Public,beacon.exe,beacon.exe -x,alice`);
    fs.writeFileSync(good, lines.join('\n') + '\n');
    args = [];
    for (const f of files) {
      const folder = f.split('/')[0];
      if (folder !== 'gzip') args.push('--format-of', `${CORPUS}/${f}=${folder}`);  // gzip/: detected
    }
    args.push(...files.map((f) => `${CORPUS}/${f}`), good);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  test('every file of the corpus is listed in EXPECTED.txt', () => {
    assert.ok(files.length >= 40, `${files.length} files`);
    for (const f of files) assert.ok(expected.has(f), `${f} has no line in EXPECTED.txt`);
    for (const f of expected.keys()) assert.ok(files.includes(f), `EXPECTED.txt names ${f}, which does not exist`);
  });

  for (const format of ['jsonl', 'json']) {
    test(`--format ${format}: the CLI and the Node runner print the same bytes; every problem is located; the good row comes out`, () => {
      const native = runNative(['--format', format, ...args]);
      const node = runNode(['--format', format, ...args]);
      assert.equal(node.status, native.status);
      assert.equal(native.status, 0, String(native.stderr));
      assert.ok(node.stdout.equals(native.stdout), 'stdout differs between the CLI and the Node runner');
      assert.equal(node.stderr.toString(), native.stderr.toString(), 'stderr differs between the CLI and the Node runner');

      const stderr = native.stderr.toString();
      for (const [f, e] of expected) {
        if (!e) continue;
        const located = e.where === '0:0' ? `${CORPUS}/${f}: ${e.message}` : `${CORPUS}/${f}:${e.where}: ${e.message}`;
        assert.ok(stderr.includes(located), `stderr lacks "${located}"`);
      }
      const rows = format === 'jsonl' ? parseJsonl(native.stdout) : JSON.parse(native.stdout).detections.beacon.rows;
      assert.ok(rows.some((r) => r.RemoteIP === '45.32.100.7' && r.ConnectionCount === 12), 'the good export\'s beacon row is missing');
      if (format === 'json') {
        const reports = JSON.parse(native.stdout).files;
        assert.equal(reports.length, files.length + 1);
        const last = reports[reports.length - 1];
        assert.equal(last.kept, 12);
      }
    });
  }
});
