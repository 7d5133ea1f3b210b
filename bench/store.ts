// Benchmark of the bundled store: 3 nodes (Raft, or each protocol given by --db) on loopback, 32 concurrent clients, 50/50
// linearizable reads (ReadIndex) and writes over 1,000 keys. Prints ops/s and p50/p99 latency
// with fsync on, then with fsync off (--fsync never: writes reach the file, no fdatasync).
//
//   node dist/bench/store.js [--db raft,paxos] [--etcd] [--seconds 10] [--clients 32] [--keys 1000] [--only fsync|nofsync]
//
// --etcd also measures a real 3-member etcd (the `etcd` binary on PATH, e.g. Debian's
// etcd-server 3.4) on 127.0.0.1 only, same mix and client concurrency, twice: through its native
// gRPC API (the etcd3 client: the fair row, as etcd's own clients reach it) and through its v3 JSON
// gateway (which adds a translation inside etcd). Ranges are linearizable by default; etcd always
// fsyncs, so it is in the fsync-on row.

import { performance } from 'node:perf_hooks';
import { StoreClient } from '../src/store/client.js';
import { STORE_PROTOCOLS } from '../src/db/store.js';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster, freePort } from '../src/store/local-cluster.js';

interface Options {
  seconds: number;
  clients: number;
  keys: number;
  only?: string;
  dbs: string[];
  etcd: boolean;
}

function parse(argv: string[]): Options {
  const o: Options = { seconds: 10, clients: 32, keys: 1000, dbs: ['raft'], etcd: false };
  for (let i = 0; i < argv.length; i += 2) {
    if (argv[i] === '--etcd') {
      o.etcd = true;
      i--;
      continue;
    }
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--seconds') o.seconds = Number(value);
    else if (flag === '--clients') o.clients = Number(value);
    else if (flag === '--keys') o.keys = Number(value);
    else if (flag === '--only') o.only = value;
    else if (flag === '--db') {
      o.dbs = value.split(',');
      const bad = o.dbs.find((d) => !(STORE_PROTOCOLS as readonly string[]).includes(d));
      if (bad !== undefined) throw new Error(`unknown --db ${JSON.stringify(bad)} (${STORE_PROTOCOLS.join(', ')})`);
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

/** How the bench reaches etcd: its v3 JSON gateway (HTTP) or its native gRPC API (the etcd3 client). */
type EtcdApi = 'json' | 'grpc';

/** One client op against etcd: true when it succeeded. */
type EtcdOp = (member: number, read: boolean, key: string, value: string) => Promise<boolean>;

/** The JSON gateway over fetch: what a client without gRPC sees (the gateway translates to gRPC inside etcd). */
function jsonGateway(urls: string[]): { op: EtcdOp; close(): Promise<void> } {
  const b64 = (x: string) => Buffer.from(x).toString('base64');
  const op: EtcdOp = async (m, read, key, value) => {
    try {
      const r = await fetch(urls[m]! + (read ? '/v3/kv/range' : '/v3/kv/put'), {
        method: 'POST', body: JSON.stringify(read ? { key: b64(key) } : { key: b64(key), value: b64(value) }), signal: AbortSignal.timeout(5000),
      });
      await r.arrayBuffer();
      return r.ok;
    } catch {
      return false;
    }
  };
  return { op, close: async () => {} };
}

/** The native gRPC API through the etcd3 client, one client per member (reads are linearizable ranges, as etcd's default). */
async function grpcClient(urls: string[]): Promise<{ op: EtcdOp; close(): Promise<void> }> {
  const { Etcd3 } = await import('etcd3');
  const clients = urls.map((u) => new Etcd3({ hosts: u }));
  const op: EtcdOp = async (m, read, key, value) => {
    try {
      if (read) await clients[m]!.get(key).string();
      else await clients[m]!.put(key).value(value);
      return true;
    } catch {
      return false;
    }
  };
  return { op, close: async () => clients.forEach((c) => c.close()) };
}

/** A 3-member etcd on loopback, measured with the same workers over its JSON gateway or gRPC. */
async function runEtcd(o: Options, api: EtcdApi): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), 'faultline-etcd-'));
  const peerPorts = [await freePort(), await freePort(), await freePort()];
  const clientPorts = [await freePort(), await freePort(), await freePort()];
  const cluster = peerPorts.map((p, i) => `e${i + 1}=http://127.0.0.1:${p}`).join(',');
  const procs: ChildProcess[] = peerPorts.map((p, i) =>
    spawn('etcd', [
      '--name', `e${i + 1}`, '--data-dir', join(root, `e${i + 1}`),
      '--listen-client-urls', `http://127.0.0.1:${clientPorts[i]}`, '--advertise-client-urls', `http://127.0.0.1:${clientPorts[i]}`,
      '--listen-peer-urls', `http://127.0.0.1:${p}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${p}`,
      '--initial-cluster', cluster, '--initial-cluster-token', 'faultline-bench', '--initial-cluster-state', 'new', '--log-level', 'error',
    ], { stdio: 'ignore' }),
  );
  const urls = clientPorts.map((p) => `http://127.0.0.1:${p}`);
  const client = api === 'grpc' ? await grpcClient(urls) : jsonGateway(urls);
  try {
    const deadline = Date.now() + 20_000;
    while (!(await client.op(0, false, 'ready', '1'))) {
      if (Date.now() > deadline) throw new Error('etcd did not become ready within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const latenciesMs: number[] = [];
    const readMs: number[] = [];
    const writeMs: number[] = [];
    let failed = 0;
    const warmupEnd = performance.now() + 1000;
    const end = warmupEnd + o.seconds * 1000;
    let seq = 0;
    const worker = async (w: number) => {
      const member = w % urls.length;
      while (performance.now() < end) {
        const key = `k${Math.floor(Math.random() * o.keys)}`;
        const t0 = performance.now();
        const read = Math.random() < 0.5;
        const ok = await client.op(member, read, key, String(seq++));
        const t1 = performance.now();
        if (t0 < warmupEnd) continue;
        if (ok) {
          latenciesMs.push(t1 - t0);
          (read ? readMs : writeMs).push(t1 - t0);
        } else failed++;
      }
    };
    await Promise.all(Array.from({ length: o.clients }, (_, w) => worker(w)));
    return {
      label: `etcd  fsync on  (${api === 'grpc' ? 'gRPC' : 'JSON gateway'})`, ops: latenciesMs.length, opsPerSec: latenciesMs.length / o.seconds,
      p50Ms: percentile(latenciesMs, 0.5), p99Ms: percentile(latenciesMs, 0.99),
      readP50Ms: percentile(readMs, 0.5), writeP50Ms: percentile(writeMs, 0.5), failed, indefinite: 0,
    };
  } finally {
    await client.close();
    await Promise.all(procs.map((p) => new Promise<void>((r) => (p.exitCode !== null ? r() : (p.once('exit', () => r()), p.kill('SIGKILL'))))));
    rmSync(root, { recursive: true, force: true });
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
if (o.etcd && o.only !== 'nofsync') for (const api of ['grpc', 'json'] as const) results.push(await runEtcd(o, api));
console.log(`store bench: 3 nodes on 127.0.0.1, ${o.clients} clients, 50% get (ReadIndex) / 50% put, ${o.keys} keys, ${o.seconds} s after 1 s warm-up`);
for (const r of results) {
  console.log(
    `${r.label}: ${Math.round(r.opsPerSec)} ops/s  p50 ${r.p50Ms.toFixed(2)} ms  p99 ${r.p99Ms.toFixed(2)} ms  ` +
      `(reads p50 ${r.readP50Ms.toFixed(2)} ms, writes p50 ${r.writeP50Ms.toFixed(2)} ms; ${r.ops} ok, ${r.failed} failed, ${r.indefinite} indefinite)`,
  );
}
