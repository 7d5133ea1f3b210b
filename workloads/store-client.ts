// A client thread's connection to the bundled store, and the mapping of the store's outcomes
// onto op completions (ok / fail = did not happen / info = unknown).

import type { Completion } from '../src/interpreter/index.js';
import { StoreClient, type Outcome } from '../src/store/client.js';
import type { WorkloadContext } from './types.js';

export function storeClient(thread: number, ctx: WorkloadContext): StoreClient {
  const names = Object.keys(ctx.nodes);
  return new StoreClient({ nodes: ctx.nodes, timeoutMs: ctx.opTimeoutMs, prefer: names[thread % names.length] });
}

/**
 * A thread's clients: `any` follows the leader; `near` talks only to the thread's own node. Reads
 * go to the near node first and fall back to the leader when it redirects — as clients of real
 * systems read from the closest replica. A correct store redirects follower reads (or serves them
 * linearizably); a store that serves them from stale local state is caught.
 */
export function storeClients(thread: number, ctx: WorkloadContext): { any: StoreClient; near: StoreClient; close(): Promise<void> } {
  const names = Object.keys(ctx.nodes);
  const own = names[thread % names.length]!;
  const any = new StoreClient({ nodes: ctx.nodes, timeoutMs: ctx.opTimeoutMs, prefer: own });
  const near = new StoreClient({ nodes: { [own]: ctx.nodes[own]! }, timeoutMs: ctx.opTimeoutMs });
  return { any, near, close: async () => void (await Promise.all([any.close(), near.close()])) };
}

/** Reads key from the thread's own node, or from the leader when that node redirects. */
export async function readNearest(c: { any: StoreClient; near: StoreClient }, key: string): Promise<Outcome<unknown>> {
  const near = await c.near.get(key);
  if (near.type === 'fail' && near.error === 'not-leader') return c.any.get(key);
  return near;
}

/** A store outcome as a completion; `value` replaces the outcome's value on ok when given. */
export function completion<T>(o: Outcome<T>, value?: (v: T) => unknown): Completion {
  if (o.type === 'ok') return { type: 'ok', value: value ? value(o.value) : o.value, node: o.node };
  const c: Completion = { type: o.type, error: o.error };
  if (o.node !== undefined) c.node = o.node;
  return c;
}
