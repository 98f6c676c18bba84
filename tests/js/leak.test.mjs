// perspective's leak test: many analyses in one module must not grow the wasm heap's *used* bytes
// once warm. The heap's total size (HEAPU8.length) only ever grows and a leak smaller than its free
// part never shows there, so the tests watch what the allocator has handed out and not had back
// (Engine.heapUsedBytes: dlmalloc's mallinfo().uordblks).
//
// Each round is a full Session life: create, read events (in two chunks: a record carried across
// the boundary) and intel, finish, a collect pass when needed, render, detail, an error path,
// delete. The smallest allocation dlmalloc makes is 16 bytes, so a leak of one allocation a round
// would add >= 16 x rounds bytes: far over the bound.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';

import { EXAMPLE_EVENTS, EXAMPLE_INTEL, loadEngineJs, loadModule } from './support.mjs';

const SMALL_ROUNDS = 10000;
const EXAMPLE_ROUNDS = 200;
const WARMUP = 50;
const BOUND = 8 * 1024;  // bytes the used heap may wander (allocator bookkeeping), far below 16 x rounds

function analyser(Module, Engine, events, intel) {
  const half = events.length >> 1;
  return () => {
    const engine = new Engine(Module, '');
    try {
      engine.beginFile('DeviceNetworkEvents.csv', 'events');
      engine.feed(events.subarray(0, half));
      engine.feed(events.subarray(half));
      engine.endFile();
      engine.beginFile('ThreatIntelligenceIndicator.csv', 'intel');
      engine.feed(intel);
      engine.endFile();
      let results = engine.status();
      if (results.collectGroups && results.collectGroups.length) {
        engine.beginCollect(results.collectGroups);
        engine.beginFile('DeviceNetworkEvents.csv', 'events');
        engine.feed(events);
        engine.endFile();
        engine.endCollect();
      }
      results = engine.refresh();
      const rows = results.detections.beacon.rowCount;
      assert.ok(rows > 0);
      const page = engine.view({ detection: 'beacon', sort: [{ column: 'ConnectionCount', desc: true }], filter: 'e', limit: 20 });
      engine.render('csv');
      engine.detail('beacon', page.rows[0]._key);
      assert.throws(() => engine.setRule('{"nope": 1}'));  // an error path each round too
      return rows;
    } finally {
      engine.delete();
    }
  };
}

// Runs `analyse` `rounds` times after a warm-up; the used heap after every round stays within BOUND
// of the warm value.
function assertBounded(Module, Engine, analyse, rounds, onWarm = () => {}) {
  const rows = analyse();
  for (let i = 1; i < WARMUP; ++i) analyse();
  onWarm();
  const warm = Engine.heapUsedBytes(Module);
  assert.ok(warm > 0, 'heapUsedBytes reports the allocator');
  let high = warm;
  for (let i = 0; i < rounds; ++i) {
    assert.equal(analyse(), rows);
    const used = Engine.heapUsedBytes(Module);
    if (used > high) high = used;
  }
  const after = Engine.heapUsedBytes(Module);
  assert.ok(high - warm <= BOUND, `the used wasm heap rose from ${warm} to ${high} bytes over ${rounds} analyses`);
  assert.ok(after - warm <= BOUND, `the used wasm heap went from ${warm} to ${after} bytes over ${rounds} analyses`);
}

// A beacon (14 connections a minute apart, one TI match) in the export's own columns: small enough
// for 10,000 rounds in a few seconds.
function smallExport() {
  const lines = ['Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,RemoteIPType,InitiatingProcessFileName,InitiatingProcessCommandLine,InitiatingProcessAccountName'];
  for (let i = 0; i < 14; ++i) {
    const t = new Date(Date.UTC(2026, 10, 24, 13, 0, 0) + i * 60000).toISOString();
    lines.push(`${t},ws-1,ConnectionSuccess,51.79.163.250,443,Public,rundll32.exe,"""rundll32.exe"" x.dll,Start",alice`);
  }
  const intel = 'TimeGenerated,ThreatType,Description,ConfidenceScore,Active,NetworkIP\n' +
    '2026-11-23T12:00:00Z,C2,"Sliver C2, VPS",90,True,51.79.163.250\n';
  return { events: new TextEncoder().encode(lines.join('\n') + '\n'), intel: new TextEncoder().encode(intel) };
}

test(`${SMALL_ROUNDS} small analyses leave the used wasm heap bounded`, async () => {
  const Module = await loadModule();
  const { Engine } = await loadEngineJs();
  const { events, intel } = smallExport();
  assertBounded(Module, Engine, analyser(Module, Engine, events, intel), SMALL_ROUNDS);
});

test(`${EXAMPLE_ROUNDS} analyses of the example leave the used wasm heap bounded and its size unchanged`, async () => {
  const Module = await loadModule();
  const { Engine } = await loadEngineJs();
  const events = new Uint8Array(fs.readFileSync(EXAMPLE_EVENTS));
  const intel = new Uint8Array(fs.readFileSync(EXAMPLE_INTEL));
  let size = 0;
  assertBounded(Module, Engine, analyser(Module, Engine, events, intel), EXAMPLE_ROUNDS, () => { size = Module.HEAPU8.length; });
  assert.equal(Module.HEAPU8.length, size, 'the wasm heap grew');
});
