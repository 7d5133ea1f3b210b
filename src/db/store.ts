// The bundled replicated key-value store (Raft now; Multi-Paxos and Zab behind the same core) as
// a database under test, through the same Db / Client contract a user's adapter implements:
// leader() asks every node's status, client() speaks the store's wire protocol for each
// workload's `f` values. The runtimes know nothing else of it: its image is made by `prepare`
// (store-image.ts), its nodes run `command` (node binary + dist/src/store/main.js: the image's on
// docker, this checkout's locally), and it declares `peerPort`, so the local runtime can proxy
// every node-to-node link.

import { StoreClient, type NodeStatus, type Outcome } from '../store/client.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareStoreImage } from './store-image.js';
import type { MicroOp } from '../store/kv.js';
import type { Client, ClientContext, ClientNode, ClientResult, Db, DbCluster, DbNode, NodeCommand } from './types.js';

/** Replication protocols of the bundled store (the --db values that name it). */
export const STORE_PROTOCOLS = ['raft', 'paxos', 'zab'] as const;
export type StoreProtocol = (typeof STORE_PROTOCOLS)[number];
/** The databases `--db` can name today: the store's protocols that exist (the one registry of databases). */
export const DATABASES = ['raft', 'paxos', 'zab'] as const satisfies readonly StoreProtocol[];

/** The store's client port on every node. */
export const STORE_CLIENT_PORT = 7000;
/** The store's peer port on every node (nodes dial each other only there). */
export const STORE_PEER_PORT = 7001;

/** The store's entry point in this checkout's build (dist/src/store/main.js). */
export function storeMainPath(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../store/main.js');
}

const addr = (n: ClientNode) => `${n.host}:${n.port}`;

/** A node by its client address: a ClientNode, or anything with `clientAddr` "host:port". */
type Reachable = ClientNode | { name: string; clientAddr: string };
const addrOf = (n: Reachable) => ('clientAddr' in n ? n.clientAddr : addr(n));

/** Status of every node that answers within timeoutMs (others are left out). */
export async function statuses(nodes: readonly Reachable[], timeoutMs = 1000): Promise<Map<string, NodeStatus>> {
  const client = new StoreClient({ nodes: Object.fromEntries(nodes.map((n) => [n.name, addrOf(n)])), timeoutMs });
  try {
    const all = await Promise.all(nodes.map((n) => client.status(n.name).then((s) => [n.name, s] as const, () => null)));
    return new Map(all.filter((x): x is readonly [string, NodeStatus] => x !== null));
  } finally {
    await client.close();
  }
}

/** Among nodes that say they lead, the one with the highest term (an old leader cut off may still think it leads). */
export function leaderOf(st: ReadonlyMap<string, NodeStatus>): string | undefined {
  let best: NodeStatus | undefined;
  for (const s of st.values()) if (s.role === 'leader' && (!best || s.term > best.term)) best = s;
  return best?.id;
}

/** The leader with the highest term among the nodes that answer, or undefined. */
export async function findLeader(nodes: readonly Reachable[], timeoutMs = 1000): Promise<string | undefined> {
  return leaderOf(await statuses(nodes, timeoutMs));
}

/** A store outcome as a client result; `value` replaces the outcome's value on ok when given. */
function result<T>(o: Outcome<T>, value?: (v: T) => unknown): ClientResult {
  if (o.type === 'ok') return { type: 'ok', value: value ? value(o.value) : o.value, node: o.node };
  const r: ClientResult = { type: o.type, error: o.error };
  if (o.node !== undefined) r.node = o.node;
  return r;
}

const MAX_CAS_TRIES = 20;
let holders = 0;

/**
 * One worker's client. `any` follows the leader (preferring the worker's own node); `near` talks
 * only to the worker's own node. Reads go to the near node first and fall back to the leader when
 * it redirects — as clients of real systems read from the closest replica. A correct store
 * redirects follower reads (or serves them linearizably); one that serves stale local state is caught.
 */
export class StoreWorkloadClient implements Client {
  private any?: StoreClient;
  private near?: StoreClient;
  /** lock workload: this client's name as a lock holder, and the grant it holds. */
  private readonly holder = `holder-${++holders}`;
  private grant?: { token: number; expiresAt: number };

  constructor(private readonly ctx: ClientContext) {}

  async open(node: ClientNode): Promise<void> {
    // Opening connects nothing yet (connections are made on first use): it never changes state.
    const all = Object.fromEntries(this.ctx.nodes.map((n) => [n.name, addr(n)]));
    this.any = new StoreClient({ nodes: all, timeoutMs: this.ctx.opTimeoutMs, prefer: node.name });
    this.near = new StoreClient({ nodes: { [node.name]: addr(node) }, timeoutMs: this.ctx.opTimeoutMs });
  }

  private async readNearest(key: string): Promise<Outcome<unknown>> {
    const near = await this.near!.get(key);
    if (near.type === 'fail' && near.error === 'not-leader') return this.any!.get(key);
    return near;
  }

  async invoke(op: { f: string; value: unknown }, signal: AbortSignal): Promise<ClientResult> {
    if (!this.any) throw new Error('invoke before open');
    const c = this.any;
    switch (`${this.ctx.workload}/${op.f}`) {
      case 'register/read':
        return result(await this.readNearest('register'));
      case 'register/write':
        return result(await c.put('register', op.value), () => op.value);
      case 'register/cas': {
        const [from, to] = op.value as [number, number];
        return result(await c.cas('register', from, to), () => op.value);
      }
      case 'kv/read': {
        const [key] = op.value as [string, unknown];
        return result(await this.readNearest(`kv/${key}`), (value) => [key, value]);
      }
      case 'kv/write': {
        const [key, v] = op.value as [string, unknown];
        return result(await c.put(`kv/${key}`, v), () => op.value);
      }
      case 'kv/cas': {
        const [key, [from, to]] = op.value as [string, [number, number]];
        return result(await c.cas(`kv/${key}`, from, to), () => op.value);
      }
      case 'set/add':
        return result(await c.append('set', op.value), () => op.value);
      case 'set/read':
        return result(await c.get('set'), (v) => (Array.isArray(v) ? v : v === null ? [] : v));
      case 'counter/read':
        return result(await c.get('counter'), (v) => (typeof v === 'number' ? v : 0));
      case 'counter/add':
        return this.add(op.value as number, signal);
      case 'list-append/txn': {
        // Elle's micro-ops [f, k, v] with integer keys → the store's txn on keys "la/<k>"; reads come back filled in.
        const mops = op.value as [string, number, unknown][];
        const r = await this.txnNearest(mops.map(([f, k, v]): MicroOp => [f === 'r' ? 'r' : 'append', `la/${k}`, f === 'r' ? null : v]));
        return result(r, (done) => done.map(([f, , v], i) => [f, mops[i]![1], v]));
      }
      case 'bank/transfer': {
        // Each account holds the list of amounts moved in and out; a transfer appends to both in one txn.
        const { from, to, amount } = op.value as { from: string; to: string; amount: number };
        return result(await c.txn([['append', `bank/${from}`, -amount], ['append', `bank/${to}`, amount]]), () => op.value);
      }
      case 'bank/read': {
        const initial = op.value as Record<string, number>;
        const names = Object.keys(initial);
        const r = await this.txnNearest(names.map((a): MicroOp => ['r', `bank/${a}`, null]));
        return result(r, (done) => Object.fromEntries(names.map((a, i) => [a, initial[a]! + ((done[i]![2] as number[] | null) ?? []).reduce((x, y) => x + y, 0)])));
      }
      case 'lock/acquire': {
        const r = await c.lockAcquire('lock', this.holder, (op.value as { leaseMs: number }).leaseMs);
        if (r.type === 'ok') this.grant = r.value;
        return result(r);
      }
      case 'lock/write': {
        // The write carries the token of the grant this client holds; without one, nothing is sent.
        const g = this.grant;
        if (!g) return { type: 'fail', error: 'not-holding' };
        // A rejected write does not make the client drop its grant: it keeps it until it releases
        // or is granted anew, as a client whose lease timer has not fired (the resource fences it).
        return result(await c.lockWrite('lock', g.token, g.expiresAt, (op.value as { value: unknown }).value));
      }
      case 'lock/release': {
        const g = this.grant;
        if (!g) return { type: 'fail', error: 'not-holding' };
        this.grant = undefined;
        return result(await c.lockRelease('lock', g.token));
      }
      default:
        return { type: 'fail', error: `the store's ${this.ctx.workload} client has no op ${op.f}` };
    }
  }

  /** A txn; one of reads only goes to the near node first (as readNearest), any other to the leader. */
  private async txnNearest(mops: MicroOp[]): Promise<Outcome<MicroOp[]>> {
    if (mops.some((m) => m[0] !== 'r')) return this.any!.txn(mops);
    const near = await this.near!.txn(mops);
    if (near.type === 'fail' && near.error === 'not-leader') return this.any!.txn(mops);
    return near;
  }

  /** Read, then cas from what was read; a mismatch did nothing (try again), an unknown outcome may have applied (stop: info). */
  private async add(delta: number, signal: AbortSignal): Promise<ClientResult> {
    const c = this.any!;
    for (let i = 0; i < MAX_CAS_TRIES && !signal.aborted; i++) {
      const read = await c.get('counter');
      if (read.type !== 'ok') return result(read.type === 'info' ? { ...read, type: 'fail' } : read);
      const current = typeof read.value === 'number' ? read.value : 0;
      const cas = read.value === null ? await c.cas('counter', null, delta) : await c.cas('counter', current, current + delta);
      if (cas.type === 'ok') return { type: 'ok', value: delta, node: cas.node };
      if (cas.type === 'info') return result(cas);
      if (cas.error !== 'cas-mismatch') return result(cas);
    }
    return { type: 'fail', error: `no cas succeeded in ${MAX_CAS_TRIES} tries` };
  }

  async close(): Promise<void> {
    await Promise.all([this.any?.close(), this.near?.close()]);
  }
}

/** The bundled store as a Db, for one protocol and set of bug switches. */
export interface StoreDb extends Db {
  readonly protocol: StoreProtocol;
  readonly bugs: readonly string[];
  leader(nodes: ClientNode[], signal: AbortSignal): Promise<string | undefined>;
}

export function storeDb(protocol: StoreProtocol, bugs: readonly string[] = []): StoreDb {
  return {
    name: protocol,
    protocol,
    bugs,
    // A folder prepared by `prepare` (store-image.ts): Faultline's Debian base, the host's node
    // binary and the compiled store; never pulled. `image` names the Dockerfile's template.
    image: { dockerfile: resolve(dirname(fileURLToPath(import.meta.url)), '../../../docker') },
    prepare: (ctx) => prepareStoreImage(ctx),
    clientPort: STORE_CLIENT_PORT,
    peerPort: STORE_PEER_PORT,
    command(node: DbNode, cluster: DbCluster): NodeCommand {
      const peers = cluster.nodes.map((n) => `${n.name}=${n.ip}:${STORE_PEER_PORT}`).join(',');
      const entry = node.runtime === 'docker' ? ['/usr/local/bin/node', '/app/dist/src/store/main.js'] : [process.execPath, storeMainPath()];
      const argv = [...entry, '--id', node.name, '--peers', peers, '--protocol', protocol, '--data', node.dataDir];
      argv.push('--client-port', String(STORE_CLIENT_PORT), '--client-host', node.ip);
      if (bugs.length > 0) argv.push('--bug', bugs.join(','));
      return { argv };
    },
    async leader(nodes, signal) {
      if (signal.aborted) return undefined;
      return leaderOf(await statuses(nodes, 1000));
    },
    async ready(nodes, signal) {
      while (!signal.aborted) {
        if (leaderOf(await statuses(nodes, 500).catch(() => new Map())) !== undefined) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    client: (ctx) => {
      if (!ctx) throw new Error('the store client needs its context (workload, nodes)');
      return new StoreWorkloadClient(ctx);
    },
  };
}

// What the rest of the harness may know of the store's internals goes through this seam.
export { BUGS, PROTOCOL_BUGS, bugProtocolError, type Bug } from '../store/bugs.js';
export { StoreClient, type Outcome } from '../store/client.js';
