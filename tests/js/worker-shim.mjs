// Runs the site's worker.js inside a Node worker thread as if it were a browser module worker:
// `self` with onmessage/postMessage, and fetch() of file: URLs (the module's vpshunt.wasm).
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const networkFetch = globalThis.fetch;
globalThis.fetch = async (url, init) => {
  const u = new URL(String(url));
  if (u.protocol !== 'file:') return networkFetch(url, init);
  return new Response(fs.readFileSync(u), { headers: { 'content-type': 'application/wasm' } });
};
globalThis.self = globalThis;
globalThis.postMessage = (msg) => parentPort.postMessage(msg);
parentPort.on('message', (data) => {
  if (typeof globalThis.onmessage === 'function') globalThis.onmessage({ data });
});
await import(workerData.workerUrl);
