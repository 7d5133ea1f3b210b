// Benchmark of the linearizability checker (a script, not a test): `node dist/bench/checker.js`.
// Prints, per Porcupine corpus file and in total, ops, verdict and check time (median of 3,
// in-process, parsing timed separately), then a scale series of generated histories: cas-register
// at concurrency 5/10/20/50 with 1k/10k/100k ops, ~70 crashed ops each, valid and with a planted
// violation; a 3,000-op cas-register history with 70 crashed ops; kv histories of 1M ops over
// 1,000 keys; kv append histories (issue 14: 214 ops / 4 clients / one key with crashed appends,
// 20k ops / 50 clients). Options: --skip-corpus, --skip-scale, --only-big, --only-corpus, --only-kv
// (Porcupine's kv corpus and the append histories). Times are wall clock and, because the
// machine may be shared, CPU time of the whole process (main thread and workers).

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable, type LinearizabilityResult } from '../checkers/linearizable.js';
import type { ModelSpec } from '../checkers/models/index.js';
import type { Op } from '../src/core/op.js';
import { parsePorcupine } from '../src/history/porcupine.js';
import { appendHistory, bigHistory, type AppendHistoryOptions, type BigHistoryOptions } from '../test/checkers/generate.js';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(here, '../../test/corpus/porcupine');
const args = new Set(process.argv.slice(2));
const BUDGET_MS = 60_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const verdict = (v: LinearizabilityResult['valid']): string => (v === true ? 'linearizable' : v === false ? 'NOT' : 'unknown');

let peakRssBytes = 0;
const sampler = setInterval(() => (peakRssBytes = Math.max(peakRssBytes, process.memoryUsage().rss)), 50);
sampler.unref();

async function timeCheck(ops: Op[], spec: ModelSpec, failMeansFalse: string[], runs: number): Promise<{ ms: number; cpuMs: number; result: LinearizabilityResult }> {
  const times: number[] = [];
  const cpu: number[] = [];
  let result: LinearizabilityResult | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    result = await checkLinearizable(ops, spec, { failMeansFalse, budgetMs: BUDGET_MS });
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpu), result: result! };
}

async function benchAppend(label: string, o: AppendHistoryOptions, runs: number): Promise<void> {
  const ops = appendHistory(o);
  peakRssBytes = process.memoryUsage().rss;
  const { ms, cpuMs, result } = await timeCheck(ops, { name: 'kv', initial: '' }, [], runs);
  const unknown = result.unknownKeys?.[0] ? ` (${result.unknownKeys[0].reason}: ${result.unknownKeys[0].linearized}/${result.unknownKeys[0].of})` : '';
  console.log(
    `${label.padEnd(52)} ${String(result.ops).padStart(7)} calls  ${verdict(result.valid).padStart(12)}${unknown}  ${fmt(ms).padStart(8)} ms  cpu ${fmt(cpuMs).padStart(8)} ms${
      runs > 1 ? ` (median of ${runs})` : ''
    }  peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MB`,
  );
}

async function benchCorpus(sub: 'jepsen' | 'kv'): Promise<void> {
  const dir = join(corpus, sub);
  let checkMs = 0;
  let cpuTotal = 0;
  let parseMs = 0;
  let ops = 0;
  const tally = { linearizable: 0, NOT: 0, unknown: 0, empty: 0 };
  console.log(`\n## corpus ${sub} (${dir})`);
  console.log('file'.padEnd(16), 'ops'.padStart(6), 'verdict'.padStart(13), 'check ms'.padStart(9), 'parse ms'.padStart(9));
  for (const f of readdirSync(dir).sort()) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (text.trim() === '') {
      tally.empty++;
      console.log(f.padEnd(16), '0'.padStart(6), 'empty'.padStart(13));
      continue;
    }
    const p0 = performance.now();
    const h = parsePorcupine(text, f);
    const p = performance.now() - p0;
    const { ms, cpuMs, result } = await timeCheck(h.ops, { name: h.model, initial: h.initial }, h.failMeansFalse, 3);
    checkMs += ms;
    cpuTotal += cpuMs;
    parseMs += p;
    ops += result.ops;
    tally[verdict(result.valid) as keyof typeof tally]++;
    console.log(f.padEnd(16), String(result.ops).padStart(6), verdict(result.valid).padStart(13), fmt(ms).padStart(9), fmt(p).padStart(9));
  }
  console.log(`TOTAL ${sub}: ${ops} ops, check ${fmt(checkMs)} ms (sum of per-file medians; CPU ${fmt(cpuTotal)} ms), parse ${fmt(parseMs)} ms, verdicts ${JSON.stringify(tally)}`);
}

async function benchGenerated(label: string, o: BigHistoryOptions, spec: ModelSpec, runs: number): Promise<void> {
  const g0 = performance.now();
  const ops = bigHistory(o);
  const genMs = performance.now() - g0;
  peakRssBytes = process.memoryUsage().rss;
  const { ms, result } = await timeCheck(ops, spec, [], runs);
  const crashed = ops.filter((x) => x.type === 'info').length;
  const unknown = result.unknownKeys?.[0] ? ` (${result.unknownKeys[0].reason}: ${result.unknownKeys[0].linearized}/${result.unknownKeys[0].of})` : '';
  console.log(
    `${label.padEnd(44)} ${String(result.ops).padStart(8)} calls ${String(crashed).padStart(3)} crashed  ${verdict(result.valid).padStart(12)}${unknown}  ${fmt(ms).padStart(8)} ms${
      runs > 1 ? ` (median of ${runs})` : ''
    }  peak RSS ${(peakRssBytes / 2 ** 20).toFixed(0)} MB  [generated in ${fmt(genMs)} ms]`,
  );
}

async function main(): Promise<void> {
  console.log(`# checker bench — node ${process.version}, budget ${BUDGET_MS / 1000} s`);
  if (args.has('--only-kv')) {
    await benchCorpus('kv');
    console.log('\n## kv appends with crashed appends (issue 14 item 2)');
    for (const seed of [1, 4, 5, 6]) {
      await benchAppend(`214 ops, 4 clients, 1 key, 15 crashed, seed ${seed}`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed }, 3);
      await benchAppend(`  … with a violation`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed, violation: true }, 3);
    }
    await benchAppend('20k ops, 50 clients, 1 key, 100 crashed', { ops: 20_000, clients: 50, keys: 1, crashed: 100, seed: 1 }, 1);
    await benchAppend('20k ops, 50 clients, 10 keys, 100 crashed', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1 }, 1);
    await benchAppend('  … with a violation', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1, violation: true }, 1);
    return;
  }
  if (!args.has('--skip-corpus') && !args.has('--only-big')) {
    await benchCorpus('jepsen');
    await benchCorpus('kv');
  }
  const cas: ModelSpec = { name: 'cas-register' };
  if (!args.has('--skip-scale') && !args.has('--only-big') && !args.has('--only-corpus')) {
    console.log('\n## 3,000-op cas-register histories with 70 crashed ops (target: decided in < 10 s)');
    for (const seed of [1, 2, 3]) {
      await benchGenerated(`3k ops, conc 10, seed ${seed}, valid`, { ops: 3000, concurrency: 10, crashed: 70, seed }, cas, 3);
      await benchGenerated(`3k ops, conc 10, seed ${seed}, violation at 50%`, { ops: 3000, concurrency: 10, crashed: 70, seed, violationAt: 0.5 }, cas, 3);
    }
    console.log('\n## scale series: cas-register, ~70 crashed ops');
    for (const size of [1_000, 10_000, 100_000]) {
      for (const concurrency of [5, 10, 20, 50]) {
        const runs = size <= 1_000 ? 3 : 1;
        const o = { ops: size, concurrency, crashed: 70, seed: 11 };
        await benchGenerated(`${size} ops, conc ${concurrency}, valid`, o, cas, runs);
        await benchGenerated(`${size} ops, conc ${concurrency}, violation at 50%`, { ...o, violationAt: 0.5 }, cas, runs);
      }
    }
  }
  if (args.has('--only-corpus')) return;
  console.log('\n## kv: 1M ops over 1,000 keys, 70 crashed ops (target: < 60 s, < 2 GB)');
  const kv: ModelSpec = { name: 'kv' };
  await benchGenerated('1M ops, 1000 keys, conc 50, valid', { ops: 1_000_000, concurrency: 50, crashed: 70, keys: 1000, seed: 5 }, kv, 1);
  await benchGenerated('1M ops, 1000 keys, conc 50, violation at 50%', { ops: 1_000_000, concurrency: 50, crashed: 70, keys: 1000, seed: 5, violationAt: 0.5 }, kv, 1);
}

await main();
