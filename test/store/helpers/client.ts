// Test helpers over StoreClient. Reads change nothing, so retrying one until it succeeds is
// safe (unlike a write): under CPU contention an election can make a single read fail.

import type { StoreClient } from '../../../src/store/client.js';
import { StoreWorkloadClient } from '../../../src/db/store.js';

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

/**
 * One workload client per node of a loopback cluster, opened as the run loop opens them (thread i
 * on node i; reads go to the thread's own node first): the Db seam's client for the kv workload.
 */
export async function kvThreads(clientAddrs: Record<string, string>, opTimeoutMs: number): Promise<StoreWorkloadClient[]> {
  const nodes = Object.entries(clientAddrs).map(([name, a]) => ({ name, host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
  return Promise.all(
    nodes.map(async (node) => {
      const th = new StoreWorkloadClient({ workload: 'kv', nodes, opTimeoutMs });
      await th.open(node);
      return th;
    }),
  );
}

/** Each thread writes 0..rounds-1 to its own key and reads it back after each write; returns every op that was not ok and fresh, and the nodes that served reads. */
export async function writeThenRead(threads: StoreWorkloadClient[], rounds: number): Promise<{ all: string[]; bad: string[]; servedBy: Set<string> }> {
  const servedBy = new Set<string>();
  const outcomes = await Promise.all(
    threads.map(async (th, i) => {
      const seen: string[] = [];
      for (let j = 0; j < rounds; j++) {
        const w = await th.invoke({ f: 'write', value: [`k${i}`, j] }, AbortSignal.timeout(10_000));
        seen.push(w.type === 'ok' ? 'ok' : `write ${w.type} ${w.error}`);
        const r = await th.invoke({ f: 'read', value: [`k${i}`, null] }, AbortSignal.timeout(10_000));
        if (r.type === 'ok' && r.node) servedBy.add(r.node);
        const v = (r.value as [string, unknown] | undefined)?.[1];
        seen.push(r.type === 'ok' ? (v === j ? 'ok' : `read ${JSON.stringify(v)} after writing ${j}`) : `read ${r.type} ${r.error}`);
      }
      return seen;
    }),
  );
  const all = outcomes.flat();
  return { all, bad: all.filter((o) => o !== 'ok'), servedBy };
}
