// Ours vs Porcupine, side by side on the same files (a script, not a test):
//   PORCUPINE_DIR=/path/to/porcupine-checkout node dist/bench/checker-porcupine.js [--only-kv|--only-etcd|--only-generated] [--timeout S]
// --only-generated: kv append histories with crashed appends (test/checkers/generate.ts), the
// issue's 214-op / 4-client one-key shape and 20k-op / 50-client ones.
// Porcupine is built from its public repository (github.com/anishathalye/porcupine; Debian's
// golang-go) with the harness in bench/checker-porcupine/ (our own models, none of its code).
// Each corpus file is parsed once; the calls are exported as JSON for Porcupine (crashed calls
// return at the end of the history, fail = did not happen, etcd's `:fail :cas` = returned false),
// and both checkers are timed on the same calls: check time only (medians of 3 for ours;
// Porcupine's own timer around CheckOperationsTimeout, one run), plus verdicts. Porcupine runs as
// one process over all files, so its start-up is paid once.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizable.js';
import { parsePorcupine, type PorcupineHistory } from '../src/history/porcupine.js';
import { appendHistory, type AppendHistoryOptions } from '../test/checkers/generate.js';
import { buildHarness, exportCalls } from './checker-porcupine-lib.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const corpus = join(repo, 'test/corpus/porcupine');
const args = new Set(process.argv.slice(2));
const timeoutArg = process.argv.indexOf('--timeout');
/** Porcupine's timeout per file, seconds (default 60, as ours). */
const timeoutS = timeoutArg > 0 ? Number(process.argv[timeoutArg + 1]) : 60;
const porcupineDir = process.env.PORCUPINE_DIR;
if (!porcupineDir) {
  console.error('PORCUPINE_DIR must name a checkout of github.com/anishathalye/porcupine');
  process.exit(254);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'faultline-porcupine-'));
  const harness = buildHarness(work, porcupineDir!);
  const subs = args.has('--only-kv') ? ['kv'] : args.has('--only-etcd') ? ['jepsen'] : args.has('--only-generated') ? ['generated'] : ['jepsen', 'kv', 'generated'];
  const generated: [string, AppendHistoryOptions][] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    generated.push([`a214-s${seed}`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed }]);
    generated.push([`a214-s${seed}-bad`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed, violation: true }]);
  }
  generated.push(['a20k-c50-k1', { ops: 20_000, clients: 50, keys: 1, crashed: 100, seed: 1 }]);
  generated.push(['a20k-c50-k10', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1 }]);
  generated.push(['a20k-c50-k10-bad', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1, violation: true }]);
  for (const sub of subs) {
    const rows: { file: string; ops: number; ours: string; oursMs: number; json: string }[] = [];
    const sources = sub === 'generated' ? generated.map(([name]) => name) : readdirSync(join(corpus, sub)).sort();
    for (const f of sources) {
      let h: PorcupineHistory;
      if (sub === 'generated') {
        const ops = appendHistory(generated.find(([name]) => name === f)![1]);
        h = { format: 'porcupine-kv', ops, model: 'kv', initial: '', failMeansFalse: [] };
      } else {
        const text = readFileSync(join(corpus, sub, f), 'utf8');
        if (text.trim() === '') continue;
        h = parsePorcupine(text, f);
      }
      const times: number[] = [];
      let verdict = '';
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await checkLinearizable(h.ops, { name: h.model, initial: h.initial }, { failMeansFalse: h.failMeansFalse, budgetMs: 60_000 });
        times.push(performance.now() - t0);
        verdict = r.valid === true ? 'Ok' : r.valid === false ? 'Illegal' : 'Unknown';
      }
      const json = join(work, `${sub}-${f}.json`);
      writeFileSync(json, JSON.stringify(exportCalls(h)));
      rows.push({ file: f, ops: h.ops.length, ours: verdict, oursMs: median(times), json });
    }
    // One harness process per file (Go starts in milliseconds), so rows print as they finish.
    const runHarness = (json: string): { res: string; ms: number } => {
      const line = execFileSync(harness, [json], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, PORCUPINE_TIMEOUT_S: String(timeoutS) } }).trim();
      const [, res, ms] = line.split('\t');
      return { res: res!, ms: Number(ms) };
    };
    console.log(`\n## ${sub}: ours vs Porcupine (check time, ms)`);
    console.log('file'.padEnd(16), 'ops'.padStart(6), 'ours'.padStart(9), 'ms'.padStart(8), 'porcupine'.padStart(10), 'ms'.padStart(8), ' agree');
    let oursTotal = 0;
    let theirsTotal = 0;
    let disagree = 0;
    for (const r of rows) {
      const t = runHarness(r.json);
      oursTotal += r.oursMs;
      theirsTotal += t.ms;
      // "PORCUPINE-ONLY" marks a file Porcupine decides and we do not (the second count).
      const agree = r.ours === t.res || t.res === 'Unknown' ? 'yes' : r.ours === 'Unknown' ? 'PORCUPINE-ONLY' : 'NO';
      if (agree === 'NO') disagree++;
      console.log(r.file.padEnd(16), String(r.ops).padStart(6), r.ours.padStart(9), fmt(r.oursMs).padStart(8), t.res.padStart(10), fmt(t.ms).padStart(8), ` ${agree}`);
    }
    console.log(`TOTAL ${sub}: ours ${fmt(oursTotal)} ms, Porcupine ${fmt(theirsTotal)} ms (ratio ${(oursTotal / theirsTotal).toFixed(2)}×), ${disagree} disagreements`);
  }
}

await main();
