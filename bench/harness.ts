// bench/harness: the interpreter and the recorder with a no-op client — how many ops per second
// the harness itself sustains, so it is never the bottleneck of a test. Prints ops/s (client ops,
// i.e. invoke + completion pairs) with the recorder writing to the embedded database or, with
// DATABASE_URL, to that Postgres, and with no recorder at all.
// Usage: node dist/bench/harness.js [--ops N] [--concurrency C]

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fn, limit } from '../src/generator/index.js';
import { openDb, type DbOptions } from '../src/history/db.js';
import type { Op } from '../src/core/op.js';
import { createRun } from '../src/history/runs.js';
import { openSink } from '../src/history/sink.js';
import { interpret, type Worker } from '../src/interpreter/index.js';
import { createRng } from '../src/core/rng.js';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = arg('--ops', 500_000);
const concurrency = arg('--concurrency', 10);
const noop: Worker = { invoke: async (inv) => ({ type: 'ok', value: inv.value }) };
const generator = () => limit(N, fn((ctx) => ({ f: ctx.rng.float() < 0.5 ? 'read' : 'write', value: ctx.rng.int(0, 100) })));

async function run(label: string, record: (op: Op) => void | Promise<void>, close: () => Promise<void>) {
  const t0 = performance.now();
  const result = await interpret({ generator: generator(), concurrency, client: () => noop, record, rng: createRng(1), opTimeoutMs: 10_000 });
  await close();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(22)} ${N.toLocaleString('en')} ops (${result.recorded.toLocaleString('en')} history records) in ${s.toFixed(1)} s: ${(N / s).toFixed(0)} ops/s`);
}

await run('no recorder', () => {}, async () => {});
async function withSink(label: string, opts: DbOptions) {
  const db = await openDb(opts);
  const runId = await createRun(db.sql, { name: 'bench-harness' });
  const sink = openSink(db, runId);
  await run(label, (op) => {
    sink.append(op);
    if (sink.full) return sink.drain();
  }, () => sink.close());
  await db.sql`delete from runs where id = ${runId}`;
  await db.close();
}
await withSink('recorder → embedded', { home: mkdtempSync(join(tmpdir(), 'faultline-bench-')), databaseUrl: null });
if (process.env.DATABASE_URL) await withSink('recorder → postgres', { databaseUrl: process.env.DATABASE_URL });
