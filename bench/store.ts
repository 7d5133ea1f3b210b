// Benchmark of the bundled store: 3 nodes (Raft, or each protocol given by --db) on loopback, 32 concurrent clients, 50/50
// linearizable reads (ReadIndex) and writes over 1,000 keys. Prints ops/s and p50/p99 latency
// with fsync on, then with fsync off (--fsync never: writes reach the file, no fdatasync).
//
//   node dist/bench/store.js [--db raft,paxos] [--seconds 10] [--clients 32] [--keys 1000] [--only fsync|nofsync]

import { performance } from 'node:perf_hooks';
import { StoreClient } from '../src/store/client.js';
import { LocalCluster } from '../src/store/local-cluster.js';

interface Options {
  seconds: number;
  clients: number;
  keys: number;
  only?: string;
  dbs: string[];
}

function parse(argv: string[]): Options {
  const o: Options = { seconds: 10, clients: 32, keys: 1000, dbs: ['raft'] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--seconds') o.seconds = Number(value);
    else if (flag === '--clients') o.clients = Number(value);
    else if (flag === '--keys') o.keys = Number(value);
    else if (flag === '--only') o.only = value;
    else if (flag === '--db') {
      o.dbs = value.split(',');
      const bad = o.dbs.find((d) => d !== 'raft' && d !== 'paxos');
      if (bad !== undefined) throw new Error(`unknown --db ${JSON.stringify(bad)} (raft or paxos)`);
    }
    else throw new Error(`unknown flag ${flag}`);
  }
  return o;
}

interface Result {
  label: string;
  ops: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  readP50Ms: number;
  writeP50Ms: number;
  failed: number;
  indefinite: number;
}

async function runOne(label: string, db: string, extraArgs: string[], o: Options): Promise<Result> {
  const cluster = await LocalCluster.start(3, { args: extraArgs, protocol: db });
  const admin = new StoreClient({ nodes: cluster.clientAddrs });
  try {
    await cluster.awaitLeader(admin, 20_000);
    const latenciesMs: number[] = [];
    const readMs: number[] = [];
    const writeMs: number[] = [];
    let failed = 0;
    let indefinite = 0;
    const warmupEnd = performance.now() + 1000;
    const end = warmupEnd + o.seconds * 1000;
    let seq = 0;
    const worker = async () => {
      const client = new StoreClient({ nodes: cluster.clientAddrs, timeoutMs: 5000 });
      while (performance.now() < end) {
        const key = `k${Math.floor(Math.random() * o.keys)}`;
        const t0 = performance.now();
        const read = Math.random() < 0.5;
        const r = read ? await client.get(key) : await client.put(key, seq++);
        const t1 = performance.now();
        if (t0 < warmupEnd) continue;
        if (r.type === 'ok') {
          latenciesMs.push(t1 - t0);
          (read ? readMs : writeMs).push(t1 - t0);
        }
        else if (r.type === 'fail') failed++;
        else indefinite++;
      }
      await client.close();
    };
    await Promise.all(Array.from({ length: o.clients }, worker));
    return {
      label, ops: latenciesMs.length, opsPerSec: latenciesMs.length / o.seconds, p50Ms: percentile(latenciesMs, 0.5), p99Ms: percentile(latenciesMs, 0.99),
      readP50Ms: percentile(readMs, 0.5), writeP50Ms: percentile(writeMs, 0.5), failed, indefinite,
    };
  } finally {
    await admin.close();
    await cluster.stop();
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const o = parse(process.argv.slice(2));
const results: Result[] = [];
for (const db of o.dbs) {
  if (o.only !== 'nofsync') results.push(await runOne(`${db.padEnd(5)} fsync on `, db, [], o));
  if (o.only !== 'fsync') results.push(await runOne(`${db.padEnd(5)} fsync off`, db, ['--fsync', 'never'], o));
}
console.log(`store bench: 3 nodes on 127.0.0.1, ${o.clients} clients, 50% get (ReadIndex) / 50% put, ${o.keys} keys, ${o.seconds} s after 1 s warm-up`);
for (const r of results) {
  console.log(
    `${r.label}: ${Math.round(r.opsPerSec)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ` +
      `(reads p50 ${r.readP50Ms.toFixed(2)} ms, writes p50 ${r.writeP50Ms.toFixed(2)} ms; ${r.ops} ok, ${r.failed} failed, ${r.indefinite} indefinite)`,
  );
}
