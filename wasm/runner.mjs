// The Node runner: the wasm core with the native CLI's flags and output, byte for byte.
// Installed by the wasm build as W/vpshunt.mjs (next to W/web/, which holds the module).
//
//   node W/vpshunt.mjs --events DeviceNetworkEvents.csv --intel ThreatIntelligenceIndicator.csv --format jsonl
//
// Files are read in 512 KiB chunks into two reused buffers (never whole); `.gz` files are un-gzipped
// by node:zlib on the way. stdout: the results (renderResults); stderr: the per-file summaries
// (renderFileSummaries) unless --quiet. Exit status: 0 something usable was read, 1 usage error,
// 2 nothing usable was read (as the native CLI). `.gz` is recognised by its magic bytes, as there.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import zlib from 'node:zlib';

import createVpshunt from './web/vpshunt.js';
import { Engine, EngineError, readFiles } from './web/engine.js';

// 512 KiB rather than 8 MiB: the same speed, and about 35 MiB less at the peak (the two buffers, the
// core's copy of a chunk and the wasm heap's growth for it): `node W/vpshunt.mjs` on the bench's short
// file peaked at 168 MiB with 8 MiB chunks, 129 MiB with these (1.03 s and 1.01 s).
const CHUNK_BYTES = 512 * 1024;
// strerror() texts for the errors a file open can give, so messages match the native CLI's.
const STRERROR = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory', EMFILE: 'Too many open files', ELOOP: 'Too many levels of symbolic links',
  ENAMETOOLONG: 'File name too long', EPERM: 'Operation not permitted', EIO: 'Input/output error',
};
const strerror = (e) => STRERROR[e.code] || e.message;

class UsageError extends Error {}

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
  if (opts.exportWatchlist) {
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
      fs.writeFileSync(opts.exportWatchlist, csv.text);
    } catch {
      process.stderr.write(`vpshunt: cannot write ${opts.exportWatchlist}\n`);
      return 1;
    }
    process.stderr.write(`vpshunt: ${opts.exportWatchlist}: ${csv.rows} hosting ranges\n`);
  }
  if (!opts.exportKql) return 0;
  let text;
  try {
    text = Engine.exportKql(Module, engine.ruleJson(), opts.target, opts.detect[0] || 'beacon', opts.watchlistUrl);
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

// V8 compiles the module on as many threads as its pool has (four), and each thread's malloc arena
// keeps what its compiler freed: one compilation thread saves 10-15 MiB at the peak (bench's short
// file: 135-140 MiB -> 119-125 MiB) at the same speed (the module is compiled before the first file
// is open; hot functions still move to the optimising tier in the background). Set before the module
// is compiled. V8 prints an error for a flag it does not know (tests/js compares stderr with the
// native CLI's, so a Node whose V8 lacked it would show there); Node 20's has it.
v8.setFlagsFromString('--wasm-num-compilation-tasks=1');

async function main(argv) {
  const wasmBinary = fs.readFileSync(new URL('./web/vpshunt.wasm', import.meta.url));
  const Module = await createVpshunt({ wasmBinary });
  // The flags, usage text and usage errors are the core's (core/src/options.cpp), as the CLI's.
  let opts;
  try {
    opts = Engine.parseOptions(Module, argv);
  } catch (e) {
    if (e instanceof EngineError && e.code === 'usage') throw new UsageError(e.message);
    throw e;
  }
  if (opts.help) {
    await writeAll(process.stdout, Engine.usage(Module));
    return 0;
  }
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
  if (opts.exportKql || opts.exportWatchlist) return runKqlExport(Module, engine, opts);
  if (opts.runError) throw new UsageError(opts.runError);
  const format = opts.format || (process.stdout.isTTY && !opts.output ? 'table' : 'jsonl');

  engine.setDetections(opts.detect);
  loadHostingData(engine, opts);
  // Every file, then the collect pass the results need (the core's readFiles, in JavaScript).
  await readFiles(engine, opts.inputs, (input) => feedFile(engine, input), opts.now);
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
  const results = engine.renderEach(format, (piece) => {
    if (!writeFailed) writeFailed = !writeSyncAll(fd, piece);
  }, opts.now);
  if (opts.output) fs.closeSync(fd);
  if (writeFailed && opts.output) {
    process.stderr.write(`vpshunt: cannot write ${opts.output}\n`);
    return 1;
  }
  if (!opts.quiet) process.stderr.write(results.summaries);
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
