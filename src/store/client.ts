// The client library of the bundled store, used by workloads and by the runtime. It talks to
// any node, follows not-leader hints to the leader, and classifies every outcome the way a
// Jepsen history needs it: `ok`; `fail` when the op is known not to have taken effect (refused
// connection before sending, not-leader, cas mismatch); `info` when it cannot be known
// (timeout or connection lost after sending). An op that may have been sent is never retried.
// A client given a single node never hops: a not-leader answer is returned at once as
// `fail not-leader` (with the hinted leader), so a caller reading from its nearest replica can
// fall back to the leader without waiting out the deadline.

import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { WriteBatcher } from './batcher.js';
import { LineReader } from './lines.js';
import type { MicroOp } from './kv.js';

export type Outcome<T> =
  | { type: 'ok'; value: T; node: string }
  | { type: 'fail'; error: string; node?: string; /** the node the answering node believes leads (not-leader only) */ leader?: string }
  | { type: 'info'; error: string; node?: string };

export interface NodeStatus {
  id: string;
  role: 'leader' | 'follower' | 'candidate' | 'pre-candidate';
  term: number;
  leader?: string;
  commitIndex: number;
  lastApplied: number;
  protocol: string;
  bugs: string[];
}

interface WireReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
  definite?: boolean;
  leader?: string;
}

/** How one attempt on one node ended. `sent` says whether the request may have reached it. */
type Attempt = { kind: 'reply'; reply: WireReply } | { kind: 'unreached' } | { kind: 'lost' } | { kind: 'timeout'; sent: boolean };

interface Pending {
  line: string;
  sent: boolean;
  done: (a: Attempt) => void;
}

const CONNECT_TIMEOUT_MS = 1000;

/** One lazily dialed connection to one node, multiplexing requests by id. */
class Connection {
  private socket: Socket | null = null;
  private out: WriteBatcher | null = null;
  private connected = false;
  private pending = new Map<number, Pending>();

  constructor(private readonly addr: string) {}

  request(id: number, body: object, timeoutMs: number): Promise<Attempt> {
    return new Promise((resolve) => {
      const p: Pending = { line: JSON.stringify({ ...body, id }) + '\n', sent: false, done: () => undefined };
      const timer = setTimeout(() => finish({ kind: 'timeout', sent: p.sent }), Math.max(1, timeoutMs));
      // A node that does not even accept the connection soon is skipped: nothing was sent.
      const connectTimer = this.connected ? undefined : setTimeout(() => p.sent || finish({ kind: 'unreached' }), Math.min(CONNECT_TIMEOUT_MS, timeoutMs));
      const finish = (a: Attempt) => {
        clearTimeout(timer);
        clearTimeout(connectTimer);
        this.pending.delete(id);
        resolve(a);
      };
      p.done = finish;
      this.pending.set(id, p);
      if (this.connected) this.write(p);
      else this.dial();
    });
  }

  private write(p: Pending): void {
    p.sent = true;
    this.out!.write(p.line);
  }

  private dial(): void {
    if (this.socket) return;
    const i = this.addr.lastIndexOf(':');
    const s = connect({ host: this.addr.slice(0, i), port: Number(this.addr.slice(i + 1)), noDelay: true });
    this.socket = s;
    this.out = new WriteBatcher(s);
    const reader = new LineReader((line) => this.onLine(line));
    s.on('connect', () => {
      this.connected = true;
      for (const p of this.pending.values()) this.write(p);
    });
    s.on('data', (chunk) => reader.push(chunk));
    s.on('error', () => undefined); // 'close' follows
    s.on('close', () => {
      this.socket = null;
      this.connected = false;
      for (const p of [...this.pending.values()]) p.done(p.sent ? { kind: 'lost' } : { kind: 'unreached' });
    });
  }

  private onLine(line: string): void {
    let r: WireReply;
    try {
      r = JSON.parse(line) as WireReply;
    } catch {
      return;
    }
    this.pending.get(r.id)?.done({ kind: 'reply', reply: r });
  }

  close(): void {
    this.socket?.destroy();
  }
}

/** Pause between rounds when no node knows a leader (elections take a few hundred ms). */
const NO_LEADER_BACKOFF_MS = 50;

export class StoreClient {
  private readonly nodes: Record<string, string>;
  private readonly names: string[];
  private readonly timeoutMs: number;
  private readonly conns = new Map<string, Connection>();
  private leaderGuess: string | undefined;
  private nextId = 1;
  private closed = false;

  constructor(opts: { nodes: Record<string, string>; timeoutMs?: number; prefer?: string }) {
    this.nodes = { ...opts.nodes };
    this.names = Object.keys(this.nodes);
    if (this.names.length === 0) throw new Error('StoreClient needs at least one node');
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.leaderGuess = opts.prefer !== undefined && opts.prefer in this.nodes ? opts.prefer : undefined;
  }

  get(key: string): Promise<Outcome<unknown>> {
    return this.op({ op: 'get', key });
  }

  put(key: string, value: unknown): Promise<Outcome<null>> {
    return this.op({ op: 'put', key, value }) as Promise<Outcome<null>>;
  }

  /** A mismatch is a definite failure: `{ type: 'fail', error: 'cas-mismatch' }`. */
  cas(key: string, from: unknown, to: unknown): Promise<Outcome<null>> {
    return this.op({ op: 'cas', key, from, to }) as Promise<Outcome<null>>;
  }

  /** Appends to the list stored at key (created if absent); returns the list after the append. */
  append(key: string, value: unknown): Promise<Outcome<unknown[]>> {
    return this.op({ op: 'append', key, value }) as Promise<Outcome<unknown[]>>;
  }

  /**
   * A transaction of micro-ops [f, key, value] (f: r, w, append), applied atomically; returns the
   * micro-ops with each read's value filled in (null for an absent key). A txn of reads only is
   * served like a get (linearizable, never logged); `not-a-list` fails the whole txn.
   */
  txn(ops: readonly MicroOp[]): Promise<Outcome<MicroOp[]>> {
    return this.op({ op: 'txn', ops }) as Promise<Outcome<MicroOp[]>>;
  }

  /** Lock service: a grant `{token, expiresAt}`, or `fail lock-held` while another lease holds. */
  lockAcquire(key: string, holder: string, leaseMs: number): Promise<Outcome<{ token: number; expiresAt: number }>> {
    return this.op({ op: 'lock-acquire', key, holder, leaseMs }) as Promise<Outcome<{ token: number; expiresAt: number }>>;
  }

  /** Frees the lock if `token` is the current grant (else `fail not-holder`). */
  lockRelease(key: string, token: number): Promise<Outcome<number>> {
    return this.op({ op: 'lock-release', key, token }) as Promise<Outcome<number>>;
  }

  /** A write to the lock's protected resource with a fencing token (`fail stale-token` when a newer token was accepted). */
  lockWrite(key: string, token: number, expiresAt: number, value: unknown): Promise<Outcome<{ token: number; value: unknown }>> {
    return this.op({ op: 'lock-write', key, token, expiresAt, value }) as Promise<Outcome<{ token: number; value: unknown }>>;
  }

  delete(key: string): Promise<Outcome<null>> {
    return this.op({ op: 'delete', key }) as Promise<Outcome<null>>;
  }

  /** Asks that node directly; rejects if it is unreachable or does not answer in time. */
  async status(node: string): Promise<NodeStatus> {
    if (!(node in this.nodes)) throw new Error(`unknown node ${JSON.stringify(node)}`);
    if (this.closed) throw new Error(`status of ${node}: client closed`);
    const a = await this.conn(node).request(this.nextId++, { op: 'status' }, this.timeoutMs);
    if (a.kind !== 'reply') throw new Error(`status of ${node}: ${a.kind === 'timeout' ? 'timed out' : a.kind === 'lost' ? 'connection lost' : 'unreachable'}`);
    if (!a.reply.ok) throw new Error(`status of ${node}: ${a.reply.error}`);
    return a.reply.value as NodeStatus;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  private conn(node: string): Connection {
    let c = this.conns.get(node);
    if (!c) this.conns.set(node, (c = new Connection(this.nodes[node]!)));
    return c;
  }

  private nextNode(node: string): string {
    return this.names[(this.names.indexOf(node) + 1) % this.names.length]!;
  }

  /** Runs one op: tries nodes, follows hints, and stops at the first outcome that is not a redirect. */
  private async op(body: object): Promise<Outcome<unknown>> {
    if (this.closed) return { type: 'fail', error: 'client-closed' };
    const deadline = Date.now() + this.timeoutMs;
    let node = this.leaderGuess ?? this.names[0]!;
    let hops = 0;
    let lastError = 'unavailable';
    while (Date.now() < deadline) {
      // Closed while this op hopped between nodes: dialing the next one would open a socket no
      // one closes, which holds the process open beside a cluster left running (issue 11, item 3).
      // Every earlier attempt of this op was a definite no (not-leader, unreached): it failed.
      if (this.closed) return { type: 'fail', error: 'client-closed' };
      const a = await this.conn(node).request(this.nextId++, body, deadline - Date.now());
      if (a.kind === 'lost' || a.kind === 'timeout') {
        // The guessed leader did not answer: it may be cut off or dead, so the next op starts at
        // the next node instead of waiting on it again (a new leader may have been elected).
        this.leaderGuess = this.nextNode(node);
        if (a.kind === 'lost') return { type: 'info', error: 'connection-lost', node };
        return a.sent ? { type: 'info', error: 'timeout', node } : { type: 'fail', error: 'unavailable', node };
      }
      if (a.kind === 'reply') {
        const r = a.reply;
        if (r.ok) {
          this.leaderGuess = node;
          return { type: 'ok', value: r.value ?? null, node };
        }
        if (r.error !== 'not-leader') {
          return r.definite === false ? { type: 'info', error: r.error ?? 'unknown', node } : { type: 'fail', error: r.error ?? 'unknown', node };
        }
        lastError = 'not-leader';
        // A client that knows only this node cannot follow any redirect: say so at once (its
        // caller may ask the leader through another client) instead of asking the same node
        // again until the deadline and reporting `no-leader` about a cluster that has one.
        if (this.names.length === 1) return r.leader !== undefined ? { type: 'fail', error: 'not-leader', node, leader: r.leader } : { type: 'fail', error: 'not-leader', node };
        const hint = r.leader !== undefined && r.leader in this.nodes && r.leader !== node ? r.leader : undefined;
        node = hint ?? this.nextNode(node);
      } else {
        lastError = 'unavailable';
        node = this.nextNode(node);
      }
      // Hints can be stale during an election: after as many hops as there are nodes, pause.
      if (++hops % this.names.length === 0) await sleepUntil(Math.min(deadline, Date.now() + NO_LEADER_BACKOFF_MS));
    }
    return { type: 'fail', error: lastError === 'not-leader' ? 'no-leader' : 'unavailable' };
  }
}

function sleepUntil(t: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
}
