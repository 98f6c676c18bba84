// One suite, run twice: in-process (the dispatcher of web/engine.js called directly) and through a
// worker (a worker thread running the site's own web/worker.js). Both must give the native CLI's
// rows for the examples, handle rule changes with and without a re-read, and report errors as
// {error: {code, message}} values.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';

import { EXAMPLE_EVENTS, EXAMPLE_INTEL, fileFrom, inProcessClient, parseJsonl, runNative, workerClient } from './support.mjs';

const NOW = '2026-11-24T14:37:28.2012261Z';

function exampleFiles() {
  return [
    { file: fileFrom(EXAMPLE_EVENTS), name: 'DeviceNetworkEvents.csv', kind: 'events' },
    { file: fileFrom(EXAMPLE_INTEL), name: 'ThreatIntelligenceIndicator.csv', kind: 'intel' },
  ];
}

// Every row of every detection, in the core's order (detectionOrder, then each detection's own),
// paged out of the worker as the page does: what the CLI's jsonl holds.
async function allRows(client, summary) {
  const rows = [];
  for (const detection of summary.results.detectionOrder) {
    for (let offset = 0; ; offset += 500) {
      const page = await client.request('view', { request: { detection, offset, limit: 500 } });
      for (const r of page.rows) {
        const { _key, _index, ...row } = r;
        rows.push(row);
      }
      if (offset + page.rows.length >= page.matched) break;
    }
  }
  return rows;
}
const beaconRows = (rows) => rows.filter((r) => r.Detection === 'beacon');

async function expectError(promise, code) {
  await assert.rejects(promise, (e) => {
    assert.ok(e.error && typeof e.error.message === 'string' && e.error.message.length > 0, 'an {error: {message}} value');
    if (code) assert.equal(e.error.code, code, e.error.message);
    return true;
  });
}

for (const makeClient of [inProcessClient, workerClient]) {
  describe(`worker protocol (${makeClient.name})`, () => {
    let client, nativeRows, nativeCsv;
    before(async () => {
      client = await makeClient();
      const args = ['--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--quiet'];
      nativeRows = parseJsonl(runNative([...args, '--format', 'jsonl']).stdout);
      nativeCsv = runNative([...args, '--format', 'csv']).stdout.toString();
    });
    after(() => client.close());

    test('init lists formats and the seed rule', async () => {
      const info = await client.request('init');
      assert.ok(info.formats.some((f) => f.name === 'defender-csv'));
      assert.equal(info.rule.beaconMinConnections, 12);
      assert.deepEqual(info.rule, info.defaultRule);
    });

    test('addFiles gives the native CLI\'s rows, file reports and progress', async () => {
      client.progress.length = 0;
      const summary = await client.request('addFiles', { files: exampleFiles() });
      assert.deepEqual(await allRows(client, summary), nativeRows);
      assert.deepEqual(summary.results.detectionOrder, ['beacon', 'inbound', 'signin', 'infrastructure']);
      assert.equal(summary.results.detections.beacon.rowCount, beaconRows(nativeRows).length);
      assert.ok(summary.results.detections.beacon.columns.some((c) => c.name === 'RiskScore' && c.type === 'int'));
      assert.equal(summary.results.rows, undefined, 'no row crosses in a summary');
      assert.equal(summary.results.now, NOW);
      assert.deepEqual(summary.results.files.map((f) => [f.path, f.kind, f.format, f.fatal]),
        [['DeviceNetworkEvents.csv', 'events', 'defender-csv', false], ['ThreatIntelligenceIndicator.csv', 'intel', 'sentinel-ti-csv', false]]);
      assert.equal(summary.results.files[0].records, 3691);
      assert.ok(summary.read.bytes > 1_000_000);
      const last = client.progress.filter((p) => p.file === 'DeviceNetworkEvents.csv' && p.done).pop();
      assert.ok(last, 'a final progress message for the events file');
      assert.equal(last.bytesDone, last.bytesTotal);
      assert.ok(last.rows >= 3690 && last.rows <= 3691, `rows ${last.rows}`);  // the last record may be pending
      assert.equal(typeof last.mbps, 'number');
    });

    test('render goes through the core (CSV = the CLI\'s, formula guard included)', async () => {
      const { text } = await client.request('render', { format: 'csv' });
      assert.equal(text, nativeCsv);
      assert.ok(text.includes("'=cmd|' /C calc'!A0"), 'a cell starting with = is guarded');
      const jsonl = await client.request('render', { format: 'jsonl' });
      assert.deepEqual(parseJsonl(jsonl.text), nativeRows);
    });

    test('views sort, filter and page in the worker as the rows themselves would', async () => {
      const beacon = beaconRows(nativeRows);
      const byCount = await client.request('view', { request: { detection: 'beacon', sort: [{ column: 'ConnectionCount', desc: true }], limit: 1000 } });
      const counts = byCount.rows.map((r) => r.ConnectionCount);
      assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
      assert.equal(byCount.matched, beacon.length);
      const filtered = await client.request('view', { request: { detection: 'beacon', filter: 'RUNDLL32', limit: 1000 } });
      assert.equal(filtered.matched, beacon.filter((r) => JSON.stringify(r).toLowerCase().includes('rundll32')).length);
      assert.ok(filtered.matched > 0);
      const ti = await client.request('view', { request: { detection: 'beacon', only: ['IsTIMatch'], offset: 1, limit: 2 } });
      assert.equal(ti.matched, beacon.filter((r) => r.IsTIMatch).length);
      assert.deepEqual(ti.rows.map((r) => r.GroupId), beacon.filter((r) => r.IsTIMatch).slice(1, 3).map((r) => r.GroupId));
      const csv = await client.request('exportView', { request: { detection: 'beacon', only: ['IsTIMatch'] }, format: 'jsonl' });
      assert.deepEqual(parseJsonl(Buffer.from(csv.text)), beacon.filter((r) => r.IsTIMatch));
      await expectError(client.request('view', { request: { detection: 'beacon', sort: [{ column: 'Nope' }] } }), 'bad-request');
    });

    test('detail gives the connections of a row', async () => {
      const row = beaconRows(nativeRows)[0];
      const detail = await client.request('detail', { detection: 'beacon', key: row.GroupId });
      assert.deepEqual(detail.row, row);
      assert.ok(detail.total >= row.ConnectionCount);
      assert.equal(detail.times.length, detail.ms.length);
      assert.equal(detail.times.length, detail.ports.length);
      for (let i = 1; i < detail.ms.length; ++i) assert.ok(detail.ms[i] >= detail.ms[i - 1], 'times ascend');
      assert.ok(detail.ports.every((p) => p === null || row.RemotePorts.includes(p) || row.UniqueRemotePorts > 5));
    });

    test('a threshold change is applied without a re-read', async () => {
      const rule = await client.request('getRule');
      const summary = await client.request('setRule', { rule: { ...rule, beaconMinConnections: 20 } });
      assert.equal(summary.reread, false);
      const expected = beaconRows(nativeRows).filter((r) => r.ConnectionCount >= 20);
      assert.ok(expected.length > 0 && expected.length < beaconRows(nativeRows).length);
      assert.deepEqual(beaconRows(await allRows(client, summary)).map((r) => [r.DeviceName, r.Timestamp, r.ConnectionCount]),
        beaconRows(expected).map((r) => [r.DeviceName, r.Timestamp, r.ConnectionCount]));
    });

    test('a window change re-reads the files and matches the CLI with the same rule', async () => {
      const rule = await client.request('getRule');
      const changed = { ...rule, beaconMinConnections: 12, observationWindowMinutes: 30 };
      const summary = await client.request('setRule', { rule: changed });
      assert.equal(summary.reread, true);
      assert.equal(summary.results.files.length, 2, 'the files were read again');
      const ruleFile = `${process.env.TMPDIR || '/tmp'}/vpshunt-protocol-rule-${process.pid}.json`;
      fs.writeFileSync(ruleFile, JSON.stringify(changed));
      try {
        const native = parseJsonl(runNative(['--config', ruleFile, '--events', EXAMPLE_EVENTS, '--intel', EXAMPLE_INTEL, '--format', 'jsonl', '--quiet']).stdout);
        assert.deepEqual(await allRows(client, summary), native);
      } finally {
        fs.rmSync(ruleFile, { force: true });
      }
      const back = await client.request('setRule', { rule: await client.request('init').then((i) => i.defaultRule) });
      assert.equal(back.reread, true);
      assert.deepEqual(await allRows(client, back), nativeRows);
    });

    test('setDetections runs only the named detections', async () => {
      const only = await client.request('setDetections', { detections: ['beacon'] });
      assert.deepEqual(only.results.detectionOrder, ['beacon']);
      const back = await client.request('setDetections', { detections: [] });
      assert.equal(back.reread, true, 'turning a detection on reads the files again');
      assert.deepEqual(await allRows(client, back), nativeRows);
      await expectError(client.request('setDetections', { detections: ['beacons'] }), 'bad-request');
    });

    test('setNow and a bad now (which keeps the old one)', async () => {
      const later = await client.request('setNow', { now: '2026-11-25T14:00:00Z' });
      assert.equal(later.results.now, '2026-11-25T14:00:00Z');
      assert.ok(later.results.detections.beacon.rowCount < beaconRows(nativeRows).length);
      await expectError(client.request('setNow', { now: 'next tuesday' }), 'bad-now');
      assert.equal((await client.request('results')).results.now, '2026-11-25T14:00:00Z');
      const back = await client.request('setNow', { now: '' });
      assert.deepEqual(await allRows(client, back), nativeRows);
    });

    test('file kind/format correction, removal and gzip', async () => {
      const forced = await client.request('setFileOptions', { index: 1, kind: 'events', format: '' });
      assert.equal(forced.results.files[1].kind, 'events');
      assert.ok((await allRows(client, forced)).every((r) => !r.IsTIMatch), 'intel read as events gives no TI matches');
      const restored = await client.request('setFileOptions', { index: 1, kind: 'auto', format: '' });
      assert.deepEqual(await allRows(client, restored), nativeRows);
      const gz = new File([zlib.gzipSync(fs.readFileSync(EXAMPLE_EVENTS))], 'DeviceNetworkEvents.csv.gz');
      const fromGz = await client.request('setFiles', { files: [{ file: gz, name: gz.name }, exampleFiles()[1]] });
      assert.deepEqual(await allRows(client, fromGz), nativeRows);
      const removed = await client.request('removeFile', { index: 1 });
      assert.equal(removed.results.files.length, 1);
      assert.ok((await allRows(client, removed)).every((r) => !r.IsTIMatch));
    });

    test('errors come back as {error: {code, message}}', async () => {
      await expectError(client.request('setRule', { rule: { beaconMinConnection: 3 } }), 'rule');
      await expectError(client.request('setRule', { rule: '{"beaconMinConnections": ' }), 'json');
      await expectError(client.request('render', { format: 'xml' }), 'bad-format');
      await expectError(client.request('detail', { detection: 'beacon', key: -1 }));
      await expectError(client.request('detail', { detection: 'nope', key: 1 }), 'bad-request');
      await expectError(client.request('setFileOptions', { index: 7, kind: 'events' }), 'bad-request');
      await expectError(client.request('setFiles', { files: [{ file: fileFrom(EXAMPLE_EVENTS), name: 'x.csv', kind: 'bogus' }] }), 'bad-kind');
      await expectError(client.request('frobnicate'), 'bad-request');
      // The session still works after errors.
      const summary = await client.request('setFiles', { files: exampleFiles() });
      assert.deepEqual(await allRows(client, summary), nativeRows);
    });

    test('a file that is not an export is reported, not fatal to the others', async () => {
      const junk = new File([new Uint8Array([0, 1, 2, 3, 255, 254, 10, 13, 0])], 'junk.bin');
      const summary = await client.request('setFiles', { files: [{ file: junk, name: 'junk.bin' }, ...exampleFiles()] });
      assert.equal(summary.results.files[0].path, 'junk.bin');
      assert.equal(summary.results.files[0].fatal, true);
      assert.ok(summary.results.files[0].problems.length > 0);
      assert.equal(summary.results.files[0].problems[0].code, 'binary-file');
      assert.deepEqual(await allRows(client, summary), nativeRows);
    });

    test('reset forgets the files', async () => {
      const summary = await client.request('reset');
      assert.equal(summary.results.detections.beacon.rowCount, 0);
      assert.equal(summary.results.files.length, 0);
    });
  });
}
