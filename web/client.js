// The page's side of the worker protocol (web/engine.js): requests by id, replies by id,
// unsolicited progress messages; Cancel terminates the worker and starts a fresh one.
// workers (issue 12): unless `workers` is "1", a second (helper) worker is started beside it, made
// the same way (a module worker, or a blob: URL in the single file), and the two are joined by a
// MessageChannel (engine.js: serveMain, connectHelper); "2" uses it for every input, "auto" for
// inputs of engine.js's SPLIT_MIN_BYTES or more. The page talks to the main worker only.
import { createWorker } from './assets.js';

export class WorkerClient {
  constructor({ onProgress, onFatal, workers = 'auto' }) {
    this.onProgress = onProgress;
    this.onFatal = onFatal;
    this.workers = String(workers);
    this.start();
  }
  start() {
    this.nextId = 1;
    this.pending = new Map();
    this.worker = createWorker();
    this.worker.onmessage = (event) => this.receive(event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.failAll({ code: 'worker', message: `the analysis worker failed: ${event.message || 'unknown error'}` });
    };
    this.helper = null;
    if (this.workers !== '1') {
      this.helper = createWorker();
      const channel = new MessageChannel();
      // Replies to these two (id 0) are not waited for: the worker queues requests in order.
      this.helper.postMessage({ id: 0, type: 'serveMain', port: channel.port2 }, [channel.port2]);
      this.worker.postMessage({ id: 0, type: 'connectHelper', port: channel.port1, mode: this.workers === '2' ? 'always' : 'auto' },
        [channel.port1]);
      this.helper.onerror = (event) => {
        event.preventDefault();
        this.failAll({ code: 'worker', message: `the second analysis worker failed: ${event.message || 'unknown error'}` });
      };
    }
  }
  receive(msg) {
    if (!msg) return;
    if (msg.type === 'progress') { this.onProgress(msg); return; }
    if (msg.type === 'fatal') { this.onFatal(msg.error); return; }
    if (msg.type === 'ready') return;
    const entry = this.pending.get(msg.id);
    if (!entry) return;
    this.pending.delete(msg.id);
    if (msg.ok) entry.resolve(msg.result);
    else entry.reject(Object.assign(new Error(msg.error.message), msg.error));
  }
  request(type, payload = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, ...payload });
    });
  }
  failAll(error) {
    for (const { reject } of this.pending.values()) reject(Object.assign(new Error(error.message), error));
    this.pending.clear();
  }
  cancel() {
    this.worker.terminate();
    if (this.helper) this.helper.terminate();
    this.failAll({ code: 'cancelled', message: 'cancelled' });
    this.start();
  }
  get busy() { return this.pending.size > 0; }
}
