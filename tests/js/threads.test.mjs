// Issue 12, both cores: the native CLI gives the same bytes (results and per-file summaries) on one
// thread and on several, with the files cut into pieces (VPSHUNT_PIECE_BYTES makes the small
// examples cut), for every output format, both modes, with and without --now. Pieces of 64 KiB and
// whole files (the default 8 MiB pieces) have whole pages inside each MiB read, which the CLI drops
// from its mapping once read (madvise): a collect pass (beyond mode, --now) reads them again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ROOT, NATIVE_CLI, requireFile, run } from './support.mjs';

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
