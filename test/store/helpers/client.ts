// Test helpers over StoreClient. Reads change nothing, so retrying one until it succeeds is
// safe (unlike a write): under CPU contention an election can make a single read fail.

import type { StoreClient } from '../../../src/store/client.js';

export async function readOk(client: StoreClient, key: string, timeoutMs = 20_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.get(key);
    if (r.type === 'ok') return r.value;
    if (Date.now() > deadline) throw new Error(`no successful read of ${key} within ${timeoutMs} ms (last: ${r.type} ${r.error})`);
  }
}

/** Writes fresh keys until `count` are acknowledged; returns key → value of the acknowledged ones. */
export async function writeAcked(client: StoreClient, count: number, prefix = 'k', timeoutMs = 30_000): Promise<Map<string, number>> {
  const acked = new Map<string, number>();
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; acked.size < count; i++) {
    if (Date.now() > deadline) throw new Error(`only ${acked.size} of ${count} writes acknowledged within ${timeoutMs} ms`);
    const r = await client.put(`${prefix}${i}`, i);
    if (r.type === 'ok') acked.set(`${prefix}${i}`, i);
  }
  return acked;
}
