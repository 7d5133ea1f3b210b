// A smoke test of the adapter without Faultline: runs the adapter's own node command for three
// nodes on loopback addresses 127.0.20.1-3 (Debian's nats-server on the host), waits for ready(),
// runs register and set ops through its client, SIGKILLs the bucket's leader and checks that a new
// leader is elected and writes go on. Usage: node examples/nats/smoke.mjs [--db-opt reads=direct]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import nats from './adapter.mjs';

const opts = {};
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === '--db-opt') { const [k, v] = process.argv[++i].split('='); opts[k] = v; }
const db = nats(opts);
const root = mkdtempSync(join(tmpdir(), 'faultline-nats-'));
const cluster = { nodes: [1, 2, 3].map((i) => ({ name: `n${i}`, ip: `127.0.20.${i}` })) };
const procs = new Map();
const start = (n) => {
  const { argv, env } = db.command({ ...n, dataDir: join(root, n.name), runtime: 'local' }, cluster);
  procs.set(n.name, spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: 'ignore' }));
};
const nodes = cluster.nodes.map((n) => ({ name: n.name, host: n.ip, port: db.clientPort }));
const within = (ms) => AbortSignal.timeout(ms);
const t0 = Date.now();
const log = (...a) => console.log(`${((Date.now() - t0) / 1000).toFixed(1)}s`, ...a);
try {
  cluster.nodes.forEach(start);
  await db.ready(nodes, within(30_000));
  log('ready; leader', await db.leader(nodes, within(5000)));
  const c = db.client({ workload: 'register', nodes, opTimeoutMs: 2000 });
  await c.open(nodes[1], within(1000));
  const inv = (f, value, cl = c) => cl.invoke({ f, value }, within(3000));
  assert.deepEqual(await inv('read', null), { type: 'ok', value: null });
  assert.equal((await inv('cas', [2, 4])).type, 'fail');
  assert.equal((await inv('write', 3)).type, 'ok');
  assert.equal((await inv('cas', [2, 4])).type, 'fail');
  assert.equal((await inv('cas', [3, 4])).type, 'ok');
  assert.deepEqual(await inv('read', null), { type: 'ok', value: 4 });
  const s = db.client({ workload: 'set', nodes, opTimeoutMs: 2000 });
  await s.open(nodes[2], within(1000));
  for (const v of [1, 2, 3]) assert.equal((await inv('add', v, s)).type, 'ok');
  assert.deepEqual(await inv('read', null, s), { type: 'ok', value: [1, 2, 3] });
  const old = await db.leader(nodes, within(5000));
  procs.get(old).kill('SIGKILL');
  log('killed leader', old);
  const live = nodes.filter((n) => n.name !== old);
  let now;
  while (!(now = await db.leader(live, within(2000)))) await new Promise((r) => setTimeout(r, 200));
  log('new leader', now);
  const c2 = db.client({ workload: 'register', nodes, opTimeoutMs: 2000 });
  await c2.open(live[0], within(1000));
  let r;
  while ((r = await inv('write', 7, c2)).type !== 'ok') log('write after kill:', r);
  assert.deepEqual(await inv('read', null, c2), { type: 'ok', value: 7 });
  log('ok');
  await Promise.all([c.close(), s.close(), c2.close()]);
} finally {
  for (const p of procs.values()) p.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
