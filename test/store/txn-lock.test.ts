// The store's lock service: grants with growing fencing tokens, lease expiry judged at the
// proposer's stamped time, release by the holder only, the resource's fencing check; and the
// lock-lease-clock bug on a real cluster: a write whose lease looks valid by the clock of the node
// that takes it skips the fencing check, so the resource accepts an older token after a newer one.

import test from 'ava';
import { commandError, KvStore } from '../../src/store/kv.js';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster } from '../../src/store/local-cluster.js';

test('lock: grant, held, expiry at the stamped time, tokens grow, release only by the current grant', (t) => {
  const kv = new KvStore();
  t.deepEqual(kv.apply({ op: 'lock-acquire', key: 'l', holder: 'a', leaseMs: 100, now: 1000 }), { ok: true, value: { token: 1, expiresAt: 1100 } });
  t.deepEqual(kv.apply({ op: 'lock-acquire', key: 'l', holder: 'b', leaseMs: 100, now: 1099 }), { ok: false, error: 'lock-held' });
  t.deepEqual(kv.apply({ op: 'lock-acquire', key: 'l', holder: 'b', leaseMs: 100, now: 1100 }), { ok: true, value: { token: 2, expiresAt: 1200 } }, 'the lease ran out');
  t.deepEqual(kv.apply({ op: 'lock-release', key: 'l', token: 1 }), { ok: false, error: 'not-holder' }, 'an old grant cannot release');
  t.deepEqual(kv.apply({ op: 'lock-release', key: 'l', token: 2 }), { ok: true, value: 2 });
  t.deepEqual(kv.apply({ op: 'lock-release', key: 'l', token: 2 }), { ok: false, error: 'not-holder' }, 'released once');
  t.deepEqual(kv.apply({ op: 'lock-acquire', key: 'l', holder: 'a', leaseMs: 100, now: 1150 }), { ok: true, value: { token: 3, expiresAt: 1250 } }, 'free after release, before expiry');
});

test('lock: the resource rejects a token lower than the highest it accepted, unless the write is trusted (the bug)', (t) => {
  const kv = new KvStore();
  t.like(kv.apply({ op: 'lock-write', key: 'l', token: 2, value: 'x', expiresAt: 0 }), { ok: true });
  t.like(kv.apply({ op: 'lock-write', key: 'l', token: 2, value: 'y', expiresAt: 0 }), { ok: true }, 'the same token again');
  t.deepEqual(kv.apply({ op: 'lock-write', key: 'l', token: 1, value: 'z', expiresAt: 0 }), { ok: false, error: 'stale-token' });
  t.deepEqual(kv.get('l/resource'), { highest: 2, accepted: 2, last: 'y' });
  t.like(kv.apply({ op: 'lock-write', key: 'l', token: 1, value: 'z', expiresAt: 0, trusted: true }), { ok: true });
  t.deepEqual(kv.get('l/resource'), { highest: 2, accepted: 3, last: 'z' });
});

test('lock: malformed lock commands are refused with the reason', (t) => {
  t.regex(commandError({ op: 'lock-acquire', key: 'l', leaseMs: 10 })!, /holder/);
  t.regex(commandError({ op: 'lock-acquire', key: 'l', holder: 'a', leaseMs: 0 })!, /leaseMs/);
  t.regex(commandError({ op: 'lock-release', key: 'l', token: 'x' })!, /token/);
  t.regex(commandError({ op: 'lock-write', key: 'l', token: 1, expiresAt: 5 })!, /value/);
  t.is(commandError({ op: 'lock-write', key: 'l', token: 1, expiresAt: 5, value: null }), null);
});

/** A holds token 1; its lease runs out; B is granted token 2 and writes; then A writes with a lease that looks valid (as by a clock set back). */
async function twoHolders(t: import('ava').ExecutionContext, bugs: string[]) {
  const c = await LocalCluster.start(3, { protocol: 'raft', args: bugs.length ? ['--bug', bugs.join(',')] : [] });
  t.teardown(() => c.stop());
  const client = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
  t.teardown(() => client.close());
  await c.awaitLeader(client, 20_000);
  // A's lease is long enough that B's first try falls inside it even on a loaded machine.
  const a = await client.lockAcquire('L', 'a', 4000);
  t.is(a.type, 'ok');
  t.like(await client.lockAcquire('L', 'b', 200), { type: 'fail', error: 'lock-held' });
  // Then B tries until A's lease has run out (by the leader's clock, which stamped it).
  let b = await client.lockAcquire('L', 'b', 10_000);
  for (const until = Date.now() + 30_000; b.type === 'fail' && b.error === 'lock-held' && Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 100));
    b = await client.lockAcquire('L', 'b', 10_000);
  }
  t.like(b, { type: 'ok', value: { token: 2 } });
  t.like(await client.lockWrite('L', 2, (b as { value: { expiresAt: number } }).value.expiresAt, 'from b'), { type: 'ok' });
  // A still believes it holds the lock: its expiry as a node whose clock runs 10 s behind would judge it.
  return client.lockWrite('L', 1, Date.now() + 10_000, 'from a');
}

test('raft, 3 real nodes: an old holder\'s write after a newer token was accepted is fenced off', async (t) => {
  t.like(await twoHolders(t, []), { type: 'fail', error: 'stale-token' });
});

test('raft, 3 real nodes, --bug lock-lease-clock: the same write is trusted by the clock and accepted — two holders at once', async (t) => {
  t.like(await twoHolders(t, ['lock-lease-clock']), { type: 'ok', value: { token: 1, value: 'from a' } });
});
