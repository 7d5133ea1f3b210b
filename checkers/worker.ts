// Worker-thread side of the parallel check: rebuilds the model from its name, decides its batch
// of keys, reports each verdict, and stops when the shared flag says another key failed (and
// raises it when one of its keys fails or it fails).

import { parentPort, workerData } from 'node:worker_threads';
import { buildModel } from './models/index.js';
import { checkKeys, decodeItems, type WorkerMessage, type WorkerTask } from './linearizable.js';
import { unpackRows } from './prepare.js';

const task = workerData as WorkerTask;
const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
try {
  const stop = new Int32Array(task.stop);
  const budget = { deadlineMs: performance.now() + task.budgetMsLeft, maxCacheEntries: task.maxCacheEntries, explain: task.explain };
  const items = 'numbers' in task.items ? decodeItems(task.items) : unpackRows(task.items);
  checkKeys(buildModel(task.spec), items, budget, stop, (verdict) => {
    // Raised here too: the calling thread may be busy with its own keys and not reading messages.
    if (verdict.valid === false) Atomics.store(stop, 0, 1);
    post({ kind: 'key', verdict });
  });
  post({ kind: 'done' });
} catch (err) {
  const e = err as Error;
  Atomics.store(new Int32Array(task.stop), 0, 1);
  post({ kind: 'error', message: e.message, name: e.name });
}
