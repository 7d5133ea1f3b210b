// Multi-Paxos safety (Lamport, "Paxos Made Simple" §2.1-2.2), checked as the simulation runs:
//   - one value per (slot, ballot): a proposer proposes at most one value per slot per ballot,
//     so every durable acceptance of (slot, ballot) holds the same value;
//   - one value chosen per slot: every node applies the same value at the same slot, and applies
//     slots in increasing order, so applied prefixes agree;
//   - a new leader proposes the chosen value: when a node first leads a ballot (phase 1 done),
//     its log holds, at every slot chosen so far, exactly the value chosen there (P2c);
//   - acceptor state durable before any reply: a promise or accepted answer for ballot b leaves
//     only once the node's disk holds a promise of at least b, and a running node never holds a
//     lower promise in memory than on disk (it must not forget a promise across a restart).
// A value is named by (origin ballot, command): re-proposals keep the origin (see paxos/core.ts).

import { jsonEqual } from '../kv.js';
import type { Command } from '../kv.js';
import type { Entry, PeerMessage, Ready } from '../protocol.js';
import type { PaxosCore } from '../paxos/core.js';
import type { SimCluster, SimNode, SimObserver } from './cluster.js';

interface Value {
  origin: number;
  cmd: Command | null;
}

export class PaxosSafetyChecker implements SimObserver {
  private acceptedAt = new Map<string, Value>();
  private chosen: Array<Value | undefined> = [];
  /** Per running core (a restart makes a new one, which re-applies from its snapshot). */
  private appliedUpTo = new WeakMap<object, number>();
  private leaderOfBallot = new Map<number, string>();
  private checkedLeaders = new Set<string>();
  now = 0;
  checks = 0;

  onAppend(node: string, e: Entry): void {
    const key = `${e.index}:${e.term}`;
    const v = { origin: e.origin ?? e.term, cmd: e.cmd };
    const seen = this.acceptedAt.get(key);
    this.checks++;
    if (!seen) return void this.acceptedAt.set(key, v);
    if (!same(seen, v)) this.fail(`one value per ballot: ${node} accepted ${show(v)} at slot ${e.index} ballot ${e.term}, elsewhere ${show(seen)}`);
  }

  onReady(node: SimNode, r: Ready): void {
    for (const a of r.applied) {
      this.checks++;
      const core = node.core ?? node;
      const prev = this.appliedUpTo.get(core) ?? 0;
      if (a.index <= prev) this.fail(`in-order apply: ${node.id} applied slot ${a.index} after slot ${prev}`);
      this.appliedUpTo.set(core, a.index);
      const v = { origin: a.term, cmd: a.cmd };
      const c = this.chosen[a.index];
      if (!c) this.chosen[a.index] = v;
      else if (!same(c, v)) this.fail(`one value chosen per slot: ${node.id} applied ${show(v)} at slot ${a.index}, elsewhere ${show(c)}`);
    }
  }

  onSend(node: SimNode, messages: readonly PeerMessage[]): void {
    const durable = node.disk.durable.hs.term;
    for (const m of messages) {
      if (m.from !== node.id || (m.type !== 'promise' && m.type !== 'accepted')) continue;
      this.checks++;
      if (durable < m.term) this.fail(`durable before reply: ${node.id} sent ${m.type} for ballot ${m.term} while its disk holds promise ${durable}`);
    }
  }

  afterStep(c: SimCluster): void {
    this.now = c.now;
    for (const n of c.nodes) {
      if (!n.core) continue;
      this.checks++;
      if (n.core.status().term < n.disk.durable.hs.term) this.fail(`forgotten promise: ${n.id} runs with promise ${n.core.status().term}, its disk holds ${n.disk.durable.hs.term}`);
      const s = n.core.status();
      if (s.role !== 'leader') continue;
      const other = this.leaderOfBallot.get(s.term);
      if (other === undefined) this.leaderOfBallot.set(s.term, n.id);
      else if (other !== n.id) this.fail(`one leader per ballot: ${other} and ${n.id} both lead ballot ${s.term}`);
      const key = `${n.id}:${s.term}`;
      if (this.checkedLeaders.has(key)) continue;
      this.checkedLeaders.add(key);
      const core = n.core as unknown as PaxosCore;
      for (let i = core.snapIndex + 1; i < this.chosen.length; i++) {
        const v = this.chosen[i];
        const e = core.entryAt(i);
        if (!v || !e) continue;
        this.checks++;
        if (!same(v, { origin: e.origin ?? e.term, cmd: e.cmd })) this.fail(`new leader ${n.id} (ballot ${s.term}) proposes ${show({ origin: e.origin ?? e.term, cmd: e.cmd })} at slot ${i}, where ${show(v)} was chosen`);
      }
    }
  }

  private fail(what: string): never {
    throw new Error(`step ${this.now}: ${what}`);
  }
}

function same(a: Value, b: Value): boolean {
  return a.origin === b.origin && (a.cmd === b.cmd || jsonEqual(a.cmd, b.cmd));
}

function show(v: Value): string {
  return `${v.cmd === null ? 'no-op' : JSON.stringify(v.cmd)} (ballot ${v.origin})`;
}
