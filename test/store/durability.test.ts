// Durability against real processes: the no-fsync bug really loses acknowledged writes on
// kill -9 (and the default does not), and a follower that missed compacted history catches
// up by InstallSnapshot over TCP with the right state.

import test from 'ava';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { readOk, writeAcked } from './helpers/client.js';

const WAIT_MS = 20_000;

async function writeKillRestart(t: import('ava').ExecutionContext, args: string[], size = 1) {
  const c = await LocalCluster.start(size, { args });
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  await c.awaitLeader(client, WAIT_MS);
  const acked = [...(await writeAcked(client, 20)).keys()];
  const ids = c.nodes.map((n) => n.id);
  await Promise.all(ids.map((id) => c.kill(id))); // power loss: every node at once
  for (const id of ids) c.launch(id);
  await c.awaitLeader(client, WAIT_MS);
  const lost: string[] = [];
  for (const k of acked) if ((await readOk(client, k)) === null) lost.push(k);
  return { acked, lost };
}

test('no-fsync: kill -9 loses acknowledged writes', async (t) => {
  const { acked, lost } = await writeKillRestart(t, ['--bug', 'no-fsync']);
  t.is(acked.length, 20);
  // The WAL is written lazily (every 5 s), so at least the last writes cannot be on disk.
  t.true(lost.length > 0, `lost ${lost.length} of ${acked.length} acknowledged writes`);
});

test('no-fsync: kill -9 of a whole 3-node cluster loses acknowledged writes', async (t) => {
  const { acked, lost } = await writeKillRestart(t, ['--bug', 'no-fsync'], 3);
  t.is(acked.length, 20);
  t.true(lost.length > 0, `lost ${lost.length} of ${acked.length} acknowledged writes`);
});

test('default fsync: kill -9 of a whole 3-node cluster loses nothing acknowledged', async (t) => {
  const { acked, lost } = await writeKillRestart(t, [], 3);
  t.is(acked.length, 20);
  t.deepEqual(lost, []);
});

test('default fsync: kill -9 loses nothing acknowledged', async (t) => {
  const { acked, lost } = await writeKillRestart(t, []);
  t.is(acked.length, 20);
  t.deepEqual(lost, []);
});

test('a follower that missed compacted history is caught up by snapshot, with the right state', async (t) => {
  const c = await LocalCluster.start(3, { args: ['--snapshot-entries', '50'] });
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  const leader = await c.awaitLeader(client, WAIT_MS);
  const [lagger, other] = c.nodes.map((n) => n.id).filter((id) => id !== leader.id) as [string, string];
  await c.kill(lagger);
  const acked = await writeAcked(client, 300);
  t.true(existsSync(join(c.dataRoot, leader.id, 'snapshot.bin')), 'the leader compacted its log');

  c.launch(lagger);
  await pollUntil(async () => {
    const [s, l] = await Promise.all([client.status(lagger).catch(() => null), client.status(leader.id)]);
    return s !== null && s.lastApplied >= l.commitIndex;
  }, WAIT_MS, `${lagger} to catch up`);
  t.true(existsSync(join(c.dataRoot, lagger, 'snapshot.bin')), 'it caught up through an installed snapshot');

  // Leave the lagger as the only node with data: it must lead, and serve everything.
  for (const id of [leader.id, other]) {
    await c.kill(id);
    rmSync(join(c.dataRoot, id), { recursive: true, force: true });
    c.launch(id);
  }
  const next = await c.awaitLeader(client, WAIT_MS);
  t.is(next.id, lagger);
  for (const [k, v] of acked) t.is(await readOk(client, k), v);
});
