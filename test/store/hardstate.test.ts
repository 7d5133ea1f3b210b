// A Ready that both snapshots and raises the term (Raft) or the promise (Paxos) must leave the
// newest hard state on disk. The snapshot op carries a hard state of its own; it used to be the
// one of when the snapshot was taken, applied after the newer `hs` op, so the durable term or
// promise went back (the Paxos simulator caught a promise sent for a ballot the disk no longer
// held, seed 107 of paxos-sim.test.ts).

import test from 'ava';
import { applyPersist, emptyDurable } from '../../src/store/durable.js';
import { PaxosCore } from '../../src/store/paxos/core.js';
import type { PaxosMessage } from '../../src/store/paxos/messages.js';
import { RaftCore } from '../../src/store/raft/core.js';
import type { RaftMessage } from '../../src/store/raft/messages.js';
import { KvStore } from '../../src/store/kv.js';
import { ZabCore } from '../../src/store/zab/core.js';
import type { ZabMessage } from '../../src/store/zab/messages.js';

const cfg = {
  id: 'n1', members: ['n1', 'n2', 'n3'], electionTicks: 10, heartbeatTicks: 2, random: () => 0.5, snapshotEntries: 1,
  maxEntriesPerMessage: 32, maxInflight: 8, leaseRead: false, leaseMs: 100, wallClockMs: () => 0,
};
const put = { op: 'put' as const, key: 'a', value: 1 };

test('raft: snapshot and a higher term in one Ready leave the higher term durable', (t) => {
  const core = new RaftCore(cfg, emptyDurable());
  core.step({ type: 'append', from: 'n2', to: 'n1', term: 1, prevIndex: 0, prevTerm: 0, entries: [{ index: 1, term: 1, cmd: null }, { index: 2, term: 1, cmd: put }], commit: 2 } as RaftMessage);
  for (let i = 0; i < 10; i++) core.tick(); // past the leader's lease: votes are considered again
  core.step({ type: 'vote', from: 'n3', to: 'n1', term: 5, lastIndex: 2, lastTerm: 1 } as RaftMessage);
  const r = core.takeReady();
  t.true(r.persist.some((op) => op.t === 'snapshot'), 'this Ready snapshots');
  const disk = emptyDurable();
  applyPersist(disk, r.persist);
  t.deepEqual(disk.hs, { term: 5, vote: 'n3' });
});

test('paxos: snapshot and a higher promise in one Ready leave the higher promise durable', (t) => {
  const core = new PaxosCore({ ...cfg, skipPrepare: false }, emptyDurable());
  core.step({ type: 'accept', from: 'n2', to: 'n1', term: 4, prevIndex: 0, entries: [{ index: 1, term: 4, cmd: null, origin: 4 }, { index: 2, term: 4, cmd: put, origin: 4 }], commit: 2 } as PaxosMessage);
  for (let i = 0; i < 10; i++) core.tick();
  core.step({ type: 'prepare', from: 'n3', to: 'n1', term: 5, start: 3 } as PaxosMessage);
  const r = core.takeReady();
  t.true(r.persist.some((op) => op.t === 'snapshot'), 'this Ready snapshots');
  t.true(r.messages.some((m) => m.type === 'promise' && m.term === 5), 'it promises ballot 5');
  const disk = emptyDurable();
  applyPersist(disk, r.persist);
  t.is(disk.hs.term, 5);
});

// Zab: a follower synchronized by SNAP installs the snapshot before it adopts the new current
// epoch, so the snapshot op carried the old epoch and undid the hs op on disk; the follower then
// ran for election with a stale current epoch and lost to a node missing a committed transaction
// (seed 294 of zab-sim.test.ts).
test('zab: a SNAP synchronization leaves the new current epoch durable', (t) => {
  const zcfg = {
    id: 'n1', members: ['n1', 'n2', 'n3'], electionTicks: 10, heartbeatTicks: 2, random: () => 0.5, snapshotEntries: 64,
    maxEntriesPerMessage: 32, skipSync: false, localRead: false, mutations: new Set<never>(),
  };
  const core = new ZabCore(zcfg, { hs: { term: 1, vote: '1' }, snapshot: null, entries: [{ index: 1, term: 1, cmd: null }] });
  const vote = { leader: 'n2', currentEpoch: 1, lastEpoch: 1, lastIndex: 1 };
  core.step({ type: 'notify', from: 'n2', to: 'n1', term: 1, round: 1, state: 'leading', vote } as ZabMessage);
  core.step({ type: 'newepoch', from: 'n2', to: 'n1', term: 2 } as ZabMessage);
  const disk = emptyDurable();
  applyPersist(disk, core.takeReady().persist);
  t.is(disk.hs.term, 2, 'the new epoch is promised');
  const snapshot = { index: 3, term: 1, data: new KvStore().snapshot() };
  core.step({ type: 'newleader', from: 'n2', to: 'n1', term: 2, mode: 'snap', truncFrom: 4, snapshot, entries: [], commit: 3 } as ZabMessage);
  const r = core.takeReady();
  t.true(r.persist.some((op) => op.t === 'snapshot'), 'this Ready installs the snapshot');
  t.true(r.messages.some((m) => (m as ZabMessage).type === 'acknl'), 'it acknowledges NEWLEADER');
  applyPersist(disk, r.persist);
  t.deepEqual(disk.hs, { term: 2, vote: '2' });
});
