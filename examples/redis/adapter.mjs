// Redis 7 with Sentinel as a database under Faultline: one primary (n1 at start), every other node
// a replica of it, and a Sentinel on every node that fails the primary over when a majority of
// Sentinels cannot reach it. The client is ioredis 5 (a well-kept library, installed by the user's
// project): writes go to the primary the Sentinels name, as a Redis application's writes do; reads
// go to the primary or to the worker's own node (--db-opt reads=replica). --db-opt wait=N[,ms]
// sends WAIT N ms after every write. See README.md for the options and for what Faultline found.
import Redis, { ReplyError } from 'ioredis';

const PORT = 6379;
const SENTINEL_PORT = 26379;
const MASTER = 'mymaster';

/** @param {Record<string, string>} opts the --db-opt key=value pairs */
export default function redis(opts = {}) {
  const known = { reads: 'primary|replica', wait: 'N or N,timeoutMs', 'min-replicas': 'N or N,maxLagSeconds', 'down-after-ms': 'ms ≥ 100', 'failover-timeout-ms': 'ms ≥ 100' };
  const bad = (k) => new Error(`redis: --db-opt ${k}=${opts[k]} must be ${known[k]}`);
  for (const k of Object.keys(opts)) if (!(k in known)) throw new Error(`redis: unknown --db-opt ${k} (known: ${Object.keys(known).join(', ')})`);
  /** Up to `max` comma-separated integers ≥ min, or the default. */
  const ints = (k, dflt, max, min = 0) => {
    const v = (opts[k] ?? dflt).split(',').map(Number);
    if (v.length > max || v.some((x) => !Number.isInteger(x) || x < min)) throw bad(k);
    return v;
  };
  const reads = opts.reads ?? 'primary';
  if (reads !== 'primary' && reads !== 'replica') throw bad('reads');
  const [waitN, waitMs = 1000] = ints('wait', '0', 2);
  const [minReplicas, maxLag = 10] = ints('min-replicas', '0', 2);
  const [downAfter] = ints('down-after-ms', '2000', 1, 100);
  const [failoverTimeout] = ints('failover-timeout-ms', '6000', 1, 100);

  return {
    name: 'redis', // the options show in the run's rerun line
    image: { debianPackages: ['redis-server', 'redis-sentinel'] },
    clientPort: PORT,
    logFiles: ['redis.log', 'sentinel.log'],
    unsupportedFaults: { clock: "Debian's redis-server uses jemalloc, which hangs under libfaketime (libfaketime#130), so the node runs without it" },
    command(node, cluster) {
      const primary = cluster.nodes[0];
      const quorum = Math.floor(cluster.nodes.length / 2) + 1;
      const d = node.dataDir;
      // Both configs are written once: Redis and Sentinel rewrite them (failover, new replicas), and
      // a node restarted after a kill must come back with what it had learnt, as in production.
      const redisConf = [`port ${PORT}`, `bind ${node.ip}`, `bind-source-addr ${node.ip}`, 'protected-mode no', `dir ${d}`,
        'appendonly yes', `logfile ${d}/redis.log`, `replica-announce-ip ${node.ip}`,
        ...(minReplicas ? [`min-replicas-to-write ${minReplicas}`, `min-replicas-max-lag ${maxLag}`] : []),
        ...(node.name === primary.name ? [] : [`replicaof ${primary.ip} ${PORT}`])];
      const sentinelConf = [`port ${SENTINEL_PORT}`, `bind ${node.ip}`, `bind-source-addr ${node.ip}`, 'protected-mode no', `dir ${d}`,
        `logfile ${d}/sentinel.log`, `sentinel announce-ip ${node.ip}`, `sentinel monitor ${MASTER} ${primary.ip} ${PORT} ${quorum}`,
        `sentinel down-after-milliseconds ${MASTER} ${downAfter}`, `sentinel failover-timeout ${MASTER} ${failoverTimeout}`];
      // One process tree per node: killing or pausing the node stops both. redis-server is exec'd so
      // it is the node's main process; the Sentinel is its sibling in the background.
      const script = [`mkdir -p "${d}" && cd "${d}" || exit 1`, `[ -f redis.conf ] || printf '%s\\n' "$REDIS_CONF" > redis.conf`,
        `[ -f sentinel.conf ] || printf '%s\\n' "$SENTINEL_CONF" > sentinel.conf`,
        // Debian's Redis is built with jemalloc, which hangs under libfaketime (libfaketime#130):
        // no LD_PRELOAD, so --nemesis clock cannot move Redis's clock (see README).
        'unset LD_PRELOAD', 'redis-sentinel sentinel.conf &', 'exec redis-server redis.conf'].join('\n');
      return { argv: ['sh', '-c', script], env: { REDIS_CONF: redisConf.join('\n'), SENTINEL_CONF: sentinelConf.join('\n') } };
    },
    async ready(nodes, signal) {
      // Every Sentinel knows the primary, every replica and every other Sentinel (else no failover).
      while (!signal.aborted) {
        const views = await Promise.all(nodes.map((n) => command(n.host, SENTINEL_PORT, ['SENTINEL', 'MASTER', MASTER]).catch(() => null)));
        const ok = views.every((v) => {
          if (!Array.isArray(v)) return false;
          const f = Object.fromEntries(v.flatMap((x, i) => (i % 2 ? [] : [[x, v[i + 1]]])));
          return f.flags === 'master' && Number(f['num-slaves']) === nodes.length - 1 && Number(f['num-other-sentinels']) === nodes.length - 1;
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    async leader(nodes, signal) {
      // The primary most Sentinels name (a Sentinel cut off from the majority may name an old one).
      const votes = new Map();
      for (const n of nodes) {
        if (signal.aborted) break;
        const a = await command(n.host, SENTINEL_PORT, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER]).catch(() => null);
        const name = Array.isArray(a) ? nodes.find((m) => m.host === a[0])?.name : undefined;
        if (name) votes.set(name, (votes.get(name) ?? 0) + 1);
      }
      return [...votes].sort((a, b) => b[1] - a[1])[0]?.[0];
    },
    client: (ctx) => new RedisClient(ctx, { reads, waitN, waitMs }),
  };
}

/** One command on a fresh connection (for ready/leader). */
async function command(host, port, argv) {
  const c = new Redis({ host, port, lazyConnect: true, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0 });
  c.on('error', () => {});
  try {
    await c.connect();
    return await c.call(...argv);
  } finally {
    c.disconnect();
  }
}

const CAS = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2]) return 1 else return 0 end`;

const num = (v) => (v === null ? null : Number(v));

class RedisClient {
  constructor(ctx, o) {
    const t = ctx?.opTimeoutMs ?? 5000;
    // No offline queue, no automatic retry or resend: a command is sent once, on a ready connection,
    // so an error before sending is a certain `fail` and anything after it an honest `info`.
    const common = { lazyConnect: true, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0,
      retryStrategy: () => null, connectTimeout: t, commandTimeout: t };
    Object.assign(this, { ctx, o, common, conns: {} });
  }

  async open(node) {
    // Opening connects nothing (it must not change state, and the node may be down).
    const sentinels = this.ctx.nodes.map((n) => ({ host: n.host, port: SENTINEL_PORT }));
    this.opts = { primary: { ...this.common, name: MASTER, role: 'master', sentinels, sentinelRetryStrategy: () => null, sentinelCommandTimeout: 1000 } };
    this.opts.near = this.o.reads === 'replica' ? { ...this.common, host: node.host, port: node.port } : this.opts.primary;
  }

  /** A ready connection (a new one when the last broke); reads=primary shares the primary's. */
  async conn(which) {
    if (this.opts[which] === this.opts.primary) which = 'primary';
    const c = this.conns[which];
    if (c?.status === 'ready') return c;
    c?.disconnect();
    const fresh = (this.conns[which] = new Redis(this.opts[which]));
    fresh.on('error', () => {});
    await fresh.connect();
    return fresh;
  }

  async invoke(op, signal) {
    const read = op.f === 'read';
    let c;
    try {
      c = await abortable(this.conn(read ? 'near' : 'primary'), signal);
    } catch (e) {
      return { type: 'fail', error: `not connected: ${e.message}` }; // nothing was sent
    }
    try {
      return await abortable(this.run(c, op), signal);
    } catch (e) {
      // Reconnect next time: after READONLY the Sentinels are asked again for the primary; after a
      // time-out or a broken connection a late reply must not be read as the next command's.
      if (!(e instanceof ReplyError) || /^READONLY/.test(e.message)) c.disconnect();
      // A read changes nothing; Redis refuses a command with an error reply before running it.
      return { type: read || e instanceof ReplyError ? 'fail' : 'info', error: e.message };
    }
  }

  async run(c, { f, value: v }) {
    const w = this.ctx.workload;
    const key = w === 'kv' ? `kv:${v[0]}` : w;
    if (f === 'read') {
      if (w === 'set') return { type: 'ok', value: (await c.smembers(key)).map(Number).sort((a, b) => a - b) };
      const got = num(await c.get(key));
      return { type: 'ok', value: w === 'kv' ? [v[0], got] : w === 'counter' ? (got ?? 0) : got };
    }
    if (f === 'write') await c.set(key, String(w === 'kv' ? v[1] : v));
    else if (f === 'add' && w === 'set') await c.sadd(key, String(v));
    else if (f === 'add' && w === 'counter') await c.incrby(key, v);
    else if (f === 'cas') {
      const [from, to] = w === 'kv' ? v[1] : v;
      if ((await c.eval(CAS, 1, key, String(from), String(to))) !== 1) return { type: 'fail', error: 'cas-mismatch' };
    } else return { type: 'fail', error: `the redis ${w} client has no op ${f}` };
    if (!this.o.waitN) return { type: 'ok', value: v };
    // The write is on the primary already: fewer replicas than asked (or no answer) means it may or
    // may not survive a failover — unknown, never `fail`.
    const got = await c.wait(this.o.waitN, this.o.waitMs).catch((e) => e.message);
    if (typeof got === 'number' && got >= this.o.waitN) return { type: 'ok', value: v };
    return { type: 'info', error: `WAIT ${this.o.waitN} ${this.o.waitMs}: ${got}` };
  }

  async close() {
    for (const c of Object.values(this.conns)) c.disconnect();
  }
}

/** `p`, or a rejection when `signal` aborts first (the command may still run: the caller says info). */
function abortable(p, signal) {
  let onAbort;
  const aborted = new Promise((_, reject) => {
    onAbort = () => reject(new Error('timed out'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([p, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}
