// Benchmark of the list-append checker: generated histories of 10k, 100k and 1M transactions
// (concurrency 20, 1–4 micro-ops each, 1,000 keys live at a time with Zipf-skewed choice, a key
// retired after 32 appends as Elle's generator does so reads stay short), from a simulated
// strict-serializable database. Prints generation time, check time and peak memory. Each size
// runs in its own child process so the peaks do not mix.
//
//   node dist/bench/txn.js                 # 10k, 100k, 1M
//   node dist/bench/txn.js 10000 100000    # chosen sizes
//   node dist/bench/txn.js 100000 --stale 0.001 --model snapshot-isolation   # with a stale-read bug
//   node dist/bench/txn.js --one 100000    # (internal) one size in this process

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Op } from '../src/core/op.js';
import { createRng } from '../src/core/rng.js';
import { checkListAppend } from '../checkers/txn/list-append.js';
import { isConsistencyModel, type ConsistencyModel } from '../checkers/txn/models.js';

const CONCURRENCY = 20;
const ACTIVE_KEYS = 1000;
const MAX_WRITES_PER_KEY = 32;

export function generate(txns: number, seed = 1, staleRate = 0): Op[] {
  const rng = createRng(seed);
  const ops: Op[] = [];
  const lists = new Map<number, number[]>();
  const active: number[] = Array.from({ length: ACTIVE_KEYS }, (_, i) => i);
  const writes = new Map<number, number>();
  let nextKey = ACTIVE_KEYS;
  let nextValue = 1;
  // Zipf-ish: index = floor(n * u^2) favours low indexes.
  const pickKey = (): number => active[Math.floor(ACTIVE_KEYS * rng.float() ** 2)]!;
  const running: (Op | null)[] = new Array(CONCURRENCY).fill(null);
  const procOf = Array.from({ length: CONCURRENCY }, (_, i) => i);
  let nextProc = CONCURRENCY;
  let invoked = 0;
  let open = 0;
  let t = 0;
  while (invoked < txns || open > 0) {
    const w = rng.int(0, CONCURRENCY - 1);
    const cur = running[w];
    t += 1000;
    if (!cur) {
      if (invoked >= txns) continue;
      const len = rng.int(1, 4);
      const mops: unknown[][] = [];
      for (let i = 0; i < len; i++) {
        const k = pickKey();
        mops.push(rng.float() < 0.5 ? [':append', k, nextValue++] : [':r', k, null]);
      }
      const op: Op = { index: ops.length, type: 'invoke', process: procOf[w]!, f: 'txn', value: mops, timeNs: t };
      ops.push(op);
      running[w] = op;
      invoked++;
      open++;
      continue;
    }
    running[w] = null;
    open--;
    const x = rng.float();
    const inv = cur.value as unknown[][];
    if (x < 0.02) {
      ops.push({ index: ops.length, type: 'fail', process: cur.process, f: 'txn', value: inv, timeNs: t });
      continue;
    }
    const out: unknown[][] = [];
    // a bug: with probability staleRate a read returns the list without its last element
    const stale = staleRate > 0 && rng.float() < staleRate;
    for (const [f, k, v] of inv as [string, number, unknown][]) {
      let l = lists.get(k);
      if (!l) lists.set(k, (l = []));
      if (f === ':append') {
        l.push(v as number);
        const n = (writes.get(k) ?? 0) + 1;
        writes.set(k, n);
        out.push([f, k, v]);
        if (n === MAX_WRITES_PER_KEY) {
          const slot = active.indexOf(k);
          if (slot >= 0) active[slot] = nextKey++;
        }
      } else out.push([f, k, stale && l.length > 0 && !inv.some((m) => m[0] === ':append' && m[1] === k) ? l.slice(0, -1) : [...l]]);
    }
    if (x < 0.04) {
      ops.push({ index: ops.length, type: 'info', process: cur.process, f: 'txn', value: inv, timeNs: t });
      procOf[w] = nextProc++;
    } else ops.push({ index: ops.length, type: 'ok', process: cur.process, f: 'txn', value: out, timeNs: t });
  }
  return ops;
}

function runOne(n: number, staleRate: number, model: ConsistencyModel): void {
  const g0 = performance.now();
  const h = generate(n, 1, staleRate);
  const genMs = performance.now() - g0;
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  const timer = setInterval(() => {}, 1000);
  const c0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = checkListAppend(h, { consistencyModel: model, budgetMs: 600_000 });
  const checkMs = performance.now() - c0;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  clearInterval(timer);
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${String(n).padStart(9)} txns  ${String(h.length).padStart(9)} ops  generate ${(genMs / 1000).toFixed(1).padStart(6)} s  check ${(checkMs / 1000).toFixed(2).padStart(7)} s wall, ${cpuS.toFixed(2)} s CPU  ` +
      `(${Math.round(n / cpuS).toLocaleString('en')} txns per CPU-s)  peak RSS ${Math.round(maxRssMb)} MB  ` +
      `nodes ${r.stats.nodes}  edges ${r.stats.edges}  sccs ${r.stats.sccs}  valid ${r.valid}${r.anomalyTypes.length ? ` ${r.anomalyTypes.map((k) => `${k}×${r.counts[k]}`).join(',')}` : ''}${r.unknownReasons.length ? ` (${r.unknownReasons.join('; ')})` : ''}`,
  );
}

const argv = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = argv.indexOf(name);
  if (i < 0) return dflt;
  const v = argv[i + 1] ?? dflt;
  argv.splice(i, 2);
  return v;
};
const staleRate = Number(opt('--stale', '0'));
const model = opt('--model', 'strict-serializable');
if (!isConsistencyModel(model)) throw new Error(`--model ${model}: not a consistency model`);
if (argv[0] === '--one') runOne(Number(argv[1]), staleRate, model);
else {
  const sizes = argv.length > 0 ? argv.map(Number) : [10_000, 100_000, 1_000_000];
  console.log(`list-append checker bench: concurrency ${CONCURRENCY}, ≤ 4 micro-ops, ${ACTIVE_KEYS} live keys (≤ ${MAX_WRITES_PER_KEY} appends each), ${model}${staleRate ? `, stale reads ${staleRate}` : ''}`);
  for (const n of sizes) {
    execFileSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--one', String(n), '--stale', String(staleRate), '--model', model], { stdio: 'inherit' });
  }
}
