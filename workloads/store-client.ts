// A client thread's connection to the bundled store, and the mapping of the store's outcomes
// onto op completions (ok / fail = did not happen / info = unknown).

import type { Completion } from '../src/interpreter/index.js';
import { StoreClient, type Outcome } from '../src/store/client.js';
import type { WorkloadContext } from './types.js';

export function storeClient(thread: number, ctx: WorkloadContext): StoreClient {
  const names = Object.keys(ctx.nodes);
  return new StoreClient({ nodes: ctx.nodes, timeoutMs: ctx.opTimeoutMs, prefer: names[thread % names.length] });
}

/** A store outcome as a completion; `value` replaces the outcome's value on ok when given. */
export function completion<T>(o: Outcome<T>, value?: (v: T) => unknown): Completion {
  if (o.type === 'ok') return { type: 'ok', value: value ? value(o.value) : o.value, node: o.node };
  const c: Completion = { type: o.type, error: o.error };
  if (o.node !== undefined) c.node = o.node;
  return c;
}
