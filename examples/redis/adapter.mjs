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
  const known = ['reads', 'wait', 'down-after-ms', 'failover-timeout-ms'];
  for (const k of Object.keys(opts)) if (!known.includes(k)) throw new Error(`redis: unknown --db-opt ${k} (known: ${known.join(', ')})`);
  const reads = opts.reads ?? 'primary';
  if (reads !== 'primary' && reads !== 'replica') throw new Error(`redis: --db-opt reads=${reads} must be primary or replica`);
  const [waitN, waitMs = 1000, ...rest] = (opts.wait ?? '0').split(',').map(Number);
  if (rest.length || !Number.isInteger(waitN) || waitN < 0 || !Number.isInteger(waitMs) || waitMs < 0) throw new Error(`redis: --db-opt wait=${opts.wait} must be N or N,timeoutMs (integers ≥ 0)`);
  const ms = (k, d) => {
    const v = Number(opts[k] ?? d);
    if (!Number.isInteger(v) || v < 100) throw new Error(`redis: --db-opt ${k}=${opts[k]} must be an integer ≥ 100`);
    return v;
  };
  const downAfter = ms('down-after-ms', 2000);
  const failoverTimeout = ms('failover-timeout-ms', 6000);

  return {
    name: `redis${reads === 'replica' ? '-replica-reads' : ''}${waitN ? `-wait${waitN}` : ''}`,
    image: { debianPackages: ['redis-server', 'redis-sentinel'] },
    clientPort: PORT,
    logFiles: ['redis.log', 'sentinel.log'],
    command(node, cluster) {
      const primary = cluster.nodes[0];
      const quorum = Math.floor(cluster.nodes.length / 2) + 1;
      const d = node.dataDir;
      // Both configs are written once: Redis and Sentinel rewrite them (failover, new replicas), and
      // a node restarted after a kill must come back with what it had learnt, as in production.
      const redisConf = [`port ${PORT}`, `bind ${node.ip}`, `bind-source-addr ${node.ip}`, 'protected-mode no', `dir ${d}`,
        'appendonly yes', `logfile ${d}/redis.log`, `replica-announce-ip ${node.ip}`,
        ...(node.name === primary.name ? [] : [`replicaof ${primary.ip} ${PORT}`])];
      const sentinelConf = [`port ${SENTINEL_PORT}`, `bind ${node.ip}`, `bind-source-addr ${node.ip}`, 'protected-mode no', `dir ${d}`,
        `logfile ${d}/sentinel.log`, `sentinel announce-ip ${node.ip}`, `sentinel monitor ${MASTER} ${primary.ip} ${PORT} ${quorum}`,
        `sentinel down-after-milliseconds ${MASTER} ${downAfter}`, `sentinel failover-timeout ${MASTER} ${failoverTimeout}`];
      // One process tree per node: killing or pausing the node stops both. redis-server is exec'd so
      // it is the node's main process; the Sentinel is its sibling in the background.
      const script = [`mkdir -p "${d}" && cd "${d}" || exit 1`, `[ -f redis.conf ] || printf '%s\\n' "$REDIS_CONF" > redis.conf`,
        `[ -f sentinel.conf ] || printf '%s\\n' "$SENTINEL_CONF" > sentinel.conf`, 'redis-sentinel sentinel.conf &', 'exec redis-server redis.conf'].join('\n');
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
    this.ctx = ctx;
    this.o = o;
    const t = ctx?.opTimeoutMs ?? 5000;
    // No offline queue, no automatic retry or resend: a command is sent once, on a ready connection,
    // so an error before sending is a certain `fail` and anything after it an honest `info`.
    this.common = { lazyConnect: true, enableOfflineQueue: false, autoResendUnfulfilledCommands: false, maxRetriesPerRequest: 0,
      retryStrategy: () => null, connectTimeout: t, commandTimeout: t };
  }

  async open(node) {
    // Opening connects nothing (it must not change state, and the node may be down).
    this.primaryOpts = { ...this.common, name: MASTER, role: 'master', sentinelRetryStrategy: () => null, sentinelCommandTimeout: 1000,
      sentinels: this.ctx.nodes.map((n) => ({ host: n.host, port: SENTINEL_PORT })) };
    this.nearOpts = this.o.reads === 'replica' ? { ...this.common, host: node.host, port: node.port } : this.primaryOpts;
  }

  /** A ready connection with these options (a new one when the last broke). */
  async conn(which) {
    const opts = which === 'primary' ? this.primaryOpts : this.nearOpts;
    if (opts === this.primaryOpts) which = 'primary';
    const c = this[which];
    if (c?.status === 'ready') return c;
    c?.disconnect();
    const fresh = (this[which] = new Redis(opts));
    fresh.on('error', () => {});
    await fresh.connect();
    return fresh;
  }

  async invoke(op, signal) {
    const read = op.f === 'read';
    const key = this.ctx.workload === 'kv' ? `kv:${op.value[0]}` : this.ctx.workload;
    let c;
    try {
      c = await abortable(this.conn(read ? 'near' : 'primary'), signal);
    } catch (e) {
      return { type: 'fail', error: `not connected: ${e.message}` }; // nothing was sent
    }
    try {
      return await abortable(this.run(c, op, key), signal);
    } catch (e) {
      // Reconnect next time: after READONLY the Sentinels are asked again for the primary; after a
      // time-out or a broken connection a late reply must not be read as the next command's.
      if (!(e instanceof ReplyError) || /^READONLY/.test(e.message)) c.disconnect();
      // A read changes nothing; Redis refuses a command with an error reply before running it.
      return { type: read || e instanceof ReplyError ? 'fail' : 'info', error: e.message };
    }
  }

  async run(c, op, key) {
    const w = this.ctx.workload;
    const v = op.value;
    if (op.f === 'read') {
      if (w === 'set') return { type: 'ok', value: (await c.smembers(key)).map(Number).sort((a, b) => a - b) };
      if (w === 'kv') return { type: 'ok', value: [v[0], num(await c.get(key))] };
      if (w === 'counter') return { type: 'ok', value: num(await c.get(key)) ?? 0 };
      return { type: 'ok', value: num(await c.get(key)) };
    }
    if (op.f === 'write') await c.set(key, String(w === 'kv' ? v[1] : v));
    else if (op.f === 'add' && w === 'set') await c.sadd(key, String(v));
    else if (op.f === 'add' && w === 'counter') await c.incrby(key, v);
    else if (op.f === 'cas') {
      const [from, to] = w === 'kv' ? v[1] : v;
      if ((await c.eval(CAS, 1, key, String(from), String(to))) !== 1) return { type: 'fail', error: 'cas-mismatch' };
    } else return { type: 'fail', error: `the redis ${w} client has no op ${op.f}` };
    if (this.o.waitN > 0) {
      // The write is on the primary already; fewer replicas than asked means it may not survive a
      // failover — unknown, never `fail`.
      const got = await c.wait(this.o.waitN, this.o.waitMs);
      if (got < this.o.waitN) return { type: 'info', error: `WAIT: ${got} of ${this.o.waitN} replicas in ${this.o.waitMs} ms` };
    }
    return { type: 'ok', value: v };
  }

  async close() {
    this.primary?.disconnect();
    this.near?.disconnect();
  }
}

/** `p`, or a rejection when `signal` aborts first (the command may still run: the caller says info). */
function abortable(p, signal) {
  if (!signal) return p;
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
