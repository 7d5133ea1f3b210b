// Zab's safety properties (Junqueira, Reed & Serafini, DSN 2011, section III), checked on every
// step of a simulation. A violation throws at once, naming the step, the nodes and the zxid.
// - Integrity: a node delivers a transaction only if its epoch's primary broadcast it there
//   (checked against every primary's log as observed), and delivers each append at most once.
// - Agreement / total order: every node delivers the same transaction at the same position,
//   positions in increasing order; one zxid (epoch, index) names one transaction everywhere.
// - Primary order: local (a primary's transactions are delivered in its order: same zxid, same
//   place) and global (per node, delivered epochs never decrease).
// - Primary uniqueness: at most one established primary per epoch; and an established primary
//   holds every transaction delivered anywhere before it was established (no committed loss).
// - Durable before reply (the paper's follower "writes the proposal to stable storage" before it
//   acknowledges; the same rule the Raft and Paxos checkers hold votes and promises to): an ACK or
//   ACKNEWLEADER for index i leaves only once the sender's disk holds its log up to i (and, for
//   ACKNEWLEADER, the new current epoch), an ACKEPOCH only once its disk holds the promised epoch.

import { jsonEqual } from '../kv.js';
import type { Command } from '../kv.js';
import type { Entry, PeerMessage, Ready } from '../protocol.js';
import type { ZabMessage } from './messages.js';
import type { SimCluster, SimNode, SimObserver } from '../sim/cluster.js';

interface Delivered {
  term: number;
  cmd: Command | null;
  node: string;
}

export class ZabChecker implements SimObserver {
  private primaryOf = new Map<number, string>();
  /** What the primary of each epoch broadcast, by index (as seen in its log). */
  private broadcast = new Map<number, Map<number, Command | null>>();
  private scanned = new Map<string, number>();
  private zxid = new Map<string, { cmd: Command | null; prevTerm: number | undefined; node: string }>();
  private delivered: Array<Delivered | undefined> = [];
  private appendAt = new Map<string, number>();
  private perNode = new WeakMap<object, { index: number; term: number }>();
  private checkedPrimaries = new Set<string>();
  now = 0;
  checks = 0;

  onAppend(node: string, e: Entry, prevTerm: number | undefined): void {
    this.checks++;
    const key = `${e.term}:${e.index}`;
    const seen = this.zxid.get(key);
    if (!seen) return void this.zxid.set(key, { cmd: e.cmd, prevTerm, node });
    if (!sameCmd(seen.cmd, e.cmd)) this.fail(`agreement: zxid (${e.term}, ${e.index}) names different transactions on ${seen.node} and ${node}`);
    if (prevTerm !== undefined && seen.prevTerm !== undefined && prevTerm !== seen.prevTerm) {
      this.fail(`primary order: zxid (${e.term}, ${e.index}) follows epoch ${prevTerm} on ${node} but epoch ${seen.prevTerm} on ${seen.node}`);
    }
  }

  onReady(node: SimNode, r: Ready): void {
    if (r.applied.length === 0) return;
    const core = node.core!;
    // A restarted node starts over from its snapshot (a new core), so it is tracked per core.
    let last = this.perNode.get(core) ?? { index: r.applied[0]!.index - 1, term: 0 };
    for (const a of r.applied) {
      this.checks++;
      const where = `${node.id} delivered (${a.term}, ${a.index})`;
      if (a.index <= last.index) this.fail(`total order: ${where} after index ${last.index}`);
      if (a.term < last.term) this.fail(`primary order: ${where} after a transaction of epoch ${last.term}`);
      last = { index: a.index, term: a.term };
      const d = this.delivered[a.index];
      if (!d) this.delivered[a.index] = { term: a.term, cmd: a.cmd, node: node.id };
      else if (d.term !== a.term || !sameCmd(d.cmd, a.cmd)) this.fail(`agreement: ${where}, but ${d.node} delivered (${d.term}, ${a.index}) there`);
      const sent = this.broadcast.get(a.term)?.get(a.index);
      if (sent !== undefined && !sameCmd(sent, a.cmd)) this.fail(`integrity: ${where}, which its primary ${this.primaryOf.get(a.term)} never broadcast there`);
      if (a.cmd?.op === 'append') {
        const k = JSON.stringify(a.cmd.value);
        const at = this.appendAt.get(k);
        if (at === undefined) this.appendAt.set(k, a.index);
        else if (at !== a.index) this.fail(`integrity: append ${k} delivered at ${at} and again at ${a.index} (on ${node.id})`);
      }
    }
    this.perNode.set(core, last);
  }

  onSend(node: SimNode, messages: readonly PeerMessage[]): void {
    const d = node.disk.durable;
    const durableLast = d.entries[d.entries.length - 1]?.index ?? d.snapshot?.index ?? 0;
    const epoch = d.hs.vote === null ? 0 : Number(d.hs.vote);
    for (const m of messages as readonly ZabMessage[]) {
      if (m.from !== node.id) continue;
      if (m.type === 'ack' || m.type === 'acknl') {
        this.checks++;
        if (durableLast < m.index) this.fail(`durable before reply: ${node.id} sent ${m.type} for index ${m.index} of epoch ${m.term} while its disk holds its log only up to ${durableLast}`);
        if (m.type === 'acknl' && epoch < m.term) this.fail(`durable before reply: ${node.id} acknowledged NEWLEADER of epoch ${m.term} while its disk holds current epoch ${epoch}`);
      } else if (m.type === 'ackepoch') {
        this.checks++;
        if (d.hs.term < m.term) this.fail(`durable before reply: ${node.id} acknowledged NEWEPOCH ${m.term} while its disk holds accepted epoch ${d.hs.term}`);
      }
    }
  }

  afterStep(c: SimCluster): void {
    this.now = c.now;
    for (const n of c.nodes) {
      const core = n.core;
      const s = core?.status();
      if (!core || !s || s.role !== 'leader') continue;
      const other = this.primaryOf.get(s.term);
      if (other === undefined) this.primaryOf.set(s.term, n.id);
      else if (other !== n.id) this.fail(`primary uniqueness: ${other} and ${n.id} are both established primaries of epoch ${s.term}`);
      const key = `${n.id}:${s.term}`;
      if (!this.checkedPrimaries.has(key)) {
        this.checkedPrimaries.add(key);
        for (let i = core.snapIndex + 1; i < this.delivered.length; i++) {
          const d = this.delivered[i];
          if (d && core.termAt(i) !== d.term) this.fail(`agreement: primary ${n.id} of epoch ${s.term} lacks (${d.term}, ${i}), already delivered by ${d.node}`);
        }
      }
      // Every core the simulator runs with this checker is a ZabCore.
      this.scanPrimary(n.id, s.term, (core as unknown as { inspect(): { entries: Entry[] } }).inspect().entries);
    }
  }

  private scanPrimary(id: string, epoch: number, entries: Entry[]): void {
    let mine = this.broadcast.get(epoch);
    if (!mine) this.broadcast.set(epoch, (mine = new Map()));
    const key = `${id}:${epoch}`;
    const from = this.scanned.get(key) ?? 0;
    for (const e of entries) {
      if (e.index <= from || e.term !== epoch) continue;
      const had = mine.get(e.index);
      if (had !== undefined && !sameCmd(had, e.cmd)) this.fail(`primary order: primary ${id} of epoch ${epoch} changed its transaction at ${e.index}`);
      mine.set(e.index, e.cmd);
    }
    const last = entries[entries.length - 1];
    if (last) this.scanned.set(key, last.index);
  }

  private fail(what: string): never {
    throw new Error(`step ${this.now}: ${what}`);
  }
}

function sameCmd(a: Command | null, b: Command | null): boolean {
  return a === b || jsonEqual(a, b);
}
