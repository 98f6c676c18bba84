// The JavaScript side of the wasm boundary, shared by the Web Worker (worker.js), the Node runner
// (vpshunt.mjs) and the tests. Nothing here touches the DOM or Node APIs, so the same code runs in
// a browser worker, in a Node worker thread and in-process.
//
//   Engine      a wasm Session with the error convention turned into exceptions (EngineError).
//   readFile    feeds one File/Blob to an Engine in slices (never the whole file in memory);
//               gzip files (by magic bytes, like the CLI) are un-gzipped by DecompressionStream.
//   createDispatcher  the worker protocol (see below), independent of how messages travel.
//
// Worker protocol (DESIGN.md): requests {id, type, ...} -> replies {id, ok: true, result} or
// {id, ok: false, error: {code, message, file?}}; unsolicited {type: "progress", phase, file, fileIndex,
// fileCount, bytesDone, bytesTotal, rows, mbps} at most ~10 times a second while files are read (phase
// "read" or "collect"), and one with phase "finish" (file "", done) when the rows are being made.
// Requests are handled one at a time, in order. Results stay in the worker (the core's ResultStore):
// a Summary carries the results without rows; the page asks for pages of rows with `view`.
//   init                          -> {formats, schemas, rule, defaultRule, asnDatabase}
//   addFiles  {files: [{file, name?, kind?, format?}]}  reads the new files -> Summary
//   setFiles  {files: [...]}      forgets everything, reads these files     -> Summary
//   setFileOptions {index, kind, format}  corrects one file's kind/format, re-reads all -> Summary
//   removeFile {index}            re-reads the others                       -> Summary
//   setRule   {rule}              (object or JSON text); re-reads the files only when the core says
//                                 the change needs it                       -> Summary (+ reread)
//   setNow    {now}               ISO time, "" = latest event time          -> Summary
//   setDetections {detections}    names; [] = all                            -> Summary
//   results                                                                 -> Summary
//   view      {request: {detection, sort: [{column, desc}], filter, only: [column], offset, limit}}
//                                 -> {detection, total, matched, offset, rows: [{...row, _key, _index}]}
//   overview  {detection}         -> {detection, rows, from, to, bins: [{t, rows, maxScore}], networks:
//                                 [{name, hosting, rows, maxScore}]} (what the tab draws above its table)
//   exportView {request, format}  the view's rows as csv/jsonl/json         -> {text}
//   render    {format}            the whole output as the CLI writes it     -> {text}
//   detail    {detection, key}    -> {detection, key, row, times, ms, ports, targets?, targetNames?,
//                                 refused?, total, complete} (reads the event files once more for it:
//                                 a collect pass)
//   getRule                       -> rule object
//   reset                         forgets files and results, keeps the rule -> Summary
//   memory                        -> {heapBytes, heapUsed}
//   exportKql {target, detection, rule?, hostingCsvUrl?} -> {text}; pivotQueries {detection, row, target} -> {pivots}
// Summary = {results: <status: now, files, notices, collectGroups, detectionOrder, detections: {name:
// {title, columns, pageSeed, pageBeyond, rowCount, notices, ...}}>, now, reread, read: {bytes, ms, mbps,
// workers?: {cut, handedOver, readAgain} (when the helper worker read part of it)} | null}
// Memory holds per-group aggregates only, so exact lookback counts (when now is the latest event)
// and the detail view need a second "collect" pass over the event files; progress messages carry
// phase: "read" | "collect".
// Cancel is not a request: the page terminates the worker and starts a new one.
// --- workers (issue 12): two workers, each with its own wasm instance; no SharedArrayBuffer ---
// The page may start a second (helper) worker and join the two with a MessageChannel; the main
// worker then reads big inputs with it: a file it can cut (planFileCut: CSV outside quotes, JSON
// Lines) is read half here and half there, other files go whole to the helper in turn; the
// helper's aggregates come back as bytes and are merged in input order (Session::mergePieces /
// importFiles), so the results are those of one worker. Collect passes and views stay in the main.
//   connectHelper {port, mode}    (page -> main) port: the channel's end; mode "auto" (use the helper
//                                 when the input has >= SPLIT_MIN_BYTES) or "always"   -> {connected}
//   serveMain {port}              (page -> helper) answer the main worker's requests on `port`
// Over the channel (main -> helper, same {id, type} / {id, ok, result | error} convention):
//   helperSetup {rule, detections, now}   the main's rule (JSON text), detections, now  -> {}
//   readPiece {blob, header, name, kind, format}  blob: the file's header copy then the piece
//                                 (File.slice parts), header: its header's bytes   -> {blob: Uint8Array}
//   readWhole {file, name, kind, format}          one whole file               -> {blob: Uint8Array}

export const SLICE_BYTES = 8 * 1024 * 1024;
export const SPLIT_MIN_BYTES = 64 * 1024 * 1024;  // workers: inputs below this are read by one worker
const CUT_HEAD_BYTES = 64 * 1024 + 3;  // what the readers sniff (Session::planCut)
const CUT_WINDOW_BYTES = 1024 * 1024;  // where a cut is looked for, from the middle of the file
const PROGRESS_INTERVAL_MS = 100;

export class EngineError extends Error {
  constructor(error) {
    super(error && error.message ? error.message : String(error));
    this.name = 'EngineError';
    this.code = (error && error.code) || 'internal';
    if (error && error.file) this.file = error.file;
  }
  toJSON() {
    const out = { code: this.code, message: this.message };
    if (this.file) out.file = this.file;
    return out;
  }
}

// The bindings' convention: a failed call returns the plain object {error: {code, message}}.
export function isErrorValue(v) {
  return v !== null && typeof v === 'object' && 'error' in v;
}
function check(v) {
  if (isErrorValue(v)) throw new EngineError(v.error);
  return v;
}
function ruleText(rule) {
  if (rule === undefined || rule === null) return '';
  if (typeof rule === 'string' || rule instanceof Uint8Array) return rule;  // bytes pass unchanged
  return JSON.stringify(rule);
}

export class Engine {
  constructor(Module, rule = '') {
    this.Module = Module;
    this.session = new Module.Session(ruleText(rule));
    const err = this.session.initError();
    if (isErrorValue(err)) {
      this.session.delete();
      throw new EngineError(err.error);
    }
  }
  static defaultRule(Module) { return JSON.parse(check(Module.defaultRuleJson())); }
  static formats(Module) { return JSON.parse(check(Module.formats())); }
  // --- KQL export: the rule (object or JSON text) as one query; a row's investigation queries ---
  static exportKql(Module, rule, target = 'sentinel', detection = 'beacon', hostingCsvUrl = '') {
    const text = typeof rule === 'string' ? rule : JSON.stringify(rule);
    return check(Module.exportKql(text, String(target), String(detection), String(hostingCsvUrl || '')));
  }
  static pivotQueries(Module, detection, row, target = 'sentinel') {
    return JSON.parse(check(Module.pivotQueries(String(detection), JSON.stringify(row), String(target))));
  }
  // {text, rows, problems}: the hosting watchlist CSV (asn.bin bytes, or its CSV form; hosting-list texts).
  static watchlistCsv(Module, asnBytes, isCsv = false, hostingTexts = []) {
    return JSON.parse(check(Module.watchlistCsv(asnBytes, !!isCsv, hostingTexts.map(String))));
  }
  // --- end KQL export ---

  static schemas(Module) { return JSON.parse(check(Module.schemas())); }
  static parseOptions(Module, argv) { return JSON.parse(check(Module.parseOptions(JSON.stringify(argv)))); }
  static usage(Module) { return check(Module.usageText()); }

  beginFile(name, kind = 'auto', format = '') { check(this.session.beginFile(String(name), kind || 'auto', format || '')); }
  feed(bytes) { check(this.session.feed(bytes)); }
  endFile() { check(this.session.endFile()); }
  fileError(message) { check(this.session.fileError(String(message))); }
  // now before reading: rows before the cutoff are dropped as they arrive ('' = not known yet).
  setNow(now = '') { check(this.session.setNow(now || '')); }
  beginCollect(ids) { check(this.session.beginCollect(Array.from(ids, Number))); }
  endCollect() { check(this.session.endCollect()); }
  // The results without rows: files, notices, collectGroups, each detection's columns and counts.
  status(now = '') { return JSON.parse(check(this.session.status(now || ''))); }
  // The same after every detection's rows went into the store (what view() pages through).
  refresh(now = '') { return JSON.parse(check(this.session.refresh(now || ''))); }
  view(request) { return JSON.parse(check(this.session.view(JSON.stringify(request)))); }
  overview(detection) { return JSON.parse(check(this.session.overview(String(detection)))); }
  // A view's rows (or the whole output, render) handed to write(bytes) in pieces of UTF-8, each a
  // Uint8Array valid only during the call (copy it to keep it).
  exportViewEach(request, format, write) { check(this.session.exportView(JSON.stringify(request), format, write)); }
  // Returns the status of what it wrote, with `summaries` (the per-file summary text).
  renderEach(format, write, now = '') { return JSON.parse(check(this.session.render(format, now || '', write))); }
  // Only the ids a collect pass must read (no row is made: far cheaper than status()).
  collectGroups(now = '') { return JSON.parse(check(this.session.collectGroups(now || ''))); }
  exportView(request, format) { return collectText((w) => this.exportViewEach(request, format, w)); }
  render(format, now = '') { return collectText((w) => this.renderEach(format, w, now)); }
  summaries(now = '') { return check(this.session.summaries(now || '')); }
  detail(detection, key) { return JSON.parse(check(this.session.detail(String(detection), Number(key)))); }
  // --- page2: known software of beacon rows (Session::knownSoftware) ---
  knownSoftware(keys) { return JSON.parse(check(this.session.knownSoftware(JSON.stringify(Array.from(keys || [], Number))))); }
  // --- end page2 ---
  // Returns true when the files must be read again (the core has dropped what it held).
  setRule(rule) { return check(this.session.setRule(ruleText(rule))); }
  rule() { return JSON.parse(check(this.session.ruleJson())); }
  ruleJson() { return check(this.session.ruleJson()); }
  setDetections(names) { return check(this.session.setDetections(JSON.stringify(Array.from(names || [], String)))); }
  setAsnDatabase(bytes, isCsv = false) { check(this.session.setAsnDatabase(bytes, !!isCsv)); }
  setHostingLists(texts) { return JSON.parse(check(this.session.setHostingLists(Array.from(texts, String)))); }
  reset() { check(this.session.reset()); }
  recordsInCurrentFile() { return check(this.session.recordsInCurrentFile()); }
  // --- workers (issue 12): Session's piece API ---
  beginPiece(name, kind = 'auto', format = '', headerBytes = 0) {
    check(this.session.beginPiece(String(name), kind || 'auto', format || '', Number(headerBytes)));
  }
  exportPiece() { return check(this.session.exportPiece()); }
  exportFiles() { return check(this.session.exportFiles()); }
  importPiece(bytes) { check(this.session.importPiece(bytes)); }
  mergePieces(headerLines) { return check(this.session.mergePieces(Number(headerLines))); }
  importFiles(bytes) { return check(this.session.importFiles(bytes)); }
  static planCut(Module, head, window, windowOffset, fileSize, name, kind = 'auto', format = '') {
    return JSON.parse(check(Module.planCut(head, window, Number(windowOffset), Number(fileSize), String(name),
      kind || 'auto', format || '')));
  }
  // --- end workers ---
  heapBytes() { return this.Module.HEAPU8.length; }
  // Bytes allocated in the wasm heap and not freed (the leak test watches this, not the heap's
  // size, which only grows).
  static heapUsedBytes(Module) { return Module.heapUsedBytes(); }
  delete() { this.session.delete(); }
}

// Pieces of UTF-8 (views valid during the call) gathered into one string.
function collectText(produce) {
  const decoder = new TextDecoder();
  let text = '';
  produce((bytes) => { text += decoder.decode(bytes, { stream: true }); });
  return text + decoder.decode();
}

// How every JavaScript front end reads (the core's readFiles in C++ does the same): every file once,
// then, when the results need rows again (collectGroups()), the event files (every file not given
// as intel) once more in a collect pass. `readOne(entry, phase)` reads one file into the engine.
// The results are made afterwards, once (renderEach, refresh or status).
export async function readFiles(engine, entries, readOne, now = '') {
  engine.setNow(now);
  for (const entry of entries) await readOne(entry, 'read');
  const ids = engine.collectGroups(now);
  if (ids.length) await collectPass(engine, entries, ids, readOne);
}

export async function collectPass(engine, entries, ids, readOne) {
  engine.beginCollect(ids);
  try {
    for (const entry of entries) if (entry.kind !== 'intel') await readOne(entry, 'collect');
  } finally {
    engine.endCollect();
  }
}

// gzip is recognised by its magic bytes (1f 8b), as the native CLI does, not by the name.
export async function isGzip(file) {
  if (file.size < 2) return false;
  const magic = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  return magic[0] === 0x1f && magic[1] === 0x8b;
}

// Reads one File/Blob into `engine` as one file of the analysis. `onBytes(bytesDone, fed)` is
// called after each chunk with the file's bytes consumed so far (compressed bytes for gzip) and the
// bytes fed to the core. Returns {fed, records}: bytes fed (uncompressed) and the records the core
// had counted just before the file ended (a record cut off by the end of the file may be missing).
// A read failure (the browser cannot read the file, corrupt gzip) goes to the core as the file's
// error (Analysis::fileError) and the other files still count; an EngineError is rethrown.
// `piece` (workers): read as a piece of the file (Session::beginPiece), its first `piece` bytes the header.
export async function readFile(engine, file, { name, kind = 'auto', format = '', sliceBytes = SLICE_BYTES, onBytes, piece } = {}) {
  const fileName = name || file.name || 'unnamed';
  if (piece === undefined) engine.beginFile(fileName, kind, format);
  else engine.beginPiece(fileName, kind, format, piece);
  let fed = 0;
  let gzip = false;
  try {
    gzip = await isGzip(file);
    if (gzip) {
      let consumed = 0;
      const counter = new TransformStream({
        transform(chunk, controller) { consumed += chunk.byteLength; controller.enqueue(chunk); },
      });
      const reader = file.stream().pipeThrough(counter).pipeThrough(new DecompressionStream('gzip')).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        engine.feed(value);
        fed += value.byteLength;
        if (onBytes) onBytes(consumed, fed);
      }
    } else {
      const size = file.size;
      // The next slice is read while the core parses the current one.
      let next = size > 0 ? file.slice(0, Math.min(sliceBytes, size)).arrayBuffer() : null;
      for (let offset = 0; offset < size;) {
        const buffer = await next;
        const end = offset + buffer.byteLength;
        next = end < size ? file.slice(end, Math.min(end + sliceBytes, size)).arrayBuffer() : null;
        engine.feed(new Uint8Array(buffer));
        fed += buffer.byteLength;
        offset = end;
        if (onBytes) onBytes(offset, fed);
        if (buffer.byteLength === 0) break;  // the file shrank under us
      }
    }
  } catch (e) {
    if (e instanceof EngineError) {
      try { engine.endFile(); } catch { /* the first error is the one to report */ }
      throw e;
    }
    const why = e && e.message ? e.message : String(e);
    engine.fileError(gzip ? `gzip data is corrupt or truncated (${why}); the records before the damage were read`
      : `cannot read the file: ${why}`);
  }
  const records = engine.recordsInCurrentFile();
  engine.endFile();
  return { fed, records };
}

function normalizeEntry(entry) {
  const file = entry.file || entry;
  return {
    file,
    name: entry.name || file.name || 'unnamed',
    kind: entry.kind || 'auto',
    format: entry.format || '',
  };
}

// `asnDatabase`: the bytes of asn.bin (hosting attribution, beyond the seed), when the site has it.
export function createDispatcher({ Module, post, clock = () => performance.now(), sliceBytes = SLICE_BYTES, asnDatabase = null }) {
  const engine = new Engine(Module, '');
  let asnStatus = 'none';
  if (asnDatabase) {
    try {
      engine.setAsnDatabase(asnDatabase);
      asnStatus = 'loaded';
    } catch (e) {
      asnStatus = `not loaded: ${e.message}`;
    }
  }
  let files = [];
  let now = '';        // the analyst's now ('' = the latest event time)
  let ingestNow = '';  // the now the core held while the files were read
  let lastRead = null;
  let queue = Promise.resolve();
  let helper = null;          // workers: the helper worker, over a MessagePort (connectHelper)
  let helperMode = 'auto';    // "auto": for inputs of SPLIT_MIN_BYTES or more; "always"
  let detections = [];        // as last set (the helper is set up with them)

  // Reads `entries` (a subset of `files`, or all of them for a collect pass) into the core, posting
  // progress. `phase` is "read" (first pass) or "collect" (a second pass for chosen groups).
  async function readEntries(entries, phase = 'read') {
    const t0 = clock();
    let bytes = 0;
    const total = entries.reduce((n, e) => n + e.file.size, 0);
    let workers = null;
    if (phase === 'read' && helper && (helperMode === 'always' || total >= SPLIT_MIN_BYTES)) {
      // workers: the helper reads part of the input; `part` is the first piece of a cut file.
      workers = await readEntriesWithHelper(engine, Module, entries, helper, async (entry, part) => {
        bytes += await readEntry(entry, phase, part);
      }, { rule: engine.ruleJson(), detections, now: ingestNow });
      bytes = total;
    } else {
      for (const entry of entries) bytes += await readEntry(entry, phase);
    }
    const ms = clock() - t0;
    if (phase === 'read') lastRead = { bytes, ms, mbps: ms > 0 ? bytes / 1e3 / ms : 0, ...(workers ? { workers } : {}) };
  }

  async function readEntry(entry, phase, part) {
    {
      const fileIndex = files.indexOf(entry);
      const fileStart = clock();
      let lastPost = -Infinity;
      const progress = (bytesDone, fedBytes, rows, final) => {
        const t = clock();
        if (!final && t - lastPost < PROGRESS_INTERVAL_MS) return;
        lastPost = t;
        const seconds = Math.max((t - fileStart) / 1000, 1e-6);
        post({
          type: 'progress', phase, file: entry.name, fileIndex, fileCount: files.length,
          bytesDone, bytesTotal: entry.file.size, rows: rows === null ? engine.recordsInCurrentFile() : rows,
          mbps: fedBytes / 1e6 / seconds, done: !!final,
        });
      };
      progress(0, 0, 0, true);
      const { fed, records } = await readFile(engine, part ? part.file : entry.file, {
        name: entry.name, kind: entry.kind, format: entry.format, sliceBytes, piece: part ? part.piece : undefined,
        onBytes: (done, fedSoFar) => progress(done, fedSoFar, null, false),
      });
      progress(entry.file.size, fed, records, true);
      return fed;
    }
  }

  // A collect pass over the event files (the native CLI's rule: every file not given as intel).
  const collect = (ids) => collectPass(engine, files, ids, (entry, phase) => readEntries([entry], phase));

  // The results into the core's store; first, when groups straddle the lookback cutoff (or beyond
  // mode measures periodicity, or inbound sources began before it), a collect pass counts them exactly.
  // A finish makes every row (a million rows take seconds), so the store is filled exactly once:
  // collectGroups() (no row made) says first whether a collect pass is due.
  async function settle() {
    const ids = engine.collectGroups(now);
    if (ids.length) await collect(ids);
    // The page says the rows are being made instead of showing a full bar.
    post({ type: 'progress', phase: 'finish', file: '', fileIndex: 0, fileCount: files.length, bytesDone: 0,
           bytesTotal: 0, rows: 0, mbps: 0, done: true });
    return engine.refresh(now);
  }

  async function readAll() {
    engine.reset();
    engine.setNow(now);
    ingestNow = now;
    await readEntries(files);
  }

  async function summary(extra = {}) {
    return { results: await settle(), now, read: lastRead, reread: false, ...extra };
  }

  const handlers = {
    init: () => ({
      formats: Engine.formats(Module), schemas: Engine.schemas(Module), rule: engine.rule(),
      defaultRule: Engine.defaultRule(Module), asnDatabase: asnStatus,
    }),
    addFiles: async ({ files: added = [] }) => {
      const entries = added.map(normalizeEntry);
      const first = files.length === 0;
      files.push(...entries);
      if (first) await readAll();
      else await readEntries(entries);
      return summary();
    },
    setFiles: async ({ files: list = [] }) => {
      files = list.map(normalizeEntry);
      await readAll();
      return summary({ reread: true });
    },
    setFileOptions: async ({ index, kind, format }) => {
      const entry = files[index];
      if (!entry) throw new EngineError({ code: 'bad-request', message: `no file at index ${index}` });
      if (kind !== undefined) entry.kind = kind || 'auto';
      if (format !== undefined) entry.format = format || '';
      await readAll();
      return summary({ reread: true });
    },
    removeFile: async ({ index }) => {
      if (!files[index]) throw new EngineError({ code: 'bad-request', message: `no file at index ${index}` });
      files.splice(index, 1);
      await readAll();
      return summary({ reread: true });
    },
    setRule: async ({ rule }) => {
      const reread = engine.setRule(rule);
      if (reread) await readAll();
      return summary({ reread });
    },
    setNow: async ({ now: wanted = '' }) => {
      wanted = wanted || '';
      engine.collectGroups(wanted);  // only checks the time (cheaply): a bad one leaves everything as it was
      now = wanted;
      // Rows before the old cutoff were dropped while reading: a different now needs them again.
      const reread = files.length > 0 && ingestNow !== '' && ingestNow !== now;
      if (reread || files.length === 0) await readAll();
      return summary({ reread });
    },
    setDetections: async ({ detections: names = [] }) => {
      const reread = engine.setDetections(names);
      detections = Array.from(names, String);
      if (reread) await readAll();
      return summary({ reread });
    },
    results: () => summary(),
    view: ({ request }) => engine.view(request),
    overview: ({ detection }) => engine.overview(detection),
    exportView: ({ request, format }) => ({ text: engine.exportView(request, format) }),
    render: ({ format }) => ({ text: engine.render(format, now) }),
    detail: async ({ detection, key }) => {
      if (!(Number(key) >= 0)) throw new EngineError({ code: 'bad-request', message: 'a row key must be a non-negative number' });
      let detail = engine.detail(detection, key);
      if (!detail.complete && detail.total > 0) {
        await collect([Number(key)]);
        detail = engine.detail(detection, key);
      }
      return detail;
    },
    getRule: () => engine.rule(),
    // --- page2: which beacon rows (by key) are known software: [{key, knownSoftware, reason, processFolder, processFolderDisagrees}] ---
    knownSoftware: ({ keys = [] }) => ({ notes: engine.knownSoftware(keys) }),
    // --- end page2 ---
    reset: () => {
      files = [];
      lastRead = null;
      engine.reset();
      return summary();
    },
    memory: () => ({ heapBytes: Module.HEAPU8.length, heapUsed: Engine.heapUsedBytes(Module) }),
    // KQL export: the rule in force (or `rule` when given) for a target; a row's pivot queries.
    exportKql: ({ target = 'sentinel', detection = 'beacon', rule = null, hostingCsvUrl = '' }) =>
      ({ text: Engine.exportKql(Module, rule || engine.rule(), target, detection, hostingCsvUrl) }),
    pivotQueries: ({ detection = 'beacon', row, target = 'sentinel' }) =>
      ({ pivots: Engine.pivotQueries(Module, detection, row || {}, target) }),
    // --- workers (issue 12) ---
    connectHelper: ({ port, mode = 'auto' }) => {
      helper = portHelper(port);
      helperMode = mode === 'always' ? 'always' : 'auto';
      return { connected: true };
    },
    serveMain: ({ port }) => {
      port.onmessage = (event) => { queue = queue.then(() => run(event.data, (m) => port.postMessage(m))); };
      return { serving: true };
    },
    ...helperHandlers(engine, sliceBytes),
    // --- end workers ---
  };

  async function run(msg, reply = post) {
    const id = msg && msg.id;
    try {
      const handler = msg && Object.prototype.hasOwnProperty.call(handlers, msg.type) ? handlers[msg.type] : null;
      if (!handler) throw new EngineError({ code: 'bad-request', message: `unknown request type ${JSON.stringify(msg && msg.type)}` });
      const result = await handler(msg);
      reply({ id, ok: true, result });
    } catch (e) {
      const error = e instanceof EngineError ? e.toJSON() : { code: 'internal', message: String(e && e.message ? e.message : e) };
      reply({ id, ok: false, error });
    }
  }

  // Requests run strictly one after another (a file read is asynchronous).
  function handle(msg) {
    queue = queue.then(() => run(msg));
    return queue;
  }

  return { handle, engine, get files() { return files; } };
}

// --- workers (issue 12) ---
// Where `entry`'s file can be cut in two (Session::planCut on its head and a window at its middle),
// or null: {cut, headerBegin, headerEnd, headerLines}.
export async function planFileCut(Module, entry) {
  const file = entry.file;
  if (entry.kind === 'intel' || file.size < 4) return null;
  const mid = Math.floor(file.size / 2);
  const [head, window] = await Promise.all([
    file.slice(0, Math.min(CUT_HEAD_BYTES, file.size)).arrayBuffer(),
    file.slice(mid, Math.min(mid + CUT_WINDOW_BYTES, file.size)).arrayBuffer(),
  ]);
  const plan = Engine.planCut(Module, new Uint8Array(head), new Uint8Array(window), mid, file.size, entry.name,
    entry.kind, entry.format);
  return plan.cut === null ? null : plan;
}

// The main worker's read of `entries` with a helper ({setup, readPiece, readWhole}: async, each
// giving the helper's blob; over a MessagePort in the page, a second wasm instance in the tests):
// a file that can be cut is read half here, half by the helper at the same time; a file that
// cannot goes whole to the helper while the one before it is read here; each blob is merged in
// input order. Whatever the helper cannot give (a failure, threat intel found in a file, pieces
// that disagree) is read here, whole. `readOne(entry, part?)` reads a file (or its first piece,
// part = {file: the bytes before the cut, end: the cut, piece: 0}) here. `canHelp(entry)` (default:
// every entry) says which entries the helper may read at all (the Node runner keeps here the files it
// cannot open, so that their messages stay its own). `entry.file` needs only size and
// slice(begin, end).arrayBuffer(); the helper's readPiece gets the file and the byte ranges of its
// piece, [[headerBegin, headerEnd], [cut, size]] (portHelper makes them one Blob). Returns
// {cut, handedOver, readAgain}.
export async function readEntriesWithHelper(engine, Module, entries, helper, readOne,
  { rule, detections, now, canHelp = () => true }) {
  const stats = { cut: 0, handedOver: 0, readAgain: 0 };
  await helper.setup({ rule, detections, now });
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (!canHelp(entry)) {
      await readOne(entry);
      continue;
    }
    const plan = await planFileCut(Module, entry);
    if (plan) {
      const { file } = entry;
      const header = plan.headerEnd - plan.headerBegin;
      const ranges = [[plan.headerBegin, plan.headerEnd], [plan.cut, file.size]];
      const theirs = helper.readPiece({ file, ranges, header, name: entry.name, kind: entry.kind, format: entry.format })
        .then((r) => r, (e) => ({ failed: e }));
      await readOne(entry, { file: file.slice(0, plan.cut), end: plan.cut, piece: 0 });
      const got = await theirs;
      let merged = false;
      if (!got.failed) {
        try {
          engine.importPiece(got);
          merged = engine.mergePieces(plan.headerLines);
        } catch (e) {
          if (!(e instanceof EngineError) || e.code !== 'bad-blob') throw e;
        }
      }
      if (!merged) {
        engine.mergePieces(0);  // drops the piece read here
        stats.readAgain++;
        await readOne(entry);
      } else {
        stats.cut++;
      }
      continue;
    }
    // Not cut: this file here, the next (if it is not cut either, nor intel) by the helper meanwhile.
    const next = entries[i + 1];
    const helps = next && next.kind !== 'intel' && canHelp(next);
    const nextPlan = helps ? await planFileCut(Module, next) : null;
    const handOver = helps && !nextPlan;
    const theirs = handOver
      ? helper.readWhole({ file: next.file, name: next.name, kind: next.kind, format: next.format }).then((r) => r, (e) => ({ failed: e }))
      : null;
    await readOne(entry);
    if (!handOver) continue;
    i++;
    const got = await theirs;
    let merged = false;
    if (!got.failed) {
      try {
        merged = engine.importFiles(got);
      } catch (e) {
        if (!(e instanceof EngineError) || e.code !== 'bad-blob') throw e;
      }
    }
    if (merged) stats.handedOver++;
    else {
      stats.readAgain++;
      await readOne(next);
    }
  }
  return stats;
}

// The helper worker's side: answers helperSetup / readPiece / readWhole with its own engine.
export function helperHandlers(engine, sliceBytes = SLICE_BYTES) {
  return {
    helperSetup: ({ rule = '', detections = [], now = '' }) => {
      engine.reset();
      engine.setRule(rule);
      engine.setDetections(detections);
      engine.reset();
      engine.setNow(now);
      return {};
    },
    readPiece: async ({ blob, header, name, kind, format }) => {
      await readFile(engine, blob, { name, kind, format, sliceBytes, piece: header });
      return engine.exportPiece();
    },
    readWhole: async ({ file, name, kind, format }) => {
      await readFile(engine, file, { name, kind, format, sliceBytes });
      return engine.exportFiles();
    },
  };
}

// A helper reached over a MessagePort (the main worker's view of the helper worker).
export function portHelper(port) {
  let nextId = 1;
  const pending = new Map();
  port.onmessage = (event) => {
    const msg = event.data;
    const entry = msg && pending.get(msg.id);
    if (!entry) return;
    pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(new EngineError(msg.error));
  };
  const request = (type, payload) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    port.postMessage({ id, type, ...payload });
  });
  return {
    request,  // (type, payload): any request, answered over the port
    setup: (p) => request('helperSetup', p),
    readPiece: ({ file, ranges, ...p }) =>
      request('readPiece', { ...p, blob: new Blob(ranges.map(([begin, end]) => file.slice(begin, end))) }),
    readWhole: (p) => request('readWhole', p),
  };
}
// --- end workers ---
