// NATS JetStream's key-value store as a database under Faultline: every node is Debian's
// nats-server (2.9) with JetStream on, in one cluster whose routes name every other node; the
// harness's register/set/kv ops go to one KV bucket replicated on every node (replicas = node
// count, at most 5). The client is nats.js 2 (the `nats` npm package, your project's dependency).
// Written by a new user from README.md and docs/adapters.md only; see README.md for what Faultline
// found and what was hard.
//
// --db-opt reads=leader (default) reads with $JS.API.STREAM.MSG.GET, answered by the stream's
// leader; reads=direct reads with $JS.API.DIRECT.GET, answered by any replica — what nats.js's
// kv.get does by default on a bucket it created itself on a ≥ 2.9 server. --db-opt cas=off answers
// every cas `fail: unsupported`, so a register run checks reads and writes alone.
import { connect, StringCodec } from 'nats';

const PORT = 4222; // clients
const ROUTE_PORT = 6222; // cluster routes: the only port nodes dial each other at
const BUCKET = 'faultline';
const sc = StringCodec();

/** @param {Record<string, string>} opts the --db-opt key=value pairs */
export default function nats(opts = {}) {
  for (const k of Object.keys(opts)) if (k !== 'reads' && k !== 'cas') throw new Error(`nats: unknown --db-opt ${k} (known: reads, cas)`);
  const reads = opts.reads ?? 'leader';
  if (reads !== 'leader' && reads !== 'direct') throw new Error(`nats: --db-opt reads=${reads} must be leader or direct`);
  const cas = opts.cas ?? 'on';
  if (cas !== 'on' && cas !== 'off') throw new Error(`nats: --db-opt cas=${cas} must be on or off`);

  return {
    name: 'nats',
    image: { debianPackages: ['nats-server'] },
    clientPort: PORT,
    peerPort: ROUTE_PORT,
    unsupportedFaults: {
      clock: 'nats-server is a Go binary: the Go runtime reads the clock without libc, so libfaketime cannot move it',
    },
    command(node, cluster) {
      const routes = cluster.nodes.filter((n) => n.name !== node.name).map((n) => `nats://${n.ip}:${ROUTE_PORT}`);
      return {
        argv: ['nats-server', '--name', node.name, '--addr', node.ip, '--port', String(PORT),
          '--jetstream', '--store_dir', `${node.dataDir}/jetstream`,
          '--cluster_name', 'faultline', '--cluster', `nats://${node.ip}:${ROUTE_PORT}`, '--routes', routes.join(',')],
      };
    },
    async ready(nodes, signal) {
      // The bucket exists with every node as a replica, a leader, and every follower current.
      const replicas = Math.min(nodes.length, 5);
      let last = 'no node answered';
      for (let i = 0; !signal.aborted; i++) {
        const node = nodes[i % nodes.length];
        try {
          const info = await withJs(node, 2000, async (js, jsm) => {
            await js.views.kv(BUCKET, { replicas, history: 1 });
            return jsm.streams.info(`KV_${BUCKET}`);
          });
          const c = info.cluster;
          if (c?.leader && c.replicas?.length === replicas - 1 && c.replicas.every((r) => r.current && !r.offline)) return;
          last = `bucket not ready: ${JSON.stringify(c)}`;
        } catch (e) {
          last = `${node.name}: ${e.message}`;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
      throw new Error(`nats: the KV bucket never became ready (${last})`);
    },
    async leader(nodes, signal) {
      // The bucket's stream leader (server names are the node names), asked of the first node that answers.
      for (const node of nodes) {
        if (signal.aborted) break;
        const l = await withJs(node, 1000, async (_, jsm) => (await jsm.streams.info(`KV_${BUCKET}`)).cluster?.leader).catch(() => undefined);
        if (l && nodes.some((n) => n.name === l)) return l;
      }
      return undefined;
    },
    client: (ctx) => new NatsClient(ctx, reads, cas === 'on'),
  };
}

/** `f(js, jsm)` on a fresh connection to `node`, closed afterwards (for ready and leader). */
async function withJs(node, timeout, f) {
  const nc = await connect({ servers: `${node.host}:${node.port}`, reconnect: false, timeout, ignoreClusterUpdates: true });
  try {
    const js = nc.jetstream({ timeout, checkAPI: false });
    return await f(js, await js.jetstreamManager(false));
  } finally {
    await nc.close().catch(() => {});
  }
}

class NatsClient {
  constructor(ctx, reads, cas) {
    this.cas = cas;
    this.workload = ctx?.workload;
    this.timeout = Math.max(200, (ctx?.opTimeoutMs ?? 5000) - 100); // nats.js's own time-out fires first
    this.reads = reads;
  }

  async open(node) {
    this.node = node; // connect lazily: opening must not need the node to be up
  }

  /** The bucket on a live connection to this worker's node (a new one after a close or time-out). */
  async bucket() {
    if (this.nc && !this.nc.isClosed()) return this.kv;
    // No reconnect and no cluster updates: a connection is to this node only, and a dead one is
    // replaced on the next op rather than silently moved to another node.
    this.nc = await connect({ servers: `${this.node.host}:${this.node.port}`, reconnect: false, timeout: this.timeout, ignoreClusterUpdates: true });
    const js = this.nc.jetstream({ timeout: this.timeout, checkAPI: false });
    // bindOnly sends nothing; allow_direct picks DIRECT.GET (any replica) or STREAM.MSG.GET (the leader).
    this.kv = await js.views.kv(BUCKET, { bindOnly: true, allow_direct: this.reads === 'direct' });
    return this.kv;
  }

  async invoke(op, signal) {
    let kv;
    try {
      kv = await abortable(this.bucket(), signal);
    } catch (e) {
      this.drop();
      return { type: 'fail', error: `not connected: ${e.message}` }; // nothing was sent
    }
    try {
      return await abortable(this.run(kv, op), signal);
    } catch (e) {
      const code = e?.code;
      if (code !== '503' && !e?.api_error) this.drop(); // a time-out or a broken connection: start afresh
      if (op.f === 'read') return { type: 'fail', error: e.message }; // a read changes nothing
      // 503 "no responders": no server had interest in the subject, so nobody received the publish.
      // JetStream's 10071 "wrong last sequence": the leader refused the revision-checked update.
      if ((code === '503' && !e?.api_error) || e?.api_error?.err_code === 10071) return { type: 'fail', error: `${code}: ${e.message}` };
      // Anything else — a time-out, a lost connection, another JetStream error — may have been stored.
      return { type: 'info', error: `${code ?? ''} ${e.message}`.trim() };
    }
  }

  async run(kv, { f, value: v }) {
    const w = this.workload;
    // counter has no KV op here; cas=off leaves the register to reads and writes (see README).
    if (w === 'counter' || (f === 'cas' && !this.cas)) return { type: 'fail', error: 'unsupported' };
    const key = w === 'kv' ? `k${v[0]}` : w;
    const get = async () => {
      const e = await kv.get(key);
      return e && e.operation === 'PUT' ? { value: JSON.parse(sc.decode(e.value)), revision: e.revision } : { value: null, revision: e?.revision ?? 0 };
    };
    if (f === 'read' && w === 'set') {
      // Every key `set.<v>` still in the bucket (kv.keys: an ordered consumer of the last value per key).
      const out = [];
      for await (const k of await kv.keys('set.>')) out.push(Number(k.slice(4)));
      return { type: 'ok', value: out.sort((a, b) => a - b) };
    }
    if (f === 'read') {
      const { value } = await get();
      return { type: 'ok', value: w === 'kv' ? [v[0], value] : value };
    }
    if (f === 'write') {
      await kv.put(key, sc.encode(JSON.stringify(w === 'kv' ? v[1] : v)));
      return { type: 'ok', value: v };
    }
    if (f === 'cas') {
      const [from, to] = w === 'kv' ? v[1] : v;
      const cur = await get();
      if (cur.value !== from || cur.revision === 0) return { type: 'fail', error: `cas-mismatch: holds ${cur.value}` };
      // Revision-checked: the leader stores it only if `key`'s last revision is still the one read.
      await kv.update(key, sc.encode(JSON.stringify(to)), cur.revision);
      return { type: 'ok', value: v };
    }
    if (f === 'add' && w === 'set') {
      // One key per element, a blind put: the set tests whether acknowledged writes survive, not
      // the revision check (a JSON array grown by kv.update would re-find the cas race of README.md).
      await kv.put(`set.${v}`, sc.encode('1'));
      return { type: 'ok', value: v };
    }
    return { type: 'fail', error: 'unsupported' };
  }

  drop() {
    this.nc?.close().catch(() => {});
    this.nc = undefined;
  }

  async close() {
    await this.nc?.close().catch(() => {});
  }
}

/** `p`, or a rejection when `signal` aborts first (the op may still happen: the caller says info). */
function abortable(p, signal) {
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(Object.assign(new Error('timed out'), { code: 'TIMEOUT' }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
