// The benchmark's peer: the seed rule as SQL (bench/seed-rule.mjs) run by DuckDB on the same files vpshunt
// reads, writing the result rows as JSON Lines. Not a test; bench/run.sh times it like vpshunt.
//
//   node bench/duckdb.mjs --engine node|wasm --shape defender|zeek --events FILE --intel FILE \
//        --rule rule.json --now ISO8601 --output OUT.jsonl [--threads N] [--print-sql]
//
// --engine node: @duckdb/node-api (DuckDB's native library), `SET threads` = --threads (default 2), and
//   COPY (query) TO OUT (FORMAT json).
// --engine wasm: @duckdb/duckdb-wasm's Node build (the blocking bindings: DuckDB runs on this thread, one
//   thread, the EH build when the runtime has wasm exceptions), files registered with the NODE_FS protocol.
//   This bundle has no json extension built in (it would be downloaded) and its COPY TO does not finish
//   under Node, so the Arrow result is written as JSON Lines here.
// --rule: the output of `vpshunt --print-config`, so the lists and thresholds are the ones vpshunt ran.
// Prints one line on stderr: engine, DuckDB version, threads, result rows, seconds inside the engine.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { seedRuleQuery, setupStatements } from './seed-rule.mjs';

const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const a = { threads: 2 };
  for (let i = 0; i < argv.length; ++i) {
    const k = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--engine') a.engine = v();
    else if (k === '--shape') a.shape = v();
    else if (k === '--events') a.events = v();
    else if (k === '--intel') a.intel = v();
    else if (k === '--rule') a.rule = v();
    else if (k === '--now') a.now = v();
    else if (k === '--output') a.output = v();
    else if (k === '--threads') a.threads = Number(v());
    else if (k === '--print-sql') a.printSql = true;
    else throw new Error(`unknown argument ${k}`);
  }
  for (const k of ['engine', 'shape', 'events', 'intel', 'rule', 'now', 'output']) {
    if (!a[k]) throw new Error(`--${k} is required`);
  }
  if (!['node', 'wasm'].includes(a.engine)) throw new Error(`--engine: node or wasm, not ${a.engine}`);
  if (!(a.threads >= 1)) throw new Error('--threads: a positive number');
  return a;
}

async function runNode(a, rule) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', { threads: String(a.threads) });
  const conn = await instance.connect();
  const readyAt = performance.now();
  const version = (await conn.runAndReadAll('SELECT version() AS v')).getRowObjectsJson()[0].v;
  for (const s of setupStatements(a.shape)) await conn.run(s);
  const query = seedRuleQuery({ rule, shape: a.shape, events: path.resolve(a.events), intel: path.resolve(a.intel), now: a.now });
  if (a.printSql) console.error(query);
  const out = path.resolve(a.output).replaceAll("'", "''");
  const reader = await conn.runAndReadAll(`COPY (${query}) TO '${out}' (FORMAT json)`);
  // COPY answers with the number of rows written.
  const rows = Number(reader.getRows()[0][0]);
  conn.closeSync?.();
  return { version, threads: a.threads, rows, readyAt };
}

// An Arrow value as JSON: BIGINT as a number, lists as arrays, TIMESTAMP (milliseconds) as ISO 8601.
function jsonValue(v, isTime) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (isTime) return new Date(Number(v)).toISOString();
  if (typeof v === 'object' && typeof v.toArray === 'function') return Array.from(v.toArray(), (x) => jsonValue(x, false));
  return v;
}

async function runWasm(a, rule) {
  const duckdb = require('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs');
  const dist = path.dirname(require.resolve('@duckdb/duckdb-wasm/dist/duckdb-node-blocking.cjs'));
  const bundles = {
    mvp: { mainModule: path.join(dist, 'duckdb-mvp.wasm'), mainWorker: path.join(dist, 'duckdb-node-mvp.worker.cjs') },
    eh: { mainModule: path.join(dist, 'duckdb-eh.wasm'), mainWorker: path.join(dist, 'duckdb-node-eh.worker.cjs') },
  };
  const db = await duckdb.createDuckDB(bundles, new duckdb.VoidLogger(), duckdb.NODE_RUNTIME);
  await db.instantiate(() => {});
  db.open({});
  const conn = db.connect();
  const readyAt = performance.now();
  const version = conn.query('SELECT version() AS v').toArray()[0].v;
  const threads = Number(conn.query("SELECT current_setting('threads') AS t").toArray()[0].t);
  // Extensions (json, icu) are not built into this bundle and would be fetched from the network: fail at
  // once instead of waiting on a request that cannot leave this machine.
  conn.query('SET autoinstall_known_extensions = false');
  conn.query('SET autoload_known_extensions = false');
  db.registerFileURL('events.input', path.resolve(a.events), duckdb.DuckDBDataProtocol.NODE_FS, false);
  db.registerFileURL('intel.input', path.resolve(a.intel), duckdb.DuckDBDataProtocol.NODE_FS, false);
  for (const s of setupStatements(a.shape)) conn.query(s);
  const query = seedRuleQuery({ rule, shape: a.shape, events: 'events.input', intel: 'intel.input', now: a.now });
  if (a.printSql) console.error(query);
  // Without the json extension there is no COPY ... (FORMAT json) nor to_json, and this bundle's COPY TO
  // does not finish under Node (duckdb-wasm issue 2010): the Arrow result is written as JSON Lines here,
  // as a page built on DuckDB-WASM would turn it into rows.
  const table = conn.query(query);
  const fields = table.schema.fields.map((f, k) => ({ name: f.name, col: table.getChildAt(k), time: String(f.type).startsWith('Timestamp') }));
  const fd = fs.openSync(a.output, 'w');
  const rows = table.numRows;
  try {
    let parts = [];
    for (let i = 0; i < rows; ++i) {
      const o = {};
      for (const f of fields) o[f.name] = jsonValue(f.col.get(i), f.time);
      parts.push(JSON.stringify(o));
      if (parts.length === 4096) {
        fs.writeSync(fd, parts.join('\n') + '\n');
        parts = [];
      }
    }
    if (parts.length) fs.writeSync(fd, parts.join('\n') + '\n');
  } finally {
    fs.closeSync(fd);
  }
  conn.close();
  return { version, threads, rows, readyAt };
}

try {
  const a = parseArgs(process.argv.slice(2));
  const rule = JSON.parse(fs.readFileSync(a.rule, 'utf8'));
  const t0 = performance.now();
  const r = a.engine === 'node' ? await runNode(a, rule) : await runWasm(a, rule);
  const secs = (performance.now() - t0) / 1000;
  const startup = r.readyAt !== undefined ? `, of which ${((r.readyAt - t0) / 1000).toFixed(2)} s loading the engine` : '';
  console.error(`duckdb-${a.engine}: DuckDB ${r.version}, ${r.threads} thread(s), ${r.rows} rows, ${secs.toFixed(2)} s${startup}`);
} catch (e) {
  console.error(`duckdb: ${e.message}`);
  process.exit(1);
}
