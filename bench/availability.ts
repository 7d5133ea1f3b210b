// Availability figures of a run's history (issue 12, item 4): how many client ops completed ok,
// failed definitely, or ended unknown, overall and per function and error. Usage:
//   node dist/bench/availability.js <run-dir or history.jsonl> [...]
// Nemesis ops (process "nemesis") are not client ops and are left out.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Line {
  type: string;
  process: number | string;
  f: string;
  error?: string;
}

for (const arg of process.argv.slice(2)) {
  const file = statSync(arg).isDirectory() ? join(arg, 'history.jsonl') : arg;
  const ops = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line).filter((o) => o.process !== 'nemesis' && o.type !== 'invoke');
  const by = new Map<string, number>();
  for (const o of ops) by.set(`${o.type} ${o.f}${o.error ? ` ${o.error}` : ''}`, (by.get(`${o.type} ${o.f}${o.error ? ` ${o.error}` : ''}`) ?? 0) + 1);
  const ok = ops.filter((o) => o.type === 'ok').length;
  // A cas whose expected value differs was answered by a healthy store: completed, not ok.
  const answered = ops.filter((o) => o.type === 'ok' || o.error === 'cas-mismatch').length;
  const pct = (n: number) => ((100 * n) / Math.max(1, ops.length)).toFixed(2);
  console.log(`${file}: ${ops.length} client ops; ok ${ok} (${pct(ok)} %); answered (ok or cas-mismatch) ${answered} (${pct(answered)} %)`);
  for (const [k, n] of [...by].sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(7)}  ${k}`);
}
