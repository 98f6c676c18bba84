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
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { MessageChannel, Worker, isMainThread, workerData } from 'node:worker_threads';
import zlib from 'node:zlib';

import createVpshunt from './web/vpshunt.js';
import {
  Engine, EngineError, SPLIT_MIN_BYTES, collectPass, helperHandlers, portHelper, readEntriesWithHelper, readFiles,
} from './web/engine.js';

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
// works on this one, so reading costs no time of its own on a machine with two cores. The bytes
// [begin, end) of the file (end: Infinity, to its end).
async function feedPlain(engine, fd, begin = 0, end = Infinity) {
  const buffers = [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  const next = (buffer, at) => (at >= end ? Promise.resolve(0)
    : readAt(fd, end - at < buffer.length ? buffer.subarray(0, end - at) : buffer, at));
  let position = begin;
  let which = 0;
  let pending = next(buffers[which], position);
  for (;;) {
    const n = await pending;
    if (n === 0) break;
    position += n;
    const current = buffers[which];
    which ^= 1;
    pending = next(buffers[which], position);
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

// --- threads (issue 12): --threads 2 under Node ---
// A second wasm instance in a worker thread (this file, started again), as the page's helper worker:
// web/engine.js's readEntriesWithHelper cuts a file the core can cut (planCut) in two, this thread
// reading the first part while the helper reads the rest, or hands a whole file to the helper while
// this thread reads the one before it; the helper's aggregates come back as bytes and are merged in
// input order, so the output is byte for byte that of one thread. The helper reads by path (a
// file-backed Blob cannot be read in another thread under Node 20: it aborts), only the read pass:
// the collect pass and the results are this thread's. Hosting data is not needed there (it is used
// when the results are made).

// A file as readEntriesWithHelper sees it: its size, and slices whose bytes it can ask for.
function fileRange(path, size, begin = 0, end = size) {
  return {
    path, size: end - begin,
    slice(from = 0, to = end - begin) {
      const b = Math.min(begin + from, end);
      return fileRange(path, size, b, Math.max(b, Math.min(begin + to, end)));
    },
    async arrayBuffer() {
      const buffer = Buffer.allocUnsafe(end - begin);
      const fd = fs.openSync(path, 'r');
      try {
        let done = 0;
        while (done < buffer.length) {
          const n = await readAt(fd, buffer.subarray(done), begin + done);
          if (n === 0) break;
          done += n;
        }
        return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + done);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

// The helper's side: helperSetup as the page's helper worker answers it; readPiece and readWhole
// read by path, as this runner reads (so a file's messages are the same whoever reads it).
function serveHelper(port, engine) {
  const { helperSetup } = helperHandlers(engine);
  const handlers = {
    helperSetup,
    readPiece: async ({ path, ranges, header, name, kind, format }) => {
      engine.beginPiece(name, kind, format, header);
      const fd = fs.openSync(path, 'r');
      try {
        for (const [begin, end] of ranges) await feedPlain(engine, fd, begin, end);
      } finally {
        fs.closeSync(fd);
      }
      engine.endFile();
      return engine.exportPiece();
    },
    readWhole: async ({ path, kind, format }) => {
      await feedFile(engine, { path, kind, format });
      return engine.exportFiles();
    },
  };
  let queue = Promise.resolve();
  port.onmessage = ({ data: msg }) => {
    queue = queue.then(async () => {
      try {
        const result = await handlers[msg.type](msg);
        port.postMessage({ id: msg.id, ok: true, result }, result && result.buffer ? [result.buffer] : []);
      } catch (e) {
        const error = e instanceof EngineError ? e.toJSON() : { code: 'internal', message: String(e && e.message ? e.message : e) };
        port.postMessage({ id: msg.id, ok: false, error });
      }
    });
  };
}

// The helper thread, started with the module this thread compiled (no second compilation).
function startHelper(wasmModule) {
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(new URL(import.meta.url), {
    workerData: { vpshuntHelper: true, port: port2, wasmModule }, transferList: [port2],
  });
  const failed = new Promise((resolve, reject) => { worker.on('error', reject); });
  const p = portHelper(port1);
  // A helper that dies rejects what it was asked (then this thread reads that file itself).
  const guard = (f) => (msg) => Promise.race([f(msg), failed]);
  const helper = {
    setup: guard(p.setup),
    readPiece: guard(({ file, ranges, ...msg }) => p.request('readPiece', { ...msg, path: file.path, ranges })),
    readWhole: guard(({ file, ...msg }) => p.request('readWhole', { ...msg, path: file.path })),
  };
  failed.catch(() => {});
  return { helper, stop: () => { port1.close(); return worker.terminate(); } };
}

// Every input, as readFiles does, with the helper thread beside this one.
// The helper is started (startHelper) before the hosting data loads, so that its instance is made
// meanwhile (about 0.1 s), and stopped here whatever happens.
async function readFilesWithHelper(Module, started, engine, inputs, detections, now) {
  const entries = inputs.map((input) => {
    let size = -1;
    try {
      const st = fs.statSync(input.path);
      if (st.isFile()) size = st.size;
    } catch { /* read here, where the message is made */ }
    return { ...input, name: input.path, file: size >= 0 ? fileRange(input.path, size) : null };
  });
  const { helper, stop } = started;
  engine.setNow(now);
  let stats;
  try {
    stats = await readEntriesWithHelper(engine, Module, entries, helper, async (entry, part) => {
      if (!part) return feedFile(engine, entry);
      engine.beginPiece(entry.path, entry.kind, entry.format, 0);
      const fd = fs.openSync(entry.path, 'r');
      try {
        await feedPlain(engine, fd, 0, part.end);
      } finally {
        fs.closeSync(fd);
      }
      engine.endFile();
    }, { rule: engine.ruleJson(), detections, now, canHelp: (entry) => entry.file !== null });
  } finally {
    await stop();
  }
  // For the tests: what the helper read ({cut, handedOver, readAgain}: files cut in two, files it
  // read whole, files read again here), as JSON in the file VPSHUNT_HELPER_STATS names.
  if (process.env.VPSHUNT_HELPER_STATS) fs.writeFileSync(process.env.VPSHUNT_HELPER_STATS, JSON.stringify(stats));
  const ids = engine.collectGroups(now);
  if (ids.length) await collectPass(engine, inputs, ids, (input) => feedFile(engine, input));
}

// How many threads read: --threads N (at most 2 here), by default the machine's cores (at most 2)
// for inputs of SPLIT_MIN_BYTES or more, as the page's two workers.
function useHelper(opts) {
  if (opts.threads) return opts.threads >= 2;
  if ((os.availableParallelism ? os.availableParallelism() : os.cpus().length) < 2) return false;
  let total = 0;
  for (const input of opts.inputs) {
    try { total += fs.statSync(input.path).size; } catch { /* counted as nothing */ }
  }
  return total >= SPLIT_MIN_BYTES;
}
// --- end threads ---

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

// The module, compiled here (and handed to the helper thread, which instantiates it again).
async function compiledModule() {
  const wasmModule = await WebAssembly.compile(fs.readFileSync(new URL('./web/vpshunt.wasm', import.meta.url)));
  const Module = await createVpshunt({
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule));
      return {};
    },
  });
  return { Module, wasmModule };
}

async function main(argv) {
  const { Module, wasmModule } = await compiledModule();
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
  const started = useHelper(opts) ? startHelper(wasmModule) : null;
  try {
    loadHostingData(engine, opts);
  } catch (e) {
    if (started) await started.stop();
    throw e;
  }
  // Every file, then the collect pass the results need (the core's readFiles, in JavaScript).
  if (started) await readFilesWithHelper(Module, started, engine, opts.inputs, opts.detect, opts.now);
  else await readFiles(engine, opts.inputs, (input) => feedFile(engine, input), opts.now);
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

if (!isMainThread && workerData && workerData.vpshuntHelper) {
  // The helper thread (startHelper): its own instance of the module, answering on its port.
  const Module = await createVpshunt({
    instantiateWasm(imports, done) {
      WebAssembly.instantiate(workerData.wasmModule, imports).then((instance) => done(instance, workerData.wasmModule));
      return {};
    },
  });
  serveHelper(workerData.port, new Engine(Module, ''));
} else main(process.argv.slice(2)).then(
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
