// Whether vpshunt and the DuckDB peer found the same seed rows: the benchmark's check that both ran the
// same rule (a difference means one side's rule is wrong). Not a test of vpshunt's output format.
//
//   node bench/compare-results.mjs VPSHUNT.jsonl PEER.jsonl
//
// A row is keyed by its hour bin, DeviceName, AccountName, process, command line, RemoteIP,
// ConnectionCount, UniqueRemotePorts, IsTIMatch and RiskScore (times compared as instants: vpshunt writes
// 7 fraction digits and a Z, DuckDB a space and microseconds; an empty text and a null are the same).
// Only vpshunt's beacon rows count (its jsonl also holds other detections' rows, marked by Detection).
// Prints "same N rows" or the counts and up to 3 rows on each side that the other lacks; exit status 1
// when they differ.
import fs from 'node:fs';
import readline from 'node:readline';

function instant(text) {
  if (text === null || text === undefined) return '';
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/.exec(String(text));
  if (!m) return String(text);
  return `${m[1]}T${m[2]}.${(m[3] || '').padEnd(7, '0').slice(0, 6)}`;
}

async function keys(file) {
  const counts = new Map();
  let rows = 0;
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    // vpshunt's jsonl holds every detection's rows; the seed rule is the beacon detection.
    if (r.Detection !== undefined && r.Detection !== 'beacon') continue;
    const key = [instant(r.Timestamp), r.DeviceName ?? '', r.AccountName ?? '', r.InitiatingProcessFileName ?? '',
      r.InitiatingProcessCommandLine ?? '', r.RemoteIP ?? '', r.ConnectionCount, r.UniqueRemotePorts, Boolean(r.IsTIMatch),
      r.RiskScore].join(' | ');
    counts.set(key, (counts.get(key) || 0) + 1);
    ++rows;
  }
  return { counts, rows };
}

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  console.error('usage: node bench/compare-results.mjs VPSHUNT.jsonl PEER.jsonl');
  process.exit(2);
}
const [ka, kb] = await Promise.all([keys(a), keys(b)]);
const missing = (x, y) => {
  const out = [];
  let n = 0;
  for (const [k, c] of x.counts) {
    const d = c - (y.counts.get(k) || 0);
    if (d > 0) {
      n += d;
      if (out.length < 3) out.push(k);
    }
  }
  return { n, out };
};
const onlyA = missing(ka, kb), onlyB = missing(kb, ka);
if (!onlyA.n && !onlyB.n) {
  console.log(`same ${ka.rows} rows`);
} else {
  console.log(`DIFFERENT: ${ka.rows} rows vs ${kb.rows}; ${onlyA.n} only in ${a}, ${onlyB.n} only in ${b}`);
  for (const k of onlyA.out) console.log(`  only in vpshunt: ${k}`);
  for (const k of onlyB.out) console.log(`  only in the peer: ${k}`);
  process.exit(1);
}
