// Shared helpers for the node:test suites: where the builds are, loading the wasm module, running
// the native CLI and the Node runner, and two clients for the worker protocol (in-process and
// through a real worker thread running web/worker.js).
//
// VPSHUNT_BUILD (native, default `build`) and VPSHUNT_WASM_BUILD (default `W`) name the build
// folders, relative to the repository root unless absolute.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fromRoot = (p) => (path.isAbsolute(p) ? p : path.join(ROOT, p));
export const BUILD = fromRoot(process.env.VPSHUNT_BUILD || 'build');
export const WASM_BUILD = fromRoot(process.env.VPSHUNT_WASM_BUILD || 'W');
export const SITE = path.join(WASM_BUILD, 'web');
export const NATIVE_CLI = path.join(BUILD, 'vpshunt');
export const GENERATOR = path.join(BUILD, 'vpshunt_gen');
export const RUNNER = path.join(WASM_BUILD, 'vpshunt.mjs');
export const EXAMPLE_EVENTS = path.join(ROOT, 'examples/DeviceNetworkEvents.csv');
export const EXAMPLE_INTEL = path.join(ROOT, 'examples/ThreatIntelligenceIndicator.csv');

export function requireFile(file, what) {
  if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}: build it first (see README; VPSHUNT_BUILD / VPSHUNT_WASM_BUILD name the build folders)`);
  return file;
}

export async function loadModule() {
  requireFile(path.join(SITE, 'vpshunt.wasm'), 'the wasm module');
  const { default: createVpshunt } = await import(pathToFileURL(path.join(SITE, 'vpshunt.js')).href);
  return createVpshunt({ wasmBinary: fs.readFileSync(path.join(SITE, 'vpshunt.wasm')) });
}

export async function loadEngineJs() {
  return import(pathToFileURL(path.join(SITE, 'engine.js')).href);
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, maxBuffer: 1 << 30, ...opts });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
export const runNative = (args) => run(requireFile(NATIVE_CLI, 'the native CLI'), args);
export const runNode = (args) => run(process.execPath, [requireFile(RUNNER, 'the Node runner'), ...args]);

export function parseJsonl(text) {
  return String(text).split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

// A File for the protocol, from a path on disk (File is a global in Node >= 20).
export function fileFrom(p, name = path.basename(p)) {
  return new File([fs.readFileSync(p)], name);
}

// Protocol client, in-process: the dispatcher from web/engine.js with replies routed by id.
export async function inProcessClient() {
  const Module = await loadModule();
  const { createDispatcher } = await loadEngineJs();
  const pending = new Map();
  const progress = [];
  const asnPath = requireFile(path.join(SITE, 'asn.bin'), 'asn.bin in the wasm build');  // as the worker fetches it
  const dispatcher = createDispatcher({
    Module,
    asnDatabase: new Uint8Array(fs.readFileSync(asnPath)),
    post: (msg) => {
      if (msg.type === 'progress') { progress.push(msg); return; }
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.ok) p.resolve(msg.result); else p.reject(Object.assign(new Error(msg.error.message), { error: msg.error }));
    },
  });
  let nextId = 1;
  return {
    name: 'in-process',
    progress,
    Module,
    request(type, payload = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        dispatcher.handle({ id, type, ...payload });
      });
    },
    close() {},
  };
}

// Protocol client, through a worker: a worker thread runs the site's own worker.js (via a small
// shim that gives it the browser worker's `self` and lets the module fetch its .wasm from disk).
export async function workerClient() {
  requireFile(path.join(SITE, 'worker.js'), 'web/worker.js in the wasm build');
  const worker = new Worker(new URL('./worker-shim.mjs', import.meta.url), {
    workerData: { workerUrl: pathToFileURL(path.join(SITE, 'worker.js')).href },
  });
  const pending = new Map();
  const progress = [];
  let ready;
  const readyPromise = new Promise((resolve, reject) => { ready = { resolve, reject }; });
  worker.on('message', (msg) => {
    if (msg.type === 'progress') { progress.push(msg); return; }
    if (msg.type === 'ready') { ready.resolve(); return; }
    if (msg.type === 'fatal') { ready.reject(new Error(msg.error.message)); return; }
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p.resolve(msg.result); else p.reject(Object.assign(new Error(msg.error.message), { error: msg.error }));
  });
  worker.on('error', (e) => {
    ready.reject(e);
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  await readyPromise;
  let nextId = 1;
  return {
    name: 'worker',
    progress,
    request(type, payload = {}) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, type, ...payload });
      });
    },
    close() { return worker.terminate(); },
  };
}
