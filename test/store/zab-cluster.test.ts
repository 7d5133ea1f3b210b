// Real Zab clusters of store processes on loopback (--protocol zab): kill -9 the leader, a new
// epoch is established, nothing acknowledged is lost; the old leader restarts from its WAL and
// is synchronized to the new leader's history. Reads are sync + read, served by followers too.

import test from 'ava';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { readOk, writeAcked } from './helpers/client.js';

const WAIT_MS = 20_000;
const ZAB = { args: ['--protocol', 'zab'] };

async function failover(t: import('ava').ExecutionContext, size: number): Promise<void> {
  const c = await LocalCluster.start(size, ZAB);
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  const first = await c.awaitLeader(client, WAIT_MS);
  t.is((await client.status(first.id)).protocol, 'zab');

  const acked = await writeAcked(client, 40);

  await c.kill(first.id);
  const second = await c.awaitLeader(client, WAIT_MS, first.id);
  t.not(second.id, first.id);
  t.true(second.term > first.term, 'a new epoch');

  for (const [k, v] of acked) t.is(await readOk(client, k), v, `acknowledged ${k} survived`);
  const after = await writeAcked(client, 10, 'after');

  c.launch(first.id);
  const caughtUp = await pollUntil(async () => {
    const [s, l] = await Promise.all([client.status(first.id).catch(() => null), client.status(second.id)]);
    return s && s.role === 'follower' && s.leader === second.id && s.lastApplied >= l.commitIndex ? s : undefined;
  }, WAIT_MS, `${first.id} to be synchronized`);
  t.is(caughtUp.term, (await client.status(second.id)).term);
  t.true(caughtUp.lastApplied >= acked.size + after.size, 'the restarted node applied every acknowledged write');

  // A follower answers a read itself (sync with the leader first) and sees the latest write.
  const follower = new StoreClient({ nodes: { [first.id]: c.clientAddrs[first.id]! }, timeoutMs: 5000 });
  t.teardown(() => follower.close());
  const w = await client.put('fresh', 'v');
  t.is(w.type, 'ok');
  const r = await follower.get('fresh');
  t.deepEqual([r.type, r.type === 'ok' ? r.value : undefined, r.node], ['ok', 'v', first.id]);
  t.regex(c.node(first.id).output, /role leader/, 'role changes are logged');
}

test('zab, 3 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader is synchronized', (t) => failover(t, 3));
test('zab, 5 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader is synchronized', (t) => failover(t, 5));

test('zab: with a majority down, writes and reads are never acknowledged', async (t) => {
  const c = await LocalCluster.start(3, ZAB);
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 1500 });
  t.teardown(() => client.close());
  const leader = await c.awaitLeader(client, WAIT_MS);
  for (const id of c.nodes.map((n) => n.id).filter((id) => id !== leader.id)) await c.kill(id);
  t.not((await client.put('x', 1)).type, 'ok');
  t.not((await client.get('x')).type, 'ok', 'no sync without a quorum');
});
