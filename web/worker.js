// The Web Worker that runs the wasm core. All protocol logic is in engine.js (createDispatcher), so
// that tests drive exactly the same code in-process and through a worker; this file only wires it
// to the worker's message port. Messages that arrive while the module is loading are queued.
//
// Page -> worker: {id, type, ...} (see engine.js). Worker -> page: {id, ok, result | error},
// {type: "progress", ...}, and once {type: "ready"} or {type: "fatal", error} when loading ends.
import createVpshunt from './vpshunt.js';
import { createDispatcher } from './engine.js';

let dispatcher = null;
let loadError = null;
const pending = [];

function reply(msg) {
  self.postMessage(msg);
}

self.onmessage = (event) => {
  const msg = event.data;
  if (dispatcher) dispatcher.handle(msg);
  else if (loadError) reply({ id: msg && msg.id, ok: false, error: loadError });
  else pending.push(msg);
};

// asn.bin (IP -> ASN, for the hosting columns) is optional: the page works without it.
async function fetchAsnDatabase() {
  try {
    const response = await fetch(new URL('./asn.bin', import.meta.url));
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}

Promise.all([createVpshunt({ locateFile: (path) => new URL(path, import.meta.url).href }), fetchAsnDatabase()]).then(
  ([Module, asnDatabase]) => {
    dispatcher = createDispatcher({ Module, post: reply, asnDatabase });
    reply({ type: 'ready' });
    for (const msg of pending.splice(0)) dispatcher.handle(msg);
  },
  (err) => {
    loadError = { code: 'load', message: `could not load the WebAssembly module: ${err && err.message ? err.message : err}` };
    reply({ type: 'fatal', error: loadError });
    for (const msg of pending.splice(0)) reply({ id: msg && msg.id, ok: false, error: loadError });
  },
);
