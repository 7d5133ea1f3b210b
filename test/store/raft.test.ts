// Focused Raft properties, each in a scenario small enough to reason about: conflict back-off
// skips a whole divergent term in one round trip, pre-vote keeps an isolated node from
// inflating terms and disrupting the leader, check-quorum deposes a cut-off leader, commits
// wait for the current term, and a restarted node recovers term, vote and log from its disk.

import test from 'ava';
import type { Entry, PeerMessage } from '../../src/store/protocol.js';
import { RaftCore } from '../../src/store/raft/core.js';
import type { RaftMessage } from '../../src/store/raft/messages.js';
import { Rng } from '../../src/store/sim/rng.js';
import { cluster, elect, run, settle } from './helpers/sim.js';

const entries = (from: number, to: number, term: number): Entry[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i, term, cmd: { op: 'put', key: 'k', value: `${term}:${from + i}` } }));

function core(id: string, term: number, log: Entry[]): RaftCore {
  const rng = new Rng(id.charCodeAt(1));
  return new RaftCore(
    { id, members: ['a', 'b', 'c'], electionTicks: 10, heartbeatTicks: 2, random: () => rng.next(), snapshotEntries: 10_000,
      maxEntriesPerMessage: 1000, maxInflight: 8, leaseRead: false, leaseMs: 0, wallClockMs: () => 0 },
    { hs: { term, vote: null }, snapshot: null, entries: log },
  );
}

/** Delivers every message (persisting instantly) until the cores go quiet; returns all sent. */
function exchange(nodes: Map<string, RaftCore>): PeerMessage[] {
  const sent: PeerMessage[] = [];
  for (let round = 0; round < 100; round++) {
    const batch: PeerMessage[] = [];
    for (const n of nodes.values()) {
      while (n.hasReady()) {
        const r = n.takeReady();
        batch.push(...r.urgentMessages, ...r.messages);
        if (r.persist.length > 0) n.onStable(r.lastIndex, r.lastTerm);
      }
    }
    if (batch.length === 0) return sent;
    sent.push(...batch);
    for (const m of batch) nodes.get(m.to)!.step(m as RaftMessage);
  }
  throw new Error('messages never stopped');
}

test('conflict back-off skips a whole divergent term in one round trip', (t) => {
  const common = entries(1, 50, 1);
  const a = core('a', 3, [...common, ...entries(51, 100, 3)]);
  const b = core('b', 2, [...common, ...entries(51, 150, 2)]);
  const c = core('c', 3, [...common, ...entries(51, 100, 3)]);
  const nodes = new Map([['a', a], ['b', b], ['c', c]]);
  while (a.status().role !== 'leader') {
    a.tick();
    exchange(nodes);
  }
  const sent = exchange(nodes);
  const rejects = sent.filter((m) => m.from === 'b' && m.type === 'append-resp' && !(m as unknown as { success: boolean }).success);
  t.true(rejects.length <= 1, `${rejects.length} rejections for 100 divergent entries`);
  t.deepEqual(b.inspect().entries, a.inspect().entries, 'the follower now holds exactly the leader log');
  t.is(b.termAt(150), undefined, 'the divergent term-2 suffix is gone');
});

test('pre-vote: an isolated node does not inflate its term or depose the leader when it returns', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const c = cluster({ seed });
    const leader = elect(c);
    const term = c.node(leader).core!.status().term;
    const loner = c.ids.find((id) => id !== leader)!;
    c.net.partition([loner], c.ids.filter((id) => id !== loner));
    c.run(500);
    t.is(c.node(loner).core!.status().term, term, `seed ${seed}: no term inflation while isolated`);
    c.net.heal();
    settle(c);
    t.is(c.leader()!.id, leader, `seed ${seed}: the leader kept its job`);
    t.is(c.leader()!.core!.status().term, term);
  }
});

test('check-quorum: a leader cut off from the majority steps down, and its writes never commit', (t) => {
  for (const seed of [1, 2, 3, 4]) {
    const c = cluster({ seed, nodes: 5 });
    const old = elect(c);
    c.net.partition([old], c.ids.filter((id) => id !== old));
    const w = c.submit(old, { op: 'put', key: 'x', value: 'orphan' });
    c.run(60);
    t.not(c.node(old).core!.status().role, 'leader', `seed ${seed}: stepped down`);
    t.not(w.reply?.ok, true);
    c.net.heal();
    settle(c);
    t.deepEqual(run(c, c.leader()!.id, { op: 'get', key: 'x' }), { ok: true, value: null });
  }
});

test('a restarted node recovers its term, vote and log from disk and rejoins', (t) => {
  const c = cluster({ seed: 9 });
  const leader = elect(c);
  for (let i = 0; i < 30; i++) run(c, leader, { op: 'append', key: 'l', value: i });
  settle(c);
  const victim = c.ids.find((id) => id !== leader)!;
  const before = (c.node(victim).core as RaftCore).inspect();
  const beforeStatus = c.node(victim).core!.status();
  c.crash(victim);
  c.restart(victim);
  const after = c.node(victim).core as RaftCore;
  t.is(after.status().term, beforeStatus.term);
  t.is(after.inspect().vote, before.vote);
  t.is(after.status().lastIndex, beforeStatus.lastIndex);
  t.is(after.status().commitIndex, after.snapIndex, 'commit is relearned from the leader, not trusted from disk');
  settle(c);
  t.deepEqual(after.kv.get('l'), Array.from({ length: 30 }, (_, i) => i));
});
