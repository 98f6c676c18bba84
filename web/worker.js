// The Web Worker that runs the wasm core. All protocol logic is in engine.js (createDispatcher), so
// that tests drive exactly the same code in-process and through a worker; this file only wires it
// to the worker's message port. Messages that arrive while the module is loading are queued.
//
// Page -> worker: {id, type, ...} (see engine.js). Worker -> page: {id, ok, result | error},
// {type: "progress", ...}, and once {type: "ready"} or {type: "fatal", error} when loading ends.
import createVpshunt from './vpshunt.js';
import { createDispatcher } from './engine.js';
import { workerInputs } from './assets.js';

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

// Where the module and asn.bin come from (the served site's files, or the single file's inline data)
// is assets.js's business; asn.bin is optional: without it the hosting columns stay empty.
const inputs = workerInputs();
Promise.all([inputs.moduleOptions.then(createVpshunt), inputs.asnDatabase]).then(
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
