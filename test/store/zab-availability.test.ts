// A correct Zab store is available when nothing is wrong (issue 12, item 4): the workloads read
// from each thread's own node (src/db/store.ts), and a Zab follower serves that read
// itself after a `sync` with the leader, so no read waits on a redirect and every one sees the
// thread's own last write. Real 3-node cluster on loopback.

import test from 'ava';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { StoreWorkloadClient } from '../../src/db/store.js';

const WAIT_MS = 20_000;
// Generous for a loaded test machine: a fault-free op takes milliseconds; none may fail.
const OP_TIMEOUT_MS = 2000;

test('zab, fault-free: every write, and every read on every node (followers included), succeeds and is fresh', async (t) => {
  const c = await LocalCluster.start(3, { args: ['--protocol', 'zab'] });
  t.teardown(() => c.stop());
  const all = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => all.close());
  const leader = await c.awaitLeader(all, WAIT_MS);
  // Every node synchronized with that leader before the clock starts.
  for (const n of c.nodes) {
    await pollUntil(async () => (await all.status(n.id).catch(() => null))?.leader === leader.id, WAIT_MS, `${n.id} to follow ${leader.id}`);
  }
  const nodes = Object.entries(c.clientAddrs).map(([name, a]) => ({ name, host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
  const ctx = { workload: 'kv', nodes, opTimeoutMs: OP_TIMEOUT_MS };
  // The Db seam's client, as the run loop opens it: thread i on node i, reads to its own node first.
  const threads = await Promise.all([0, 1, 2].map(async (i) => {
    const th = new StoreWorkloadClient(ctx);
    await th.open(nodes[i]!);
    return th;
  }));
  t.teardown(() => Promise.all(threads.map((th) => th.close())));
  const servedBy = new Set<string>();
  const outcomes = await Promise.all(
    threads.map(async (th, i) => {
      const seen: string[] = [];
      for (let j = 0; j < 30; j++) {
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
  const bad = outcomes.flat().filter((o) => o !== 'ok');
  t.deepEqual(bad, [], `${bad.length} of ${outcomes.flat().length} ops not ok`);
  t.is(servedBy.size, 3, 'followers answered reads themselves');
});
