// Where the page's inputs come from: the one seam between the served site (W/web/index.html and
// its files) and the single-file page (W/web/vpshunt.html, for air-gapped use from file://).
//
//   SCENARIOS           the bundled example files the page offers, by scenario name. The single-file
//                       build (scripts/build-single-page.mjs) inlines every file listed here, so this
//                       object is the one place a new example or scenario is declared.
//   createWorker()      (page) a new analysis worker, ready to take requests (see worker.js).
//   loadExample(name)   (page) the files of a scenario -> Promise<[{file: File, kind}]>.
//   workerInputs()      (worker) -> {moduleOptions: Promise<object>, asnDatabase: Promise<Uint8Array |
//                       null>}: what worker.js passes to Emscripten's factory, and the bytes of asn.bin.
//
// The served site fetches its own files by URL (worker.js as a module worker, vpshunt.wasm and
// asn.bin next to this module, examples/ next to the page). The single file carries them inline:
// the build bundles the page and the worker into classic scripts with globalThis.VPSHUNT_SINGLE_FILE
// defined as true, and writes the payloads into <script type="application/json" id="vpshunt-assets">:
//   {worker: "<the worker bundle's source>",
//    files: {"<path>": {encoding: "gzip" | "identity", size, type?, data: "<base64>"}}}
// Nothing is fetched: the worker runs from a blob: URL of its source, and its first message (taken
// here, before worker.js sees any message) hands it vpshunt.wasm and asn.bin as Blobs, which the
// worker un-gzips itself (Blobs cross to the worker without a copy; the page keeps no decoded bytes).

// Only the single-file build sets this (esbuild `define`); nothing sets it at run time. It stays the
// module's first statement: esbuild folds a constant into its uses only when it precedes the other
// declarations, and then drops the served site's branches from the single file's bundles.
const SINGLE_FILE = globalThis.VPSHUNT_SINGLE_FILE === true;

export const SCENARIOS = {
  example: [
    { path: 'examples/DeviceNetworkEvents.csv', kind: 'events', type: 'text/csv' },
    { path: 'examples/ThreatIntelligenceIndicator.csv', kind: 'intel', type: 'text/csv' },
  ],
  // The training scenario (examples/README.md, "The training scenario"): one adversary's three
  // traces in three event exports, and the TI file. The formats are left to the readers' sniffing,
  // as for a dropped file (entra-signin-csv, defender-csv, zeek-tsv, sentinel-ti-csv).
  scenario: [
    { path: 'examples/scenario/SigninLogs.csv', kind: 'events', type: 'text/csv' },
    { path: 'examples/scenario/DeviceNetworkEvents.csv', kind: 'events', type: 'text/csv' },
    { path: 'examples/scenario/conn.log', kind: 'events', type: 'text/plain' },
    { path: 'examples/scenario/ThreatIntelligenceIndicator.csv', kind: 'intel', type: 'text/csv' },
  ],
};

const INPUTS_MESSAGE = 'vpshunt-assets';
// The worker's inputs, by the name the worker knows them under and their path in the files table.
const WORKER_INPUTS = { wasm: 'vpshunt.wasm', asn: 'asn.bin' };

// --- the page -------------------------------------------------------------------------------

export function createWorker() {
  if (!SINGLE_FILE) return new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  const inline = inlineAssets();
  const worker = new Worker(inline.workerUrl);
  worker.postMessage({ type: INPUTS_MESSAGE, ...inline.workerInputs });
  return worker;
}

export async function loadExample(name) {
  const files = SCENARIOS[name];
  if (!files) throw new Error(`no example named "${name}" (known: ${Object.keys(SCENARIOS).join(', ')})`);
  return Promise.all(files.map(async ({ path, kind, type }) => {
    const fileName = path.split('/').pop();
    let blob;
    if (SINGLE_FILE) {
      const entry = inlineAssets().files.get(path);
      if (!entry) throw new Error(`${path} is not inside this single-file page`);
      blob = await decodedBlob(entry);
    } else {
      const response = await fetch(path);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      blob = await response.blob();
    }
    return { file: new File([blob], fileName, { type }), kind };
  }));
}

// The data block, read once: the worker's source as a blob: URL (one for the page's lifetime, since
// Cancel starts a new worker) and every payload as a Blob of its bytes. Blobs live outside the JS heap
// and nothing keeps the block's text, so after start-up the page's heap is that of the served page
// (2.0 MiB in Chromium) and the compressed bytes sit in the browser's blob store.
let inlined = null;
function inlineAssets() {
  if (inlined) return inlined;
  const block = document.getElementById('vpshunt-assets');
  if (!block) throw new Error('this single-file page has no #vpshunt-assets data block');
  const { worker, files } = JSON.parse(block.textContent);
  block.remove();
  const blobs = new Map();
  for (const [path, entry] of Object.entries(files)) {
    blobs.set(path, { blob: new Blob([base64Bytes(entry.data)]), encoding: entry.encoding });
  }
  const workerInputs = {};
  for (const [name, path] of Object.entries(WORKER_INPUTS)) {
    workerInputs[name] = blobs.get(path) || null;
    blobs.delete(path);
  }
  const workerUrl = URL.createObjectURL(new Blob([worker], { type: 'text/javascript' }));
  inlined = { workerUrl, workerInputs, files: blobs };
  return inlined;
}

function base64Bytes(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; ++i) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

// --- both -----------------------------------------------------------------------------------

// A Blob with its content un-gzipped when the build compressed it (new Response(...) reads a stream
// without any fetch, so the page needs no connect-src).
function decodedBlob({ blob, encoding }) {
  if (encoding === 'identity') return Promise.resolve(blob);
  if (encoding !== 'gzip') return Promise.reject(new Error(`unknown encoding "${encoding}" in the data block`));
  return new Response(blob.stream().pipeThrough(new DecompressionStream('gzip'))).blob();
}

// --- the worker -----------------------------------------------------------------------------

// In the single file's worker the page's first message carries the inputs. This listener is added
// when the module is evaluated, before worker.js (which imports it) sets self.onmessage, so it runs
// first and keeps that message from the protocol's queue.
const inputsMessage = SINGLE_FILE && typeof document === 'undefined'
  ? new Promise((resolve) => {
    const take = (event) => {
      if (!event.data || event.data.type !== INPUTS_MESSAGE) return;
      event.stopImmediatePropagation();
      self.removeEventListener('message', take);
      resolve(event.data);
    };
    self.addEventListener('message', take);
  })
  : null;

// Two promises, so that the module compiles while asn.bin is still on its way.
export function workerInputs() {
  if (!SINGLE_FILE) {
    return {
      moduleOptions: Promise.resolve({ locateFile: (path) => new URL(path, import.meta.url).href }),
      asnDatabase: fetchAsnDatabase(),
    };
  }
  return {
    moduleOptions: inputsMessage.then(async ({ wasm }) => {
      if (!wasm) throw new Error('the single-file page holds no vpshunt.wasm');
      // locateFile too: without it the factory resolves the .wasm's name against its own URL, which
      // for a blob: worker is no base URL at all (an exception, though the bytes are given).
      return { wasmBinary: await (await decodedBlob(wasm)).arrayBuffer(), locateFile: (path) => path };
    }),
    asnDatabase: inputsMessage.then(async ({ asn }) => (asn ? new Uint8Array(await (await decodedBlob(asn)).arrayBuffer()) : null)),
  };
}

// asn.bin (IP -> ASN, for the hosting columns) is optional: the page works without it.
async function fetchAsnDatabase() {
  try {
    const response = await fetch(new URL('./asn.bin', import.meta.url));
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  } catch {
    return null;
  }
}
