// A correct store is available when nothing is wrong (issue 12, item 4). The workloads read
// from each thread's own node and fall back to the leader when that node redirects
// (src/db/store.ts, StoreWorkloadClient). The single-node client used for the near read once asked the
// same follower again and again until its deadline, then reported `no-leader`: every follower
// read waited the whole op timeout and failed, with a healthy leader. Real 3-node cluster.

import test from 'ava';
import { kvThreads, writeThenRead } from './helpers/client.js';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster } from '../../src/store/local-cluster.js';

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
  // The Db seam's client, as the run loop opens it: thread i on node i, reads to its own node first.
  const threads = await kvThreads(c.clientAddrs, OP_TIMEOUT_MS);
  t.teardown(() => Promise.all(threads.map((th) => th.close())));
  const { all: ops, bad } = await writeThenRead(threads, 20);
  t.deepEqual(bad, [], `${bad.length} of ${ops.length} ops not ok`);
});
