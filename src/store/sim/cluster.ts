// A whole cluster in one process: real protocol cores (Raft, Multi-Paxos with `protocol:
// 'paxos'`, or Zab with `protocol: 'zab'`) and Replica objects, simulated disks and network, one tick per step. Crashes drop a node's memory (and, with no-fsync, its unflushed
// writes); restarts rebuild it from its disk exactly as the server does from its WAL.

import type { Bug } from '../bugs.js';
import type { Command } from '../kv.js';
import type { Entry, PeerMessage, Ready, ReplicationCore } from '../protocol.js';
import { PaxosCore } from '../paxos/core.js';
import type { PaxosMutation } from '../paxos/core.js';
import { RaftCore } from '../raft/core.js';
import type { RaftMutation } from '../raft/config.js';
import { Replica } from '../replica.js';
import type { Reply } from '../replica.js';
import { SimDisk } from './disk.js';
import { SimNetwork } from './network.js';
import { Rng } from './rng.js';
import type { ZabMutation } from '../zab/config.js';
import { ZabCore } from '../zab/core.js';


/** What the simulator and its checks need from a core beyond the ReplicationCore interface. */
export type SimCore = ReplicationCore & { termAt(index: number): number | undefined; readonly snapIndex: number };

export interface SimOptions {
  seed: number;
  nodes: number;
  /** The replication protocol under test (default raft). */
  protocol?: 'raft' | 'paxos' | 'zab';
  /** Test-only protocol mistakes of the Paxos core (see PAXOS_MUTATIONS). */
  paxosMutations?: PaxosMutation[];
  /** Test-only protocol mistakes of the Raft core (see RAFT_MUTATIONS). */
  raftMutations?: RaftMutation[];
  bugs?: Bug[];
  electionTicks?: number;
  heartbeatTicks?: number;
  snapshotEntries?: number;
  requestTimeoutTicks?: number;
  /** Simulated milliseconds per tick, for the wall clocks the lease-read bug trusts. */
  tickMs?: number;
  lazyFlushTicks?: number;
  /** Entries per replication message (default 32); 1 sends a leader's entries one by one. */
  maxEntriesPerMessage?: number;
  /**
   * Each persist takes 0..this many ticks, as an fsync does on the server. Meanwhile the node
   * keeps working and acts on urgent output (a leader replicates, reads are confirmed), and a
   * crash loses the write in flight. 0 (the default) persists synchronously.
   */
  diskLatencyTicksMax?: number;
  /** The replication protocol under test (default raft). */
  /** Test-only Zab mistakes (zab/config.ts) the checks must catch. */
  zabMutations?: ZabMutation[];
}

/** Hooks the safety checker uses to watch every durable append and every apply. */
export interface SimObserver {
  onAppend(node: string, e: Entry, prevTerm: number | undefined): void;
  onReady(node: SimNode, r: Ready): void;
  afterStep(c: SimCluster): void;
  /** Messages a node sends, with its disk as it is at that moment (durability-before-reply checks). */
  onSend?(node: SimNode, messages: readonly PeerMessage[]): void;
}

export class SimNode {
  core: SimCore | null = null;
  replica: Replica | null = null;
  /** Offset of this node's wall clock from simulated time (clock skew). */
  skewMs = 0;
  /** The Ready whose persist is in flight, and the tick it completes. */
  writing: { ready: Ready; doneAt: number } | null = null;
  constructor(
    readonly id: string,
    readonly disk: SimDisk,
  ) {}
}

/** A client operation in flight; `reply` is set when the node answers. */
export interface SimOp {
  node: string;
  cmd: Command;
  reply?: Reply;
  /** Positions in the cluster's event order, for real-time (linearizability) checks. */
  submittedSeq: number;
  answeredSeq?: number;
}

export class SimCluster {
  now = 0;
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly nodes: SimNode[];
  readonly ids: string[];
  private readonly bugs: Set<Bug>;
  private eventSeq = 0;

  constructor(
    readonly opts: SimOptions,
    private readonly observer?: SimObserver,
  ) {
    this.rng = new Rng(opts.seed);
    this.net = new SimNetwork(this.rng);
    this.bugs = new Set(opts.bugs ?? []);
    this.ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
    this.nodes = this.ids.map((id) => {
      const onAppend = observer ? (e: Entry, prev: number | undefined) => observer.onAppend(id, e, prev) : undefined;
      return new SimNode(id, new SimDisk(this.bugs.has('no-fsync'), opts.lazyFlushTicks ?? 50, onAppend));
    });
    for (const n of this.nodes) this.start(n);
  }

  node(id: string): SimNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no simulated node ${id}`);
    return n;
  }

  private start(n: SimNode): void {
    const tickMs = this.opts.tickMs ?? 10;
    const electionTicks = this.opts.electionTicks ?? 10;
    if (this.opts.protocol === 'zab') {
      const zab = new ZabCore(
        {
          id: n.id, members: this.ids, electionTicks, heartbeatTicks: this.opts.heartbeatTicks ?? 2, random: () => this.rng.next(),
          snapshotEntries: this.opts.snapshotEntries ?? 64, maxEntriesPerMessage: this.opts.maxEntriesPerMessage ?? 32, skipSync: this.bugs.has('skip-sync'),
          localRead: this.bugs.has('local-read'), mutations: new Set(this.opts.zabMutations ?? []),
        },
        n.disk.load(),
      );
      n.core = zab;
      n.replica = new Replica(zab, zab.kv, this.bugs, this.opts.requestTimeoutTicks ?? 200);
      return;
    }
    const cfg = {
      id: n.id, members: this.ids, electionTicks, heartbeatTicks: this.opts.heartbeatTicks ?? 2,
      random: () => this.rng.next(), snapshotEntries: this.opts.snapshotEntries ?? 64,
      maxEntriesPerMessage: this.opts.maxEntriesPerMessage ?? 32, maxInflight: 8, leaseRead: this.bugs.has('lease-read'),
      leaseMs: electionTicks * tickMs, wallClockMs: () => this.now * tickMs + n.skewMs,
    };
    const core: SimCore =
      this.opts.protocol === 'paxos'
        ? new PaxosCore({ ...cfg, skipPrepare: this.bugs.has('skip-prepare'), mutations: new Set(this.opts.paxosMutations ?? []) }, n.disk.load())
        : new RaftCore({ ...cfg, mutations: new Set(this.opts.raftMutations ?? []) }, n.disk.load());
    n.core = core;
    n.replica = new Replica(core, core.kv, this.bugs, this.opts.requestTimeoutTicks ?? 200);
  }

  /** One tick: clocks advance, due messages arrive, every node persists and sends its Ready. */
  step(): void {
    this.now++;
    for (const n of this.nodes) {
      if (!n.replica) continue;
      n.disk.tick();
      n.replica.tick();
    }
    for (const m of this.net.due(this.now)) this.node(m.to).core?.step(m);
    for (const n of this.nodes) this.pump(n);
    this.observer?.afterStep(this);
  }

  /** Mirrors the server loop: one persist in flight at a time, urgent output acted on at once. */
  private pump(n: SimNode): void {
    const core = n.core;
    if (!core || !n.replica) return;
    for (;;) {
      if (n.writing) {
        if (n.writing.doneAt > this.now) return this.actOnUrgent(n);
        const r = n.writing.ready;
        n.writing = null;
        this.finishPersist(n, r);
        continue;
      }
      if (!core.hasReady()) return;
      const r = core.takeReady();
      this.observer?.onSend?.(n, r.urgentMessages);
      this.net.send(r.urgentMessages, this.now);
      this.observer?.onReady(n, r);
      n.replica.deliver(r);
      const latency = this.opts.diskLatencyTicksMax ? this.rng.int(this.opts.diskLatencyTicksMax + 1) : 0;
      if (latency === 0 || r.persist.length === 0) this.finishPersist(n, r);
      else n.writing = { ready: r, doneAt: this.now + latency };
    }
  }

  private finishPersist(n: SimNode, r: Ready): void {
    n.disk.persist(r.persist);
    this.observer?.onSend?.(n, r.messages);
    this.net.send(r.messages, this.now);
    n.replica!.persisted(r);
  }

  private actOnUrgent(n: SimNode): void {
    if (!n.core!.hasUrgent()) return;
    const u = n.core!.takeUrgent();
    this.observer?.onSend?.(n, u.urgentMessages);
    this.net.send(u.urgentMessages, this.now);
    this.observer?.onReady(n, u);
    n.replica!.deliver(u);
  }

  /** Submits a client command to a node; the returned op gets its reply when it is answered. */
  submit(node: string, cmd: Command): SimOp {
    const op: SimOp = { node, cmd, submittedSeq: ++this.eventSeq };
    const n = this.node(node);
    if (!n.replica) {
      op.reply = { ok: false, error: 'unavailable', definite: true };
      return op;
    }
    n.replica.submit(cmd, (r) => {
      op.reply = r;
      op.answeredSeq = ++this.eventSeq;
    });
    this.pump(n);
    return op;
  }

  /** kill -9: memory is gone, unanswered clients never hear back. */
  crash(id: string): void {
    const n = this.node(id);
    n.core = null;
    n.replica = null;
    n.writing = null; // the fsync in flight never completed
    n.disk.crash();
  }

  restart(id: string): void {
    const n = this.node(id);
    if (!n.core) this.start(n);
  }

  up(): SimNode[] {
    return this.nodes.filter((n) => n.core !== null);
  }

  /** The leader with the highest term among running nodes, if any. */
  leader(): SimNode | undefined {
    let best: SimNode | undefined;
    for (const n of this.up()) {
      const s = n.core!.status();
      if (s.role === 'leader' && (!best || s.term > best.core!.status().term)) best = n;
    }
    return best;
  }

  /** Steps until the condition holds; false if it did not within maxSteps. */
  runUntil(cond: () => boolean, maxSteps: number): boolean {
    for (let i = 0; i < maxSteps; i++) {
      if (cond()) return true;
      this.step();
    }
    return cond();
  }

  run(steps: number): void {
    for (let i = 0; i < steps; i++) this.step();
  }
}
