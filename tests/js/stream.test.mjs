// Streaming output across the boundary: renderEach hands the UTF-8 of render() in pieces of about
// 1 MiB (csv and jsonl made row by row in the core), and status() is refresh() without the store.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { GENERATOR, loadEngineJs, loadModule, requireFile } from './support.mjs';

test('renderEach pieces add up to render(), status() counts the rows refresh() keeps', async () => {
  requireFile(GENERATOR, 'the native generator vpshunt_gen');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vpshunt-stream-'));
  const file = path.join(tmp, 'events.csv');
  // Dense enough for thousands of rows: more than one 1 MiB piece of jsonl.
  const gen = spawnSync(GENERATOR, ['--rows', '300000', '--groups', '400', '--seed', '3', '--output', file]);
  assert.equal(gen.status, 0, String(gen.stderr));
  const Module = await loadModule();
  const { Engine } = await loadEngineJs();
  const engine = new Engine(Module, '');
  try {
    engine.setNow('2026-11-24T14:00:00Z');
    engine.beginFile('events.csv', 'events');
    engine.feed(new Uint8Array(fs.readFileSync(file)));
    engine.endFile();
    const status = engine.status();
    const full = engine.refresh();
    assert.equal(status.detections.beacon.rowCount, full.detections.beacon.rowCount);
    assert.ok(full.detections.beacon.rowCount > 1000, `expected many rows, got ${full.detections.beacon.rowCount}`);
    assert.deepEqual(status.files, full.files);
    assert.ok(full.storeBytes > 0);
    for (const format of ['jsonl', 'csv', 'table', 'json']) {
      const pieces = [];
      engine.renderEach(format, (bytes) => pieces.push(Buffer.from(bytes)));  // copied: views die with the call
      const text = Buffer.concat(pieces).toString('utf8');
      assert.equal(text, engine.render(format), `${format}: the pieces are render()'s text`);
      if (format === 'jsonl') {
        assert.ok(pieces.length > 1, 'a large result comes in more than one piece');
        for (const p of pieces) assert.ok(p.length < 2 * 1024 * 1024, `a piece of ${p.length} bytes`);
      }
    }
  } finally {
    engine.delete();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
