// Raft's safety properties (Figure 3 of the paper), checked as the simulation runs:
// Election Safety, Log Matching, Leader Completeness and State Machine Safety; and the
// persistence rule of Figure 2 ("updated on stable storage before responding to RPCs"): a
// granted vote leaves only once the voter's disk holds that term and vote, and a running node
// never holds an older term in memory than on disk. A violation
// throws at once, naming the step and the nodes involved.

import { durableTermAt } from '../durable.js';
import { jsonEqual } from '../kv.js';
import type { Command } from '../kv.js';
import type { Entry, PeerMessage, Ready } from '../protocol.js';
import type { RaftMessage } from '../raft/messages.js';
import type { SimCluster, SimNode, SimObserver } from './cluster.js';

interface Committed {
  term: number;
  cmd: Command | null;
}

export class SafetyChecker implements SimObserver {
  private leaderOfTerm = new Map<number, string>();
  private entryAt = new Map<string, { cmd: Command | null; prevTerm: number | undefined }>();
  private committed: Array<Committed | undefined> = [];
  private checkedLeaders = new Set<string>();
  private pendingCommits: Array<{ index: number; term: number }> = [];
  now = 0;
  checks = 0;

  /** Log Matching, by induction: same (index, term) ⇒ same command and same previous term. */
  onAppend(node: string, e: Entry, prevTerm: number | undefined): void {
    const key = `${e.index}:${e.term}`;
    const seen = this.entryAt.get(key);
    this.checks++;
    if (!seen) return void this.entryAt.set(key, { cmd: e.cmd, prevTerm });
    if (!sameCmd(seen.cmd, e.cmd)) this.fail(`log matching: ${node} holds a different command at index ${e.index} term ${e.term}`);
    if (prevTerm !== undefined && seen.prevTerm !== undefined && seen.prevTerm !== prevTerm) {
      this.fail(`log matching: ${node} entry ${e.index}/${e.term} follows term ${prevTerm}, elsewhere term ${seen.prevTerm}`);
    }
  }

  /** State Machine Safety: every node applies the same command at the same index. */
  onReady(node: SimNode, r: Ready): void {
    for (const a of r.applied) {
      const c = this.committed[a.index];
      this.checks++;
      if (!c) {
        this.committed[a.index] = { term: a.term, cmd: a.cmd };
        this.pendingCommits.push({ index: a.index, term: a.term });
      } else if (c.term !== a.term || !sameCmd(c.cmd, a.cmd)) {
        this.fail(`state machine safety: ${node.id} applied ${a.index}/${a.term}, but ${a.index}/${c.term} was applied elsewhere`);
      }
    }
  }

  onSend(node: SimNode, messages: readonly PeerMessage[]): void {
    const hs = node.disk.durable.hs;
    for (const m of messages as readonly RaftMessage[]) {
      if (m.from !== node.id || m.type !== 'vote-resp' || !m.granted) continue;
      this.checks++;
      if (hs.term < m.term || (hs.term === m.term && hs.vote !== m.to)) this.fail(`durable before reply: ${node.id} granted its term-${m.term} vote to ${m.to} while its disk holds term ${hs.term} vote ${hs.vote}`);
    }
  }

  afterStep(c: SimCluster): void {
    this.now = c.now;
    for (const n of c.nodes) {
      if (n.core && n.disk && n.core.status().term < n.disk.durable.hs.term) this.fail(`forgotten term: ${n.id} runs in term ${n.core.status().term}, its disk holds ${n.disk.durable.hs.term}`);
    }
    if (this.pendingCommits.length > 0) this.verifyPendingCommits(c);
    for (const n of c.nodes) {
      const s = n.core?.status();
      if (!s || s.role !== 'leader') continue;
      const other = this.leaderOfTerm.get(s.term);
      if (other === undefined) this.leaderOfTerm.set(s.term, n.id);
      else if (other !== n.id) this.fail(`election safety: ${other} and ${n.id} are both leaders of term ${s.term}`);
      const key = `${n.id}:${s.term}`;
      if (!this.checkedLeaders.has(key)) {
        this.checkedLeaders.add(key);
        this.checkCompleteness(n);
      }
    }
  }

  /** Leader Completeness: a new leader holds every entry committed so far. */
  private checkCompleteness(n: SimNode): void {
    const core = n.core!;
    for (let i = core.snapIndex; i < this.committed.length; i++) {
      const c = this.committed[i];
      if (c && core.termAt(i) !== c.term) {
        this.fail(`leader completeness: leader ${n.id} (term ${core.status().term}) lacks committed entry ${i}/${c.term}`);
      }
    }
  }

  /**
   * A freshly committed entry must already be in the log of every leader of a later term; and
   * no log that conflicts with it may be able to win an election: if a majority of nodes would
   * vote for the holder of a conflicting entry (their logs are no more up to date than its log,
   * §5.4.1), that node can be elected and overwrite the committed entry (the paper's figure 8).
   */
  private verifyPendingCommits(c: SimCluster): void {
    const logs = c.nodes.map((n) => nodeLog(n));
    const quorum = Math.floor(c.nodes.length / 2) + 1;
    for (const { index, term } of this.pendingCommits) {
      for (const [i, l] of logs.entries()) {
        const t = l.termAt(index);
        if (t === undefined || t === term) continue;
        const voters = logs.filter((o) => o.lastTerm < l.lastTerm || (o.lastTerm === l.lastTerm && o.lastIndex <= l.lastIndex)).length;
        this.checks++;
        if (voters >= quorum) this.fail(`committed entry ${index}/${term} can be lost: ${c.nodes[i]!.id} holds ${index}/${t} and ${voters} nodes would elect it`);
      }
    }
    for (const { index, term } of this.pendingCommits) {
      for (const n of c.nodes) {
        const s = n.core?.status();
        if (!s || s.role !== 'leader' || s.term <= term || index <= n.core!.snapIndex) continue;
        if (n.core!.termAt(index) !== term) this.fail(`leader completeness: leader ${n.id} (term ${s.term}) lacks entry ${index}/${term} committed now`);
      }
    }
    this.pendingCommits = [];
  }

  private fail(what: string): never {
    throw new Error(`step ${this.now}: ${what}`);
  }
}

/** A node's log as an election sees it: the running core's, or a crashed node's disk. */
function nodeLog(n: SimNode): { termAt(i: number): number | undefined; lastIndex: number; lastTerm: number } {
  if (n.core) {
    const core = n.core;
    const lastIndex = core.status().lastIndex;
    return { termAt: (i) => core.termAt(i), lastIndex, lastTerm: core.termAt(lastIndex) ?? 0 };
  }
  const d = n.disk.durable;
  const lastIndex = d.entries[d.entries.length - 1]?.index ?? d.snapshot?.index ?? 0;
  return { termAt: (i) => durableTermAt(d, i), lastIndex, lastTerm: durableTermAt(d, lastIndex) ?? 0 };
}

function sameCmd(a: Command | null, b: Command | null): boolean {
  return a === b || jsonEqual(a, b);
}
