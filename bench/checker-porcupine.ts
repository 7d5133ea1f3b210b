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
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizable.js';
import type { Op } from '../src/core/op.js';
import { parsePorcupine, type PorcupineHistory } from '../src/history/porcupine.js';
import { appendHistory, type AppendHistoryOptions } from '../test/checkers/generate.js';

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

/** The harness binary, built against PORCUPINE_DIR in a scratch copy of bench/checker-porcupine. */
function buildHarness(work: string): string {
  const dir = join(work, 'harness');
  cpSync(join(repo, 'bench/checker-porcupine'), dir, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOCACHE: join(work, 'gocache') };
  execFileSync('go', ['mod', 'edit', `-replace=github.com/anishathalye/porcupine=${resolve(porcupineDir!)}`], { cwd: dir, env });
  execFileSync('go', ['build', '-o', join(work, 'porcupine-harness'), '.'], { cwd: dir, env, stdio: 'inherit' });
  return join(work, 'porcupine-harness');
}

/** The calls of a parsed history as the harness reads them. */
function exportCalls(h: PorcupineHistory): { model: string; ops: unknown[] } {
  const open = new Map<Op['process'], { op: Op; pos: number }>();
  const calls: { inv: Op; pos: number; done?: Op; ret: number }[] = [];
  const end = h.ops.length + 1;
  h.ops.forEach((op, pos) => {
    if (typeof op.process !== 'number') return;
    if (op.type === 'invoke') return void open.set(op.process, { op, pos });
    const inv = open.get(op.process);
    if (!inv) return;
    open.delete(op.process);
    if (op.type === 'ok' || (op.type === 'fail' && h.failMeansFalse.includes(op.f.replace(/^:/, '')))) calls.push({ inv: inv.op, pos: inv.pos, done: op, ret: pos });
    else if (op.type === 'info') calls.push({ inv: inv.op, pos: inv.pos, ret: end });
  });
  for (const inv of open.values()) calls.push({ inv: inv.op, pos: inv.pos, ret: end });
  calls.sort((a, b) => a.pos - b.pos);
  const kv = h.model === 'kv';
  return {
    model: kv ? 'kv' : 'cas',
    ops: calls.map(({ inv, pos, done, ret }) => {
      const f = inv.f.replace(/^:/, '');
      const o: Record<string, unknown> = { c: Number(inv.process), call: pos, ret, crash: done === undefined };
      if (kv) {
        const [key, value] = inv.value as [string, string | null];
        o.op = f;
        o.k = key;
        o.a = value;
        if (done) o.v = (done.value as [string, string | null])[1] ?? '';
        if (f === 'write') o.op = 'put';
        if (f === 'read') o.op = 'get';
      } else {
        o.op = f;
        if (f === 'write') o.a = inv.value;
        if (f === 'cas') [o.a, o.b] = inv.value as [unknown, unknown];
        if (done) {
          o.v = done.value;
          o.ok = done.type === 'ok';
        }
      }
      return o;
    }),
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'faultline-porcupine-'));
  const harness = buildHarness(work);
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
