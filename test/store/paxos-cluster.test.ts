// Multi-Paxos on real 3- and 5-node clusters of store processes on loopback: kill -9 the leader,
// a new one completes phase 1 and leads, nothing acknowledged is lost, the old leader restarts
// from its WAL and catches up; and a fault-free cluster serves every read and write.

import test from 'ava';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { StoreWorkloadClient } from '../../src/db/store.js';
import { readOk, writeAcked } from './helpers/client.js';

const WAIT_MS = 20_000;

async function failover(t: import('ava').ExecutionContext, size: number): Promise<void> {
  const c = await LocalCluster.start(size, { protocol: 'paxos' });
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  const first = await c.awaitLeader(client, WAIT_MS);
  t.is((await client.status(first.id)).protocol, 'paxos');
  const acked = await writeAcked(client, 40);

  await c.kill(first.id);
  const second = await c.awaitLeader(client, WAIT_MS, first.id);
  t.not(second.id, first.id);
  t.true(second.term > first.term, 'the new leader leads a higher ballot');
  for (const [k, v] of acked) t.is(await readOk(client, k), v, `acknowledged ${k} survived`);
  const after = await writeAcked(client, 10, 'after');

  c.launch(first.id);
  const caughtUp = await pollUntil(async () => {
    const [s, l] = await Promise.all([client.status(first.id).catch(() => null), client.status(second.id)]);
    return s && s.role === 'follower' && s.leader === second.id && s.lastApplied >= l.commitIndex ? s : undefined;
  }, WAIT_MS, `${first.id} to catch up`);
  t.true(caughtUp.lastApplied >= acked.size + after.size, 'the restarted node applied every acknowledged write');
}

test('paxos, 3 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader catches up', (t) => failover(t, 3));
test('paxos, 5 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader catches up', (t) => failover(t, 5));

test('paxos, fault-free: every read from every node\'s threads and every write succeeds', async (t) => {
  const c = await LocalCluster.start(3, { protocol: 'paxos' });
  t.teardown(() => c.stop());
  const all = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => all.close());
  await c.awaitLeader(all, WAIT_MS);
  const nodes = Object.entries(c.clientAddrs).map(([name, a]) => ({ name, host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
  const ctx = { workload: 'kv', nodes, opTimeoutMs: 1000 };
  // The Db seam's client, as the run loop opens it: thread i on node i, reads to its own node first.
  const threads = await Promise.all([0, 1, 2].map(async (i) => {
    const th = new StoreWorkloadClient(ctx);
    await th.open(nodes[i]!);
    return th;
  }));
  t.teardown(() => Promise.all(threads.map((th) => th.close())));
  const outcomes = await Promise.all(
    threads.map(async (th, i) => {
      const seen: string[] = [];
      for (let j = 0; j < 20; j++) {
        const w = await th.invoke({ f: 'write', value: [`k${i}`, j] }, AbortSignal.timeout(10_000));
        seen.push(w.type === 'ok' ? 'ok' : `write ${w.type} ${w.error}`);
        const r = await th.invoke({ f: 'read', value: [`k${i}`, null] }, AbortSignal.timeout(10_000));
        const v = (r.value as [string, unknown] | undefined)?.[1];
        seen.push(r.type === 'ok' ? (v === j ? 'ok' : `read ${JSON.stringify(v)} after writing ${j}`) : `read ${r.type} ${r.error}`);
      }
      return seen;
    }),
  );
  const bad = outcomes.flat().filter((o) => o !== 'ok');
  t.deepEqual(bad, [], `${bad.length} of ${outcomes.flat().length} ops not ok`);
});
