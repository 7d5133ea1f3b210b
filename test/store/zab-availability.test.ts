// A correct Zab store is available when nothing is wrong (issue 12, item 4): the workloads read
// from each thread's own node (src/db/store.ts), and a Zab follower serves that read
// itself after a `sync` with the leader, so no read waits on a redirect and every one sees the
// thread's own last write. Real 3-node cluster on loopback.

import test from 'ava';
import { kvThreads, writeThenRead } from './helpers/client.js';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';

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
  // The Db seam's client, as the run loop opens it: thread i on node i, reads to its own node first.
  const threads = await kvThreads(c.clientAddrs, OP_TIMEOUT_MS);
  t.teardown(() => Promise.all(threads.map((th) => th.close())));
  const { all: ops, bad, servedBy } = await writeThenRead(threads, 30);
  t.deepEqual(bad, [], `${bad.length} of ${ops.length} ops not ok`);
  t.is(servedBy.size, 3, 'followers answered reads themselves');
});
