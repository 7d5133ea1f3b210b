// Transactions in the bundled store: the txn command's semantics on the state machine (all or
// nothing, reads see the txn's own writes), its validation, its path through each protocol
// (writes through the log; read-only txns through the read barrier, never a partitioned
// follower's local state), the txn-local-read bug switch, and real 3-node clusters of each protocol.

import test from 'ava';
import { commandError, isReadOnly, KvStore, type MicroOp } from '../../src/store/kv.js';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster } from '../../src/store/local-cluster.js';
import type { Bug } from '../../src/store/bugs.js';
import { cluster, elect, run, settle } from './helpers/sim.js';

test('txn: micro-ops in order, reads see the txn\'s own writes, the result fills in reads', (t) => {
  const kv = new KvStore();
  kv.apply({ op: 'put', key: 'x', value: 1 });
  const r = kv.apply({ op: 'txn', ops: [['r', 'x', null], ['w', 'x', 2], ['r', 'x', null], ['append', 'l', 'a'], ['append', 'l', 'b'], ['r', 'l', null], ['r', 'absent', null]] });
  t.deepEqual(r, { ok: true, value: [['r', 'x', 1], ['w', 'x', 2], ['r', 'x', 2], ['append', 'l', 'a'], ['append', 'l', 'b'], ['r', 'l', ['a', 'b']], ['r', 'absent', null]] });
  t.is(kv.get('x'), 2);
  t.deepEqual(kv.get('l'), ['a', 'b']);
});

test('txn: all or nothing — an append to a non-list fails the whole txn and changes nothing', (t) => {
  const kv = new KvStore();
  kv.apply({ op: 'put', key: 's', value: 'scalar' });
  t.deepEqual(kv.apply({ op: 'txn', ops: [['append', 'l', 1], ['w', 'x', 5], ['append', 's', 2]] }), { ok: false, error: 'not-a-list' });
  t.is(kv.get('l'), null);
  t.is(kv.get('x'), null);
  t.is(kv.get('s'), 'scalar');
  // a write that makes a key a list inside the txn lets a later append in the same txn succeed
  t.like(kv.apply({ op: 'txn', ops: [['w', 's', []], ['append', 's', 3]] }), { ok: true });
  t.deepEqual(kv.get('s'), [3]);
});

test('txn: preview (early-ack, reads) changes nothing; results are not aliased by later appends', (t) => {
  const kv = new KvStore();
  kv.apply({ op: 'txn', ops: [['append', 'l', 1]] });
  t.deepEqual(kv.preview({ op: 'txn', ops: [['append', 'l', 2], ['r', 'l', null]] }), { ok: true, value: [['append', 'l', 2], ['r', 'l', [1, 2]]] });
  t.deepEqual(kv.get('l'), [1]);
  const read = kv.apply({ op: 'txn', ops: [['r', 'l', null]] });
  kv.apply({ op: 'txn', ops: [['append', 'l', 3]] });
  t.deepEqual(read, { ok: true, value: [['r', 'l', [1]]] });
});

test('txn: isReadOnly and validation name the bad micro-op', (t) => {
  t.true(isReadOnly({ op: 'txn', ops: [['r', 'a', null], ['r', 'b', null]] }));
  t.false(isReadOnly({ op: 'txn', ops: [['r', 'a', null], ['append', 'b', 1]] }));
  t.true(isReadOnly({ op: 'get', key: 'a' }));
  t.is(commandError({ op: 'txn', ops: [['r', 'a'], ['append', 'b', 1], ['w', 'c', null]] }), null);
  t.regex(commandError({ op: 'txn', ops: [] })!, /non-empty/);
  t.regex(commandError({ op: 'txn' })!, /non-empty/);
  t.regex(commandError({ op: 'txn', ops: [['r', 'a'], ['cas', 'a', 1]] })!, /txn op 1: unknown f "cas"/);
  t.regex(commandError({ op: 'txn', ops: [['append', '', 1]] })!, /txn op 0: key/);
  t.regex(commandError({ op: 'txn', ops: [['append', 'a']] })!, /txn op 0: append needs a value/);
  t.regex(commandError({ op: 'txn', ops: Array.from({ length: 1001 }, () => ['r', 'a']) })!, /at most 1000/);
});

const PROTOCOLS = ['raft', 'paxos', 'zab'] as const;
const SEEDS = [1, 2, 3, 4];

/** Zab: a leader established and followed by every node (its no-op-free commit rule differs from Raft's). */
function zabLeader(c: ReturnType<typeof cluster>): string {
  const ok = c.runUntil(() => {
    const l = c.leader();
    return l !== undefined && c.nodes.every((n) => n.core === null || n.core.status().leader === l.id);
  }, 3000);
  if (!ok) throw new Error('no Zab leader followed by every node within 3000 steps');
  return c.leader()!.id;
}

/** A follower is cut off after a txn committed; the majority commits a newer txn; the follower is asked for a read-only txn. */
function partitionedReadOnlyTxn(protocol: (typeof PROTOCOLS)[number], seed: number, bugs: Bug[]) {
  const c = cluster({ seed, protocol, bugs });
  const leader = protocol === 'zab' ? zabLeader(c) : elect(c);
  const first = run(c, leader, { op: 'txn', ops: [['append', 'a', 1], ['append', 'b', 1]] });
  settle(c);
  const follower = c.ids.find((x) => x !== leader)!;
  c.net.partition([follower], c.ids.filter((x) => x !== follower));
  const second = run(c, leader, { op: 'txn', ops: [['append', 'a', 2], ['r', 'b', null]] });
  const onLeader = run(c, leader, { op: 'txn', ops: [['r', 'a', null], ['r', 'b', null]] });
  const onFollower = run(c, follower, { op: 'txn', ops: [['r', 'a', null], ['r', 'b', null]] });
  return { first, second, onLeader, onFollower };
}

for (const protocol of PROTOCOLS) {
  test(`${protocol} (simulated): txns commit through the log; a read-only txn on a cut-off follower never returns a stale snapshot, with txn-local-read it does`, (t) => {
    for (const seed of SEEDS) {
      const good = partitionedReadOnlyTxn(protocol, seed, []);
      t.deepEqual(good.first, { ok: true, value: [['append', 'a', 1], ['append', 'b', 1]] }, `seed ${seed}`);
      t.deepEqual(good.second, { ok: true, value: [['append', 'a', 2], ['r', 'b', [1]]] }, `seed ${seed}`);
      t.deepEqual(good.onLeader, { ok: true, value: [['r', 'a', [1, 2]], ['r', 'b', [1]]] }, `seed ${seed}: the leader's read-only txn sees the committed txn`);
      // Raft and Paxos followers redirect; a Zab follower cannot complete its sync while cut off.
      t.false(good.onFollower.ok, `seed ${seed}: ${JSON.stringify(good.onFollower)}`);
      const bad = partitionedReadOnlyTxn(protocol, seed, ['txn-local-read']);
      t.true(bad.second.ok, `seed ${seed}`);
      t.deepEqual(bad.onFollower, { ok: true, value: [['r', 'a', [1]], ['r', 'b', [1]]] }, `seed ${seed}: the stale snapshot, after the newer txn was acknowledged`);
    }
  });
}

/** Concurrent txns from clients on every node: every acknowledged append is in the final read, each once, in one order all reads agree with. */
for (const protocol of PROTOCOLS) {
  test(`${protocol}, 3 real nodes: concurrent append/read txns are atomic and every read is a prefix of the final list`, async (t) => {
    const c = await LocalCluster.start(3, { protocol });
    t.teardown(() => c.stop());
    const admin = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
    t.teardown(() => admin.close());
    await c.awaitLeader(admin, 20_000);
    const clients = Object.keys(c.clientAddrs).map((prefer) => new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000, prefer }));
    t.teardown(() => Promise.all(clients.map((x) => x.close())));
    const acked: number[] = [];
    const reads: unknown[][] = [];
    await Promise.all(
      clients.map(async (cl, i) => {
        for (let j = 0; j < 25; j++) {
          const v = i * 100 + j;
          // Both keys get the same value in one txn: any read of both must see equal lists (atomicity).
          const w = await cl.txn([['append', 'x', v], ['append', 'y', v], ['r', 'x', null]]);
          if (w.type === 'ok') {
            acked.push(v);
            const seen = w.value[2]![2] as number[];
            t.is(seen.at(-1), v, 'the txn reads its own append');
          }
          const r = await cl.txn([['r', 'x', null], ['r', 'y', null]]);
          if (r.type === 'ok') {
            const [[, , x], [, , y]] = r.value as [MicroOp, MicroOp];
            t.deepEqual(x, y, 'a read-only txn sees both appends of a txn or neither');
            reads.push((x as number[] | null) ?? []);
          }
        }
      }),
    );
    t.true(acked.length >= 60, `most txns acknowledged in a fault-free cluster (${acked.length} of 75)`);
    const final = await admin.txn([['r', 'x', null], ['r', 'y', null]]);
    t.is(final.type, 'ok');
    const list = ((final as { value: MicroOp[] }).value[0]![2] as number[]) ?? [];
    for (const v of acked) t.is(list.filter((x) => x === v).length, 1, `acknowledged ${v} present once`);
    for (const r of reads) t.deepEqual(list.slice(0, r.length), r, 'every read is a prefix of the final list');
  });
}
