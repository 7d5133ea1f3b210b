// The transactional workloads: list-append's generator (bounded length, unique values, a growing
// Zipf-skewed key space, final reads of every key, determinism), bank's shapes, both through the
// bundled store's workload client on a real 3-node cluster and checked, and the HTML report
// drawing a list-append anomaly (screenshot in test-artifacts/list-append-anomaly.png).

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAppendWorkload, zipfSampler } from '../../workloads/list-append.js';
import { bankWorkload } from '../../workloads/bank.js';
import { lockWorkload, LOCK_LEASE_MS } from '../../workloads/lock.js';
import { buildWorkload, WORKLOAD_NAMES } from '../../workloads/index.js';
import { interpret, type Worker } from '../../src/interpreter/index.js';
import { limit, onClients, stagger } from '../../src/generator/index.js';
import { simulate } from '../../src/generator/simulate.js';
import { createRng } from '../../src/core/rng.js';
import type { Op } from '../../src/core/op.js';
import { checkListAppend } from '../../checkers/txn/list-append.js';
import { renderReport } from '../../reports/html.js';
import { StoreWorkloadClient } from '../../src/db/store.js';
import { StoreClient } from '../../src/store/client.js';
import { LocalCluster } from '../../src/store/local-cluster.js';
import type { Generator } from '../../src/generator/index.js';
import { tempDir } from '../helpers/env.js';
import { browserTest, chromiumHere, launch, screenshotPath } from '../reports/browser.js';

type Mop = [string, number, unknown];

test('the registry lists list-append, bank and lock', (t) => {
  t.true(WORKLOAD_NAMES.includes('list-append'));
  t.true(WORKLOAD_NAMES.includes('bank'));
  t.true(WORKLOAD_NAMES.includes('lock'));
});

test('lock: acquires with a lease, writes of unique values with the token left to the client, releases', (t) => {
  const ops = simulate(lockWorkload().generator, { concurrency: 3, seed: 2, maxOps: 1200 }).ops.filter((o) => o.type === 'invoke');
  const by = (f: string) => ops.filter((o) => o.f === f);
  t.true(by('acquire').length > 50 && by('release').length > 50 && by('write').length > 250);
  t.true(by('acquire').every((o) => (o.value as { leaseMs: number }).leaseMs === LOCK_LEASE_MS));
  const values = by('write').map((o) => (o.value as { token: null; value: number }).value);
  t.is(new Set(values).size, values.length, 'written values are unique');
  t.true(by('write').every((o) => (o.value as { token: unknown }).token === null));
});

test('list-append: 1..4 micro-ops, unique appended values per key, keys grow, same ops for the same seed', (t) => {
  const run = (seed: number) => simulate(listAppendWorkload().generator, { concurrency: 5, seed, maxOps: 4000 }).ops.filter((o) => o.type === 'invoke');
  const ops = run(7);
  const seen = new Map<number, Set<unknown>>();
  let maxKey = 0;
  for (const op of ops) {
    t.is(op.f, 'txn');
    const mops = op.value as Mop[];
    t.true(mops.length >= 1 && mops.length <= 4);
    for (const [f, k, v] of mops) {
      t.true(f === 'r' || f === 'append');
      t.true(Number.isInteger(k));
      maxKey = Math.max(maxKey, k);
      if (f === 'r') t.is(v, null);
      else {
        const s = seen.get(k) ?? new Set();
        t.false(s.has(v), `value ${v} appended twice to key ${k}`);
        seen.set(k, s.add(v));
      }
    }
  }
  t.true(maxKey > 100, `the key space grows (highest key ${maxKey})`);
  const perKey = [...seen.values()].map((s) => s.size);
  t.true(Math.max(...perKey) < 200, 'each key sees a bounded number of appends');
  t.deepEqual(run(7).map((o) => o.value), ops.map((o) => o.value), 'deterministic per seed');
  t.notDeepEqual(run(8).map((o) => o.value), ops.map((o) => o.value));
});

test('list-append: Zipf key choice favours the first keys of the window', (t) => {
  const pick = zipfSampler(8, 1);
  const rng = createRng(1);
  const counts = Array(8).fill(0);
  for (let i = 0; i < 20_000; i++) counts[pick(rng)]++;
  // P(0) = 1/H8 ≈ 0.37, P(7) = 1/(8·H8) ≈ 0.046
  t.true(counts[0] > 6500 && counts[0] < 8200, `key 0: ${counts[0]}`);
  t.true(counts[7] > 600 && counts[7] < 1300, `key 7: ${counts[7]}`);
  for (let i = 1; i < 8; i++) t.true(counts[i] < counts[i - 1] * 1.1);
});

test('list-append: the final reads read every key the run used, in read-only txns', (t) => {
  const w = listAppendWorkload();
  const main = simulate(w.generator, { concurrency: 4, seed: 3, maxOps: 600 }).ops;
  const used = new Set(main.filter((o) => o.type === 'invoke').flatMap((o) => (o.value as Mop[]).map((m) => m[1])));
  const fin = simulate(w.final, { concurrency: 4, seed: 3, maxOps: 1000 }).ops.filter((o) => o.type === 'invoke');
  t.true(fin.every((o) => o.f === 'txn' && (o.value as Mop[]).every((m) => m[0] === 'r' && m[2] === null)));
  const read = new Set(fin.flatMap((o) => (o.value as Mop[]).map((m) => m[1])));
  for (const k of used) t.true(read.has(k), `key ${k} read at the end`);
});

test('bank: transfers between two distinct accounts of bounded amounts; reads carry the initial balances', (t) => {
  const ops = simulate(bankWorkload().generator, { concurrency: 3, seed: 1, maxOps: 600 }).ops.filter((o) => o.type === 'invoke');
  const transfers = ops.filter((o) => o.f === 'transfer').map((o) => o.value as { from: string; to: string; amount: number });
  t.true(transfers.length > 150);
  for (const x of transfers) {
    t.not(x.from, x.to);
    t.true(['0', '1', '2', '3', '4'].includes(x.from) && ['0', '1', '2', '3', '4'].includes(x.to));
    t.true(x.amount >= 1 && x.amount <= 5);
  }
  t.deepEqual(ops.find((o) => o.f === 'read')!.value, { 0: 20, 1: 20, 2: 20, 3: 20, 4: 20 });
});

/** Drives a workload's generator through one StoreWorkloadClient per node of a real cluster (thread i on node i) for `count` ops. */
async function drive(workload: string, gen: Generator, final: Generator, addrs: Record<string, string>, count: number): Promise<Op[]> {
  const nodes = Object.entries(addrs).map(([name, a]) => ({ name, host: a.slice(0, a.lastIndexOf(':')), port: Number(a.slice(a.lastIndexOf(':') + 1)) }));
  const clients = await Promise.all(nodes.map(async (node) => {
    const c = new StoreWorkloadClient({ workload, nodes, opTimeoutMs: 3000 });
    await c.open(node);
    return c;
  }));
  // The invocations the generator makes (a clock-free simulation), then executed for real, each thread in order.
  const planned = [...simulate(gen, { concurrency: nodes.length, seed: 5, maxOps: count * 2 }).ops, ...simulate(final, { concurrency: nodes.length, seed: 5, maxOps: 400 }).ops].filter((o) => o.type === 'invoke');
  const history: Op[] = [];
  const t0 = performance.now();
  const add = (o: Omit<Op, 'index' | 'timeNs'>) => history.push({ ...o, index: history.length, timeNs: Math.round((performance.now() - t0) * 1e6) });
  let next = 0;
  const mainCount = planned.length - simulate(final, { concurrency: nodes.length, seed: 5, maxOps: 400 }).ops.filter((o) => o.type === 'invoke').length;
  await Promise.all(clients.map(async (c, i) => {
    let proc = i;
    while (next < mainCount) {
      const inv = planned[next++]!;
      add({ type: 'invoke', process: proc, f: inv.f, value: inv.value });
      const r = await c.invoke({ f: inv.f, value: inv.value }, AbortSignal.timeout(5000));
      add({ type: r.type, process: proc, f: inv.f, value: r.type === 'ok' ? r.value : inv.value, ...(r.node ? { node: r.node } : {}) });
      if (r.type === 'info') proc += nodes.length;
    }
  }));
  for (const inv of planned.slice(mainCount)) {
    add({ type: 'invoke', process: 0, f: inv.f, value: inv.value });
    const r = await clients[0]!.invoke({ f: inv.f, value: inv.value }, AbortSignal.timeout(5000));
    add({ type: r.type, process: 0, f: inv.f, value: r.type === 'ok' ? r.value : inv.value });
  }
  await Promise.all(clients.map((c) => c.close()));
  return history;
}

for (const protocol of ['raft', 'zab'] as const) {
  test(`list-append, bank and lock through the store's workload client on 3 real ${protocol} nodes: checked valid`, async (t) => {
    const c = await LocalCluster.start(3, { protocol });
    t.teardown(() => c.stop());
    const admin = new StoreClient({ nodes: c.clientAddrs, timeoutMs: 5000 });
    t.teardown(() => admin.close());
    await c.awaitLeader(admin, 20_000);

    const la = listAppendWorkload();
    const h1 = await drive('list-append', la.generator, la.final, c.clientAddrs, 300);
    const r1 = await la.checkers['list-append']!.check(h1, { budgetMs: 30_000 });
    t.is(r1.valid, true, JSON.stringify((r1 as any).anomalies?.[0]?.text ?? r1));
    t.true(h1.filter((o) => o.type === 'ok').length > 250, 'most txns committed');
    const readValues = h1.filter((o) => o.type === 'ok').flatMap((o) => (o.value as Mop[]).filter((m) => m[0] === 'r' && Array.isArray(m[2])));
    t.true(readValues.length > 50, 'reads returned lists');

    const bank = bankWorkload();
    const h2 = await drive('bank', bank.generator, bank.final, c.clientAddrs, 200);
    const r2 = await bank.checkers.bank!.check(h2, { budgetMs: 30_000 });
    t.is(r2.valid, true, JSON.stringify(r2).slice(0, 500));
    t.true((r2 as any).reads > 20 && (r2 as any).transfers.ok > 80, JSON.stringify({ reads: (r2 as any).reads, transfers: (r2 as any).transfers }));

    const lock = lockWorkload();
    const h3 = await drive('lock', lock.generator, lock.final, c.clientAddrs, 400);
    const r3 = (await lock.checkers.lock!.check(h3, { budgetMs: 30_000 })) as any;
    t.is(r3.valid, true, JSON.stringify(r3.errors?.[0] ?? r3).slice(0, 500));
    t.true(r3.acquires.ok >= 2 && r3.writes.accepted >= 10, JSON.stringify({ acquires: r3.acquires, writes: r3.writes }));
    // The lease-aware mutex was checked, with every acquire's lease read from its value.
    t.is(r3.mutex?.valid, true);
    t.is(r3.mutex?.leases.unknown, 0);
    t.true(r3.mutex?.leases.fromOps > 0);
  });
}

/** T0 appends 1 to key 5 and completes; T1, invoked afterwards, reads key 5 empty: a stale read (G-single-realtime). */
function staleTxnRead(): Op[] {
  const rows: Omit<Op, 'index'>[] = [
    { type: 'invoke', process: 0, f: 'txn', value: [['append', 5, 1]], timeNs: 1_000_000 },
    { type: 'ok', process: 0, f: 'txn', value: [['append', 5, 1]], timeNs: 2_000_000 },
    { type: 'invoke', process: 1, f: 'txn', value: [['r', 5, null]], timeNs: 3_000_000 },
    { type: 'ok', process: 1, f: 'txn', value: [['r', 5, null]], timeNs: 4_000_000, node: 'n3' },
  ];
  return rows.map((o, index) => ({ ...o, index }));
}

browserTest('the report draws a list-append anomaly: its kind, explanation, graph and edges', async (t) => {
  if (!chromiumHere) return t.pass();
  const history = staleTxnRead();
  const results = { 'list-append': checkListAppend(history, { consistencyModel: 'strict-serializable' }) };
  t.is(results['list-append'].valid, false);
  const file = join(tempDir(), "report.html");
  writeFileSync(file, renderReport({ run: { name: 'list-append-stale', status: 'finished', valid: false }, history, results } as any));
  const browser = await launch();
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  const card = page.locator('.checker[data-checker="list-append"]');
  const text = await card.innerText();
  t.regex(text, /Held to strict-serializable/);
  t.regex(text, /G-single-realtime/);
  t.regex(text, /T2 < T0 because T2 read key 5 .*empty|T2 < T0 because/);
  t.is(await card.locator('svg.txn-graph .txn-node').count(), 2, 'two transactions drawn');
  t.is(await card.locator('svg.txn-graph .txn-edge').count(), 2, 'the two edges of the cycle');
  t.is(await card.locator('svg.txn-graph .txn-edge-rw').count(), 1);
  t.is(await card.locator('svg.txn-graph .txn-edge-realtime').count(), 1);
  await card.screenshot({ path: screenshotPath('list-append-anomaly.png') });
  t.deepEqual(errors, []);
});

/** A worker answering ok after a random 0–3 ms (timing differs between runs). */
const jittery: Worker = { invoke: (inv) => new Promise((resolve) => setTimeout(() => resolve({ type: 'ok', value: inv.value }), Math.random() * 3)) };

for (const name of ['list-append', 'bank', 'lock'] as const) {
  test(`--seed fixes the ${name} workload: the same invocations per thread whatever the timing`, async (t) => {
    const perThread = async (seed: number) => {
      const ops: Op[] = [];
      await interpret({ concurrency: 4, client: () => jittery, record: (op) => void ops.push(op), rng: createRng(seed), opTimeoutMs: 1000, generator: onClients(limit(300, stagger(1e9 / 20_000, buildWorkload(name).generator))) });
      const by = new Map<Op['process'], string[]>();
      for (const op of ops) if (op.type === 'invoke') by.set(op.process, [...(by.get(op.process) ?? []), `${op.f} ${JSON.stringify(op.value)}`]);
      return by;
    };
    const a = await perThread(42);
    const b = await perThread(42);
    let compared = 0;
    for (const [thread, ops] of a) {
      const n = Math.min(ops.length, b.get(thread)?.length ?? 0);
      compared += n;
      t.deepEqual(b.get(thread)!.slice(0, n), ops.slice(0, n), `thread ${String(thread)}`);
    }
    t.true(compared > 150, `enough ops compared (${compared})`);
  });
}
