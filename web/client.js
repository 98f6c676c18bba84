// The page's side of the worker protocol (web/engine.js): requests by id, replies by id,
// unsolicited progress messages; Cancel terminates the worker and starts a fresh one.
import { createWorker } from './assets.js';

export class WorkerClient {
  constructor({ onProgress, onFatal }) {
    this.onProgress = onProgress;
    this.onFatal = onFatal;
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
    this.failAll({ code: 'cancelled', message: 'cancelled' });
    this.start();
  }
  get busy() { return this.pending.size > 0; }
}
