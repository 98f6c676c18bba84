// The Node runner: the wasm core with the native CLI's flags and output, byte for byte.
// Installed by the wasm build as W/vpshunt.mjs (next to W/web/, which holds the module).
//
//   node W/vpshunt.mjs --events DeviceNetworkEvents.csv --intel ThreatIntelligenceIndicator.csv --format jsonl
//
// Files are read in 8 MiB chunks into one reused buffer (never whole); `.gz` files are un-gzipped
// by node:zlib on the way. stdout: the results (renderResults); stderr: the per-file summaries
// (renderFileSummaries) unless --quiet. Exit status: 0 done, 1 usage error, 2 nothing usable read.
import fs from 'node:fs';
import zlib from 'node:zlib';

import createVpshunt from './web/vpshunt.js';
import { Engine, EngineError } from './web/engine.js';

const CHUNK_BYTES = 8 * 1024 * 1024;
const USAGE = `usage: vpshunt [--events FILE]... [--intel FILE]... [FILE...] [--now ISO] [--config rule.json]
               [--print-config] [--format table|csv|json|jsonl] [--output FILE] [--quiet]
`;

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { files: [], now: '', config: '', printConfig: false, format: 'table', output: '', quiet: false, help: false };
  for (let i = 0; i < argv.length; ++i) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${arg} needs a value`);
      return argv[++i];
    };
    switch (arg) {
      case '--events': opts.files.push({ path: value(), kind: 'events' }); break;
      case '--intel': opts.files.push({ path: value(), kind: 'intel' }); break;
      case '--now': opts.now = value(); break;
      case '--config': opts.config = value(); break;
      case '--print-config': opts.printConfig = true; break;
      case '--format': opts.format = value(); break;
      case '--output': case '-o': opts.output = value(); break;
      case '--quiet': case '-q': opts.quiet = true; break;
      case '--help': case '-h': opts.help = true; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
        opts.files.push({ path: arg, kind: 'auto' });
    }
  }
  if (!['table', 'csv', 'json', 'jsonl'].includes(opts.format))
    throw new UsageError(`unknown --format ${opts.format}: expected table, csv, json or jsonl`);
  return opts;
}

function feedPlain(engine, path) {
  const fd = fs.openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) break;
      engine.feed(n === CHUNK_BYTES ? buffer : buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

async function feedGzip(engine, path) {
  const gunzip = fs.createReadStream(path, { highWaterMark: CHUNK_BYTES })
    .pipe(zlib.createGunzip({ chunkSize: 1024 * 1024 }));
  for await (const chunk of gunzip) engine.feed(chunk);
}

async function main(argv) {
  const opts = parseArgs(argv);
  if (opts.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  let ruleText = '';
  if (opts.config) {
    try {
      ruleText = fs.readFileSync(opts.config, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read --config ${opts.config}: ${e.message}`);
    }
  }
  const wasmBinary = fs.readFileSync(new URL('./web/vpshunt.wasm', import.meta.url));
  const Module = await createVpshunt({ wasmBinary });
  let engine;
  try {
    engine = new Engine(Module, ruleText);
  } catch (e) {
    if (e instanceof EngineError) throw new UsageError(`${opts.config}: ${e.message}`);
    throw e;
  }
  if (opts.printConfig) {
    process.stdout.write(engine.ruleJson() + '\n');
    return 0;
  }
  if (opts.files.length === 0) throw new UsageError('no input files');

  for (const { path, kind } of opts.files) {
    engine.beginFile(path, kind, '');
    try {
      if (/\.gz$/i.test(path)) await feedGzip(engine, path);
      else feedPlain(engine, path);
    } catch (e) {
      engine.endFile();
      if (e instanceof EngineError) throw e;
      process.stderr.write(`vpshunt: ${path}: ${e.message}\n`);
      continue;
    }
    engine.endFile();
  }

  const results = engine.finish(opts.now);
  const text = engine.render(opts.format, opts.now);
  if (opts.output) fs.writeFileSync(opts.output, text);
  else await writeAll(process.stdout, text);
  if (!opts.quiet) process.stderr.write(engine.summaries(opts.now));
  const usable = results.files.some((f) => !f.fatal && f.kind !== 'intel');
  return usable ? 0 : 2;
}

function writeAll(stream, text) {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e) => {
    if (e instanceof UsageError) {
      process.stderr.write(`vpshunt: ${e.message}\n${USAGE}`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`vpshunt: ${e && e.message ? e.message : e}\n`);
      process.exitCode = e instanceof EngineError ? 1 : 3;
    }
  },
);
