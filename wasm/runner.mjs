// The Node runner: the wasm core with the native CLI's flags and output, byte for byte.
// Installed by the wasm build as W/vpshunt.mjs (next to W/web/, which holds the module).
//
//   node W/vpshunt.mjs --events DeviceNetworkEvents.csv --intel ThreatIntelligenceIndicator.csv --format jsonl
//
// Files are read in 8 MiB chunks into one reused buffer (never whole); `.gz` files are un-gzipped
// by node:zlib on the way. stdout: the results (renderResults); stderr: the per-file summaries
// (renderFileSummaries) unless --quiet. Exit status: 0 something usable was read, 1 usage error,
// 2 nothing usable was read (as the native CLI). `.gz` is recognised by its magic bytes, as there.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import createVpshunt from './web/vpshunt.js';
import { Engine, EngineError } from './web/engine.js';

const CHUNK_BYTES = 8 * 1024 * 1024;
// The native CLI's help text (cli/main.cpp), word for word.
const USAGE =
  'usage: vpshunt [--events FILE]... [--intel FILE]... [FILE]... [options]\n' +
  '\n' +
  'Finds processes beaconing to public IPs (MITRE ATT&CK T1583.003) in network-event exports,\n' +
  'enriched with threat intel: the seed KQL rule, run locally.\n' +
  '\n' +
  '  --events FILE      a network-events export (DeviceNetworkEvents CSV, ...)\n' +
  '  --intel FILE       a threat-intel export (ThreatIntelligenceIndicator CSV, ...)\n' +
  '  FILE               either; the kind is detected from the content\n' +
  '  --format-of FILE=NAME  force a reader for FILE (see --list-formats)\n' +
  '  --now ISO8601      reference time (default: the latest event time)\n' +
  '  --config FILE      the rule as JSON (see --print-config)\n' +
  '  --print-config     print the rule in effect as JSON and exit\n' +
  '  --format F         table (default on a terminal), csv, json, jsonl (default otherwise)\n' +
  '  --mode M           seed (default: the seed rule exactly) or beyond (periodicity, hosting,\n' +
  '                     prevalence; VpsScore ranks the rows)\n' +
  '  --asn-db FILE      IP -> ASN database: asn.bin, or the CSV of @ip-location-db/asn\n' +
  '                     (default: asn.bin beside this program, when present)\n' +
  '  --hosting-list FILE  more hosting ASNs (`AS123 # name` lines, or a CSV with an ASN column)\n' +
  '  --output FILE      write results to FILE instead of standard output\n' +
  '  --export-kql       write the rule in force as one KQL query (to --output or standard output)\n' +
  '                     and exit; no input files needed\n' +
  '  --target T         the KQL\'s target: sentinel (default), defender (advanced hunting), adx\n' +
  '  --detect NAME      the detection to export: beacon (default)\n' +
  '  --export-watchlist FILE  write the hosting ranges (CIDR, ASN, provider, category) as a\n' +
  '                     Sentinel watchlist CSV (alias VpsHosting, SearchKey Cidr) and exit\n' +
  '  --watchlist-url URL  where that CSV is hosted, for the adx/defender query\'s externaldata\n' +
  '  --list-formats     list the readers and exit\n' +
  '  --quiet            no per-file summaries on standard error\n' +
  '  --help             this text\n' +
  '\n' +
  'Exit status: 0 when something usable was read, 2 when nothing was, 1 on a usage error.\n' +
  'Files ending in .gz are decompressed.\n';

// strerror() texts for the errors a file open can give, so messages match the native CLI's.
const STRERROR = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory', EMFILE: 'Too many open files', ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long', EPERM: 'Operation not permitted', EIO: 'Input/output error',
};
const strerror = (e) => STRERROR[e.code] || e.message;

class UsageError extends Error {}

// Mirrors cli/main.cpp's argument loop, including `--opt=value` and --format-of FILE=NAME.
function parseArgs(argv) {
  const opts = {
    inputs: [], overrides: [], now: '', config: '', format: '', output: '', mode: '', asnDb: '', hostingLists: [],
    printConfig: false, quiet: false, listFormats: false, help: false,
    kql: { query: false, target: 'sentinel', detection: 'beacon', watchlist: '', url: '' },  // KQL export
  };
  for (let i = 0; i < argv.length && !opts.help; ++i) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq >= 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (arg.startsWith('--') && eq >= 0) return arg.slice(eq + 1);
      if (i + 1 >= argv.length) return null;
      return argv[++i];
    };
    let v;
    if (name === '--events' || name === '--intel') {
      if ((v = value()) === null) throw new UsageError(`${name} needs a file`);
      opts.inputs.push({ path: v, kind: name === '--events' ? 'events' : 'intel', format: '' });
    } else if (name === '--now') {
      if ((v = value()) === null) throw new UsageError('--now needs an ISO 8601 time');
      opts.now = v;
    } else if (name === '--config') {
      if ((v = value()) === null) throw new UsageError('--config needs a file');
      opts.config = v;
    } else if (name === '--format') {
      if ((v = value()) === null) throw new UsageError('--format needs table, csv, json or jsonl');
      opts.format = v;
    } else if (name === '--mode') {
      if ((v = value()) === null || (v !== 'seed' && v !== 'beyond')) throw new UsageError('--mode needs seed or beyond');
      opts.mode = v;
    } else if (name === '--asn-db') {
      if ((v = value()) === null) throw new UsageError('--asn-db needs a file');
      opts.asnDb = v;
    } else if (name === '--hosting-list') {
      if ((v = value()) === null) throw new UsageError('--hosting-list needs a file');
      opts.hostingLists.push(v);
    } else if (name === '--output' || name === '-o') {
      if ((v = value()) === null) throw new UsageError('--output needs a file');
      opts.output = v;
    } else if (name === '--format-of') {
      if ((v = value()) === null || !v.includes('=')) throw new UsageError('--format-of needs FILE=FORMAT');
      opts.overrides.push([v.slice(0, v.lastIndexOf('=')), v.slice(v.lastIndexOf('=') + 1)]);
    // --- KQL export flags ---
    } else if (arg === '--export-kql') {
      opts.kql.query = true;
    } else if (name === '--target') {
      if ((v = value()) === null || !['sentinel', 'defender', 'adx'].includes(v))
        throw new UsageError('--target needs sentinel, defender or adx');
      opts.kql.target = v;
    } else if (name === '--detect') {
      if ((v = value()) === null) throw new UsageError('--detect needs a detection name');
      opts.kql.detection = v;
    } else if (name === '--export-watchlist') {
      if ((v = value()) === null) throw new UsageError('--export-watchlist needs a file');
      opts.kql.watchlist = v;
    } else if (name === '--watchlist-url') {
      if ((v = value()) === null) throw new UsageError('--watchlist-url needs a URL');
      opts.kql.url = v;
    // --- end KQL export flags ---
    } else if (arg === '--print-config') {
      opts.printConfig = true;
    } else if (arg === '--quiet' || arg === '-q') {
      opts.quiet = true;
    } else if (arg === '--list-formats') {
      opts.listFormats = true;
    } else if (arg === '--help' || arg === '-h') {
      opts.help = true;
    } else if (arg.startsWith('-') && arg !== '-') {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      opts.inputs.push({ path: arg, kind: 'auto', format: '' });
    }
  }
  for (const [file, format] of opts.overrides)
    for (const input of opts.inputs) if (input.path === file) input.format = format;
  return opts;
}

function isGzip(fd) {
  const magic = Buffer.alloc(2);
  let n = 0;
  try {
    n = fs.readSync(fd, magic, 0, 2, 0);
  } catch {
    return false;  // a directory: reads nothing, as fread() there
  }
  return n === 2 && magic[0] === 0x1f && magic[1] === 0x8b;
}

function readAt(fd, buffer, position) {
  return new Promise((resolve, reject) =>
    fs.read(fd, buffer, 0, buffer.length, position, (error, n) => (error ? reject(error) : resolve(n))));
}

// Two buffers: the next chunk is read (by libuv's thread pool, on another core) while the core
// works on this one, so reading costs no time of its own on a machine with two cores.
async function feedPlain(engine, fd) {
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let position = 0;
  let which = 0;
  let pending = readAt(fd, buffers[which], position);
  for (;;) {
    const n = await pending;
    if (n === 0) break;
    position += n;
    const current = buffers[which];
    which ^= 1;
    pending = readAt(fd, buffers[which], position);
    engine.feed(n === CHUNK_BYTES ? current : current.subarray(0, n));
  }
}

async function feedGzip(engine, fd) {
  const gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
  fs.createReadStream(null, { fd, autoClose: false, start: 0, highWaterMark: CHUNK_BYTES }).pipe(gunzip);
  try {
    for await (const chunk of gunzip) engine.feed(chunk);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    // zlib's own message, as the native CLI reports it; a cut-off stream in the CLI's words (issue 14).
    if (e.code === 'Z_BUF_ERROR')
      engine.fileError('gzip data is truncated (the stream ends before its end marker); the records before the damage were read');
    else
      engine.fileError(`gzip data is corrupt or truncated (${e.message}); the records before the damage were read`);
  }
}

// As cli/main.cpp's feedFile: begin, feed (gunzipping by magic bytes), report what went wrong, end.
async function feedFile(engine, { path, kind, format }) {
  engine.beginFile(path, kind, format);
  let fd;
  try {
    fd = fs.openSync(path, 'r');
  } catch (e) {
    engine.fileError(`cannot open the file: ${strerror(e)}`);
    engine.endFile();
    return;
  }
  try {
    if (isGzip(fd)) await feedGzip(engine, fd);
    else await feedPlain(engine, fd);
  } catch (e) {
    if (e instanceof EngineError) throw e;
    // fread() on a directory or a failing disk reads nothing and says nothing there; the same here.
  } finally {
    fs.closeSync(fd);
  }
  engine.endFile();
}

// Hosting attribution data, as the native CLI loads it: an explicit --asn-db must load; the default
// (asn.bin beside this program) may be absent. --hosting-list files add to the built-in list.
function loadHostingData(engine, opts) {
  const explicitDb = !!opts.asnDb;
  const asnPath = explicitDb ? opts.asnDb : fileURLToPath(new URL('./asn.bin', import.meta.url));
  let bytes = null;
  try {
    bytes = fs.readFileSync(asnPath);
  } catch (e) {
    if (explicitDb) throw new UsageError(`cannot open ${asnPath}: ${strerror(e)}`);
  }
  if (bytes) {
    try {
      engine.setAsnDatabase(bytes, asnPath.endsWith('.csv'));
    } catch (e) {
      if (e instanceof EngineError) throw new UsageError(`${asnPath}: ${e.message}`);
      throw e;
    }
  }
  if (opts.hostingLists.length) {
    const texts = [];
    let readError = null;
    for (const path of opts.hostingLists) {
      try {
        texts.push(fs.readFileSync(path, 'utf8'));
      } catch (e) {
        readError = `cannot open ${path}: ${strerror(e)}`;
        break;
      }
    }
    const problems = engine.setHostingLists(texts);
    problems.forEach((list, i) => {
      for (const p of list) process.stderr.write(`${opts.hostingLists[i]}:${p.line}:${p.column}: ${p.message}\n`);
    });
    if (readError) throw new UsageError(readError);
  }
}

// Synchronous, so that the pieces of the output leave as they are made (each is a view into wasm
// memory, valid during the call only): waits out a full pipe (EAGAIN); false when the reader has
// gone (EPIPE) or the disk fails.
function writeSyncAll(fd, bytes) {
  let done = 0;
  while (done < bytes.length) {
    try {
      done += fs.writeSync(fd, bytes, done, bytes.length - done);
    } catch (e) {
      if (e.code !== 'EAGAIN') return false;
      Atomics.wait(PAUSE, 0, 0, 2);
    }
  }
  return true;
}
const PAUSE = new Int32Array(new SharedArrayBuffer(4));

function writeAll(stream, text) {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

// --- KQL export: as cli/main.cpp's runKqlExport ---
function runKqlExport(Module, engine, opts) {
  if (opts.kql.watchlist) {
    const asnPath = opts.asnDb || fileURLToPath(new URL('./asn.bin', import.meta.url));
    let bytes;
    try {
      bytes = fs.readFileSync(asnPath);
    } catch (e) {
      throw new UsageError(`--export-watchlist needs the ASN database: cannot open ${asnPath}: ${strerror(e)} (give --asn-db FILE)`);
    }
    const texts = opts.hostingLists.map((p) => {
      try {
        return fs.readFileSync(p, 'utf8');
      } catch (e) {
        throw new UsageError(`cannot open ${p}: ${strerror(e)}`);
      }
    });
    let csv;
    try {
      csv = Engine.watchlistCsv(Module, bytes, asnPath.endsWith('.csv'), texts);
    } catch (e) {
      if (e instanceof EngineError) throw new UsageError(`${asnPath}: ${e.message}`);
      throw e;
    }
    csv.problems.forEach((list, i) => {
      for (const p of list) process.stderr.write(`${opts.hostingLists[i]}:${p.line}:${p.column}: ${p.message}\n`);
    });
    try {
      fs.writeFileSync(opts.kql.watchlist, csv.text);
    } catch {
      process.stderr.write(`vpshunt: cannot write ${opts.kql.watchlist}\n`);
      return 1;
    }
    process.stderr.write(`vpshunt: ${opts.kql.watchlist}: ${csv.rows} hosting ranges\n`);
  }
  if (!opts.kql.query) return 0;
  let text;
  try {
    text = Engine.exportKql(Module, engine.ruleJson(), opts.kql.target, opts.kql.detection, opts.kql.url);
  } catch (e) {
    if (e instanceof EngineError && e.code === 'kql') throw new UsageError(`--detect: ${e.message}`);
    throw e;
  }
  try {
    if (opts.output) fs.writeFileSync(opts.output, text);
    else if (!writeSyncAll(1, Buffer.from(text))) throw new Error('write');
  } catch {
    process.stderr.write(`vpshunt: cannot write ${opts.output || 'standard output'}\n`);
    return 1;
  }
  return 0;
}
// --- end KQL export ---

async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    await writeAll(process.stdout, USAGE);
    return 0;
  }
  const wasmBinary = fs.readFileSync(new URL('./web/vpshunt.wasm', import.meta.url));
  const Module = await createVpshunt({ wasmBinary });
  if (opts.listFormats) {
    await writeAll(process.stdout, Engine.formats(Module).map((f) => `${f.name}\t${f.description}\n`).join(''));
    return 0;
  }

  let ruleText = '';  // or the file's bytes, handed to the core unchanged
  if (opts.config) {
    try {
      ruleText = fs.readFileSync(opts.config);
    } catch (e) {
      throw new UsageError(`cannot open ${opts.config}: ${strerror(e)}`);
    }
  }
  let engine;
  try {
    engine = new Engine(Module, ruleText);
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    if (e.code === 'json') throw new UsageError(`${opts.config}: not valid JSON: ${e.message}`);
    throw new UsageError(`${opts.config}: ${e.message}`);
  }
  if (opts.mode) engine.setRule({ ...engine.rule(), mode: opts.mode });
  if (opts.printConfig) {
    await writeAll(process.stdout, engine.ruleJson() + '\n');
    return 0;
  }
  if (opts.kql.query || opts.kql.watchlist) return runKqlExport(Module, engine, opts);
  if (opts.now) {
    try {
      engine.finish(opts.now);  // nothing read yet: only checks the time
    } catch (e) {
      throw new UsageError(`--now: expected an ISO 8601 time, found "${opts.now}"`);
    }
  }
  let format = process.stdout.isTTY && !opts.output ? 'table' : 'jsonl';
  if (opts.format) {
    if (!['table', 'csv', 'json', 'jsonl'].includes(opts.format))
      throw new UsageError(`--format: expected table, csv, json or jsonl, found "${opts.format}"`);
    format = opts.format;
  }
  if (opts.inputs.length === 0) throw new UsageError('no input files (give --events FILE and/or --intel FILE)');

  engine.setNow(opts.now);
  loadHostingData(engine, opts);
  for (const input of opts.inputs) await feedFile(engine, input);
  let results = engine.status(opts.now);
  if (results.collectGroups && results.collectGroups.length) {
    // Without --now the cutoff is known only at the end: read the event files once more for the
    // groups that straddle it, to count their rows exactly.
    engine.beginCollect(results.collectGroups);
    for (const input of opts.inputs) if (input.kind !== 'intel') await feedFile(engine, input);
    engine.endCollect();
  }
  // The output is written piece by piece as the core makes it (as the native CLI does).
  let fd = 1;
  if (opts.output) {
    try {
      fd = fs.openSync(opts.output, 'w');
    } catch {
      process.stderr.write(`vpshunt: cannot write ${opts.output}\n`);
      return 1;
    }
  }
  let writeFailed = false;
  engine.renderEach(format, (piece) => {
    if (!writeFailed) writeFailed = !writeSyncAll(fd, piece);
  }, opts.now);
  if (opts.output) fs.closeSync(fd);
  if (writeFailed && opts.output) {
    process.stderr.write(`vpshunt: cannot write ${opts.output}\n`);
    return 1;
  }
  if (!opts.quiet) process.stderr.write(engine.summaries(opts.now));
  const usable = results.files.some((f) => !f.fatal && (f.kept > 0 || f.records > 0));
  return usable ? 0 : 2;
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`vpshunt: ${e.message}\n(try --help)\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`vpshunt: ${e && e.message ? e.message : e}\n`);
      process.exitCode = 3;
    }
  },
);
