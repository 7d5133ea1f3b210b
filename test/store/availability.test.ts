// A correct store is available when nothing is wrong (issue 12, item 4). The workloads read
// from each thread's own node and fall back to the leader when that node redirects
// (src/db/store.ts, StoreWorkloadClient). The single-node client used for the near read once asked the
// same follower again and again until its deadline, then reported `no-leader`: every follower
// read waited the whole op timeout and failed, with a healthy leader. Real 3-node cluster.

import test from 'ava';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster } from '../../src/store/local-cluster.js';
import { StoreWorkloadClient } from '../../src/db/store.js';

const WAIT_MS = 20_000;
const OP_TIMEOUT_MS = 1000;

test('a single-node client answers not-leader at once, naming the leader', async (t) => {
  const c = await LocalCluster.start(3);
  t.teardown(() => c.stop());
  const all = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => all.close());
  const leader = await c.awaitLeader(all, WAIT_MS);
  const follower = c.nodes.map((n) => n.id).find((id) => id !== leader.id)!;
  const near = new StoreClient({ nodes: { [follower]: c.clientAddrs[follower]! }, timeoutMs: OP_TIMEOUT_MS });
  t.teardown(() => near.close());
  t.deepEqual(await near.get('k'), { type: 'fail', error: 'not-leader', node: follower, leader: leader.id });
});

test('fault-free: every read from every node\'s threads and every write succeeds', async (t) => {
  const c = await LocalCluster.start(3);
  t.teardown(() => c.stop());
  const all = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => all.close());
  await c.awaitLeader(all, WAIT_MS);
  const nodes = Object.entries(c.clientAddrs).map(([name, a]) => ({ name, host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
  const ctx = { workload: 'kv', nodes, opTimeoutMs: OP_TIMEOUT_MS };
  // One thread per node, as the run binds threads to nodes; each writes then reads its key.
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
