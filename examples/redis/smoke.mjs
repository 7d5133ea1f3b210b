// A smoke test of the adapter without Docker: runs the adapter's own node command for three nodes
// on loopback addresses 127.0.10.1-3 (Debian's redis-server and redis-sentinel on the host), waits
// until ready(), runs each workload's ops through its client, SIGKILLs the primary and checks that
// the Sentinels fail over and writes go on. Usage: node examples/redis/smoke.mjs [--db-opt k=v ...]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import redis from './adapter.mjs';

const opts = {};
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === '--db-opt') { const [k, v] = process.argv[++i].split('='); opts[k] = v; }
const db = redis(opts);
const root = mkdtempSync(join(tmpdir(), 'faultline-redis-'));
const cluster = { nodes: [1, 2, 3].map((i) => ({ name: `n${i}`, ip: `127.0.10.${i}` })) };
const procs = new Map();
const start = (n) => {
  const { argv, env } = db.command({ ...n, dataDir: join(root, n.name) }, cluster);
  procs.set(n.name, spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: 'inherit', detached: true }));
};
const kill = (name) => process.kill(-procs.get(name).pid, 'SIGKILL');
const nodes = cluster.nodes.map((n) => ({ name: n.name, host: n.ip, port: db.clientPort }));
const within = (ms) => AbortSignal.timeout(ms);
const t0 = Date.now();
const log = (...a) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s`, ...a);
try {
  cluster.nodes.forEach(start);
  await db.ready(nodes, within(30_000));
  log('ready; leader', await db.leader(nodes, within(5000)));
  const clients = {};
  for (const workload of ['register', 'set', 'kv', 'counter']) {
    const c = (clients[workload] = db.client({ workload, nodes, opTimeoutMs: 2000 }));
    await c.open(nodes[1], within(1000));
  }
  const inv = (w, f, value) => clients[w].invoke({ f, value }, within(3000));
  assert.deepEqual(await inv('register', 'read', null), { type: 'ok', value: null });
  assert.equal((await inv('register', 'write', 3)).type, 'ok');
  assert.equal((await inv('register', 'cas', [2, 4])).type, 'fail');
  assert.equal((await inv('register', 'cas', [3, 4])).type, 'ok');
  await new Promise((r) => setTimeout(r, 200)); // replica reads may lag: that is what reads=replica shows
  assert.deepEqual(await inv('register', 'read', null), { type: 'ok', value: 4 });
  for (const v of [1, 2, 3]) assert.equal((await inv('set', 'add', v)).type, 'ok');
  assert.equal((await inv('kv', 'write', ['a', 1])).type, 'ok');
  assert.equal((await inv('kv', 'cas', ['a', [1, 2]])).type, 'ok');
  assert.equal((await inv('counter', 'add', 5)).type, 'ok');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(await inv('set', 'read', null), { type: 'ok', value: [1, 2, 3] });
  assert.deepEqual(await inv('kv', 'read', ['a', null]), { type: 'ok', value: ['a', 2] });
  assert.deepEqual(await inv('counter', 'read', null), { type: 'ok', value: 5 });
  log('every op as expected; killing the primary n1');
  kill('n1');
  const killed = await inv('register', 'write', 1);
  log('write right after the kill:', JSON.stringify(killed));
  assert.notEqual(killed.type, 'ok');
  let leader;
  while (!(leader = await db.leader(nodes.slice(1), within(5000))) || leader === 'n1') await new Promise((r) => setTimeout(r, 250));
  log('failed over to', leader);
  let w;
  for (let i = 0; (w = await inv('register', 'write', 2)).type !== 'ok'; i++) {
    assert.ok(i < 40, `no write succeeded after the failover: ${JSON.stringify(w)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  log('write after failover ok; restarting n1');
  start(cluster.nodes[0]);
  await db.ready(nodes, within(30_000));
  log('ready again; leader', await db.leader(nodes, within(5000)));
  for (const c of Object.values(clients)) await c.close();
  console.log('smoke: ok');
} finally {
  for (const name of procs.keys()) try { kill(name); } catch {}
  rmSync(root, { recursive: true, force: true });
}
