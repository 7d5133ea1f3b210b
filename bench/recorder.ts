// bench/recorder: pushes 1,000,000 ops through the history sink and reads them back, into the
// embedded PGlite daemon and, when DATABASE_URL is set, into that Postgres server. Prints
// ops/s written, peak RSS (this process, and the embedded daemon), and ops/s read back.
// Usage: node dist/bench/recorder.js [--ops N] [--only embedded|postgres]

import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, type DbOptions } from '../src/history/db.js';
import { readState } from '../src/history/embedded.js';
import type { Op } from '../src/core/op.js';
import { createRun } from '../src/history/runs.js';
import { openSink } from '../src/history/sink.js';
import { readOpPages } from '../src/history/source.js';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const N = Number(arg('--ops') ?? 1_000_000);
const only = arg('--only');

function peakRssMb(pid?: number): number {
  if (pid === undefined) return Math.round(process.resourceUsage().maxRSS / 1024);
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

function op(i: number): Op {
  const p = (i >> 1) % 50;
  const invoke = i % 2 === 0;
  return invoke
    ? { index: i, type: 'invoke', process: p, f: i % 4 === 0 ? 'read' : 'write', value: i % 4 === 0 ? null : i % 97, timeNs: i * 1000 }
    : { index: i, type: i % 40 === 1 ? 'info' : 'ok', process: p, f: (i - 1) % 4 === 0 ? 'read' : 'write', value: i % 97, timeNs: i * 1000, node: `n${p % 5}` };
}

async function bench(label: string, opts: DbOptions): Promise<void> {
  const db = await openDb(opts);
  try {
    const runId = await createRun(db.sql, { name: `bench-recorder-${label}` });
    const sink = openSink(db, runId);
    let t0 = performance.now();
    for (let i = 0; i < N; i++) {
      sink.append(op(i));
      if (sink.full) await sink.drain();
    }
    await sink.close();
    const writeS = (performance.now() - t0) / 1000;
    t0 = performance.now();
    let read = 0;
    for await (const page of readOpPages(db, runId)) read += page.length;
    const readS = (performance.now() - t0) / 1000;
    const daemon = db.kind === 'embedded' && opts.home ? readState(opts.home)?.pid : undefined;
    console.log(
      `${label.padEnd(9)} write ${N.toLocaleString('en')} ops: ${(N / writeS).toFixed(0).padStart(7)} ops/s (${writeS.toFixed(1)} s)` +
        ` | read back ${read.toLocaleString('en')}: ${(read / readS).toFixed(0).padStart(7)} ops/s (${readS.toFixed(1)} s)` +
        ` | peak RSS harness ${peakRssMb()} MB${daemon ? `, embedded daemon ${peakRssMb(daemon)} MB` : ''}`,
    );
    await db.sql`delete from runs where id = ${runId}`;
  } finally {
    await db.close();
  }
}

if (only !== 'postgres') {
  const home = mkdtempSync(join(tmpdir(), 'faultline-bench-'));
  await bench('embedded', { home, databaseUrl: null });
}
if (only !== 'embedded') {
  if (process.env.DATABASE_URL) await bench('postgres', { databaseUrl: process.env.DATABASE_URL });
  else console.log('postgres  skipped: set DATABASE_URL (e.g. eval "$(bash .ci/postgres.sh start)") to measure a real server');
}
