// A correct Zab store is available when nothing is wrong (issue 12, item 4): the workloads read
// from each thread's own node (workloads/store-client.ts), and a Zab follower serves that read
// itself after a `sync` with the leader, so no read waits on a redirect and every one sees the
// thread's own last write. Real 3-node cluster on loopback.

import test from 'ava';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { readNearest, storeClients } from '../../workloads/store-client.js';

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
  const ctx = { nodes: c.clientAddrs, opTimeoutMs: OP_TIMEOUT_MS };
  const threads = [0, 1, 2].map((i) => storeClients(i, ctx));
  t.teardown(() => Promise.all(threads.map((th) => th.close())));
  const servedBy = new Set<string>();
  const outcomes = await Promise.all(
    threads.map(async (th, i) => {
      const seen: string[] = [];
      for (let j = 0; j < 30; j++) {
        const w = await th.any.put(`k${i}`, j);
        seen.push(w.type === 'ok' ? 'ok' : `write ${w.type} ${w.error}`);
        const r = await readNearest(th, `k${i}`);
        if (r.type === 'ok') servedBy.add(r.node);
        seen.push(r.type === 'ok' ? (r.value === j ? 'ok' : `read ${JSON.stringify(r.value)} after writing ${j}`) : `read ${r.type} ${r.error}`);
      }
      return seen;
    }),
  );
  const bad = outcomes.flat().filter((o) => o !== 'ok');
  t.deepEqual(bad, [], `${bad.length} of ${outcomes.flat().length} ops not ok`);
  t.is(servedBy.size, 3, 'followers answered reads themselves');
});
