// Real clusters of store processes on loopback: kill -9 the leader, a new one is elected, no
// acknowledged write is lost; the old leader restarts from its WAL and catches up.

import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { readOk, writeAcked } from './helpers/client.js';

const WAIT_MS = 20_000;

async function failover(t: import('ava').ExecutionContext, size: number): Promise<void> {
  const c = await LocalCluster.start(size);
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  const first = await c.awaitLeader(client, WAIT_MS);

  const acked = await writeAcked(client, 40);

  await c.kill(first.id);
  const second = await c.awaitLeader(client, WAIT_MS, first.id);
  t.not(second.id, first.id);
  t.true(second.term > first.term);

  for (const [k, v] of acked) t.is(await readOk(client, k), v, `acknowledged ${k} survived`);
  const after = await writeAcked(client, 10, 'after');

  c.launch(first.id);
  const caughtUp = await pollUntil(async () => {
    const [s, l] = await Promise.all([client.status(first.id).catch(() => null), client.status(second.id)]);
    return s && s.role === 'follower' && s.leader === second.id && s.lastApplied >= l.commitIndex ? s : undefined;
  }, WAIT_MS, `${first.id} to catch up`);
  t.is(caughtUp.term, (await client.status(second.id)).term);
  t.true(caughtUp.lastApplied >= acked.size + after.size, 'the restarted node applied every acknowledged write');
  t.regex(c.node(first.id).output, /role leader/, 'role changes are logged');
}

test('3 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader catches up', (t) => failover(t, 3));
test('5 nodes: kill -9 the leader, nothing acknowledged is lost, the old leader catches up', (t) => failover(t, 5));

test('with a majority down, writes fail or are indefinite, never acknowledged', async (t) => {
  const c = await LocalCluster.start(3);
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 1500 });
  t.teardown(() => client.close());
  const leader = await c.awaitLeader(client, WAIT_MS);
  const followers = c.nodes.map((n) => n.id).filter((id) => id !== leader.id);
  for (const id of followers) await c.kill(id);
  const r = await client.put('x', 1);
  t.not(r.type, 'ok');
  t.not((await client.get('x')).type, 'ok', 'no linearizable read without a majority');
});

test('a node whose WAL is damaged in the middle refuses to start, naming the file and offset', async (t) => {
  const c = await LocalCluster.start(1);
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  await c.awaitLeader(client, WAIT_MS);
  await writeAcked(client, 20);
  await c.kill('n1');
  const wal = join(c.dataRoot, 'n1', 'wal.bin');
  const image = readFileSync(wal);
  const at = Math.floor(image.length / 2);
  image.writeUInt8(image.readUInt8(at) ^ 0x55, at);
  writeFileSync(wal, image);
  const before = c.node('n1').output.length;
  c.launch('n1');
  const proc = c.node('n1').proc!;
  const code = await new Promise<number | null>((r) => proc.once('exit', (exitCode) => r(exitCode)));
  t.is(code, 1);
  const said = c.node('n1').output.slice(before);
  t.regex(said, new RegExp(`corrupt log .*wal\\.bin at byte offset \\d+`));
  t.is(said.trim().split('\n').length, 1, 'one line, no stack');
});

test('one-way partition: a leader that can hear but not speak is replaced, then rejoins', async (t) => {
  const c = await LocalCluster.start(3, { links: true });
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 3000 });
  t.teardown(() => client.close());
  const old = await c.awaitLeader(client, WAIT_MS);
  const before = await writeAcked(client, 10, 'before');
  for (const n of c.nodes) if (n.id !== old.id) c.cut(old.id, n.id);
  const next = await c.awaitLeader(client, WAIT_MS, old.id);
  t.true(next.term > old.term);
  // The old leader still hears the new term, so it steps down instead of lingering.
  await pollUntil(async () => (await client.status(old.id)).role === 'follower', WAIT_MS, `${old.id} to step down`);
  const during = await writeAcked(client, 10, 'during');
  for (const n of c.nodes) if (n.id !== old.id) c.cut(old.id, n.id, false);
  await pollUntil(async () => {
    const [s, l] = await Promise.all([client.status(old.id), client.status(next.id)]);
    return s.lastApplied >= l.commitIndex && s.term === l.term;
  }, WAIT_MS, `${old.id} to catch up`);
  for (const [k, v] of [...before, ...during]) t.is(await readOk(client, k), v);
});
