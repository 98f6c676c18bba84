// perspective's leak test: many analyses in one module must not grow the wasm heap once warm.
// Each round is a full Session life: create, read the example (events + intel), finish, render,
// detail (a collect pass), delete. Memory only grows in wasm, so a leak shows as growth.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { EXAMPLE_EVENTS, EXAMPLE_INTEL, loadEngineJs, loadModule } from './support.mjs';

const ROUNDS = 200;
const WARMUP = 20;

test(`${ROUNDS} analyses of the example leave the wasm heap size unchanged`, async () => {
  const Module = await loadModule();
  const { Engine } = await loadEngineJs();
  const events = new Uint8Array(fs.readFileSync(EXAMPLE_EVENTS));
  const intel = new Uint8Array(fs.readFileSync(EXAMPLE_INTEL));
  const half = events.length >> 1;

  const analyse = () => {
    const engine = new Engine(Module, '');
    try {
      engine.beginFile('DeviceNetworkEvents.csv', 'events');
      engine.feed(events.subarray(0, half));  // two chunks: records carried across the boundary
      engine.feed(events.subarray(half));
      engine.endFile();
      engine.beginFile('ThreatIntelligenceIndicator.csv', 'intel');
      engine.feed(intel);
      engine.endFile();
      let results = engine.finish();
      if (results.collectGroups && results.collectGroups.length) {
        engine.beginCollect(results.collectGroups);
        engine.beginFile('DeviceNetworkEvents.csv', 'events');
        engine.feed(events);
        engine.endFile();
        engine.endCollect();
        results = engine.finish();
      }
      assert.ok(results.rows.length > 0);
      engine.render('csv');
      assert.throws(() => engine.setRule('{"nope": 1}'));  // an error path each round too
      return results.rows.length;
    } finally {
      engine.delete();
    }
  };

  const rows = analyse();
  for (let i = 1; i < WARMUP; ++i) analyse();
  const warm = Module.HEAPU8.length;
  for (let i = 0; i < ROUNDS; ++i) assert.equal(analyse(), rows);
  const after = Module.HEAPU8.length;
  assert.equal(after, warm, `the wasm heap grew from ${warm} to ${after} bytes over ${ROUNDS} analyses`);
});
