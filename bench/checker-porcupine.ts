// Ours vs Porcupine, side by side on the same files (a script, not a test):
//   PORCUPINE_DIR=/path/to/porcupine-checkout node dist/bench/checker-porcupine.js [--only-kv|--only-etcd|--only-knossos|--only-generated] [--timeout S] [--whole N]
// --only-knossos: Knossos's cas-register corpus (test/corpus/knossos) with Knossos's semantics
// (initial 0, a nil read allows any value: exported to the harness as a read with any output).
// --whole N: also N alternating whole-process runs per corpus: `node bin/run.js check FILES…`
// against the harness binary on the exported files (one process each for the whole corpus).
// --only-generated: kv append histories with crashed appends (test/checkers/generate.ts), the
// issue's 214-op / 4-client one-key shape and 20k-op / 50-client ones.
// Porcupine is built from its public repository (github.com/anishathalye/porcupine; Debian's
// golang-go) with the harness in bench/checker-porcupine/ (our own models, none of its code).
// Each corpus file is parsed once; the calls are exported as JSON for Porcupine (crashed calls
// return at the end of the history, fail = did not happen, etcd's `:fail :cas` = returned false),
// and both checkers are timed on the same calls: check time only (medians of 3 for ours;
// Porcupine's own timer around CheckOperationsTimeout, one run), plus verdicts. Porcupine runs as
// one process over all files, so its start-up is paid once.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizable.js';
import { parsePorcupine, type PorcupineHistory } from '../src/history/porcupine.js';
import { loadHistoryFile } from '../src/history/formats.js';
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

const wholeAt = process.argv.indexOf('--whole');
/** Whole-process runs per corpus (0: none). */
const wholeRuns = wholeAt > 0 ? Number(process.argv[wholeAt + 1]) : 0;

interface Timed {
  wallS: number;
  cpuS: number;
}

/** Runs a command under /usr/bin/time (exit codes 0–2 are verdicts): wall and CPU seconds. */
function timed(cmd: string, cmdArgs: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S', cmd, ...cmdArgs], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: repo, env: { ...process.env, PORCUPINE_TIMEOUT_S: String(timeoutS) } });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@time '));
  if (!line || (r.status !== null && r.status > 2)) throw new Error(`${cmd} failed (exit ${r.status}): ${r.stderr.slice(-1000)}`);
  const [, wall, user, sys] = line.split(' ').map(Number);
  return { wallS: wall!, cpuS: user! + sys! };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'faultline-porcupine-'));
  const harness = buildHarness(work, porcupineDir!);
  const subs = args.has('--only-kv')
    ? ['kv']
    : args.has('--only-etcd')
      ? ['jepsen']
      : args.has('--only-knossos')
        ? ['knossos']
        : args.has('--only-generated')
          ? ['generated']
          : ['jepsen', 'kv', 'knossos', 'generated'];
  const knossosDir = join(repo, 'test/corpus/knossos/cas-register');
  const generated: [string, AppendHistoryOptions][] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    generated.push([`a214-s${seed}`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed }]);
    generated.push([`a214-s${seed}-bad`, { ops: 214, clients: 4, keys: 1, crashed: 15, seed, violation: true }]);
  }
  generated.push(['a20k-c50-k1', { ops: 20_000, clients: 50, keys: 1, crashed: 100, seed: 1 }]);
  generated.push(['a20k-c50-k10', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1 }]);
  generated.push(['a20k-c50-k10-bad', { ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1, violation: true }]);
  for (const sub of subs) {
    const rows: { file: string; ops: number; ours: string; oursMs: number; json: string; path?: string }[] = [];
    const knossos = sub === 'knossos';
    const sources =
      sub === 'generated'
        ? generated.map(([name]) => name)
        : knossos
          ? ['good', 'bad'].flatMap((d) => readdirSync(join(knossosDir, d)).filter((f) => f.endsWith('.edn') && f !== 'mongodb-v0-ack-rollback-.edn').sort().map((f) => `${d}/${f}`))
          : readdirSync(join(corpus, sub)).sort();
    for (const f of sources) {
      let h: PorcupineHistory;
      let path: string | undefined;
      if (knossos) {
        // The nemesis-only file is left out: no client op, nothing for either checker to decide.
        path = join(knossosDir, f);
        // (format is only a label here: the calls are exported as a cas register either way)
        h = { format: 'porcupine-etcd', ops: (await loadHistoryFile(path)).ops, model: 'cas-register', initial: 0, failMeansFalse: [] };
      } else if (sub === 'generated') {
        const ops = appendHistory(generated.find(([name]) => name === f)![1]);
        h = { format: 'porcupine-kv', ops, model: 'kv', initial: '', failMeansFalse: [] };
      } else {
        path = join(corpus, sub, f);
        const text = readFileSync(path, 'utf8');
        if (text.trim() === '') continue;
        h = parsePorcupine(text, f);
      }
      const times: number[] = [];
      let verdict = '';
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        const r = await checkLinearizable(h.ops, { name: h.model, initial: h.initial, ...(knossos ? { nilReads: 'any' as const } : {}) }, { failMeansFalse: h.failMeansFalse, budgetMs: 60_000 });
        times.push(performance.now() - t0);
        verdict = r.valid === true ? 'Ok' : r.valid === false ? 'Illegal' : 'Unknown';
      }
      const json = join(work, `${sub}-${f.replace('/', '-')}.json`);
      writeFileSync(json, JSON.stringify(exportCalls(h, undefined, knossos ? { init: 0 } : undefined)));
      rows.push({ file: f, ops: h.ops.length, ours: verdict, oursMs: median(times), json, ...(path ? { path } : {}) });
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
    if (wholeRuns > 0 && sub !== 'generated') whole(sub, rows, knossos);
  }
  function whole(sub: string, rows: { path?: string; json: string }[], knossos: boolean): void {
    const flags = knossos ? ['--model', 'cas-register', '--nil-reads', 'any', '--initial', '0'] : [];
    const ours: Timed[] = [];
    const theirs: Timed[] = [];
    for (let i = 0; i < wholeRuns; i++) {
      ours.push(timed(process.execPath, [join(repo, 'bin/run.js'), 'check', ...rows.map((r) => r.path!), ...flags]));
      theirs.push(timed(harness, rows.map((r) => r.json)));
    }
    const m = (xs: Timed[], k: keyof Timed): string => median(xs.map((x) => x[k])).toFixed(2);
    console.log(
      `WHOLE ${sub} (${rows.length} files, ${wholeRuns} alternating runs, medians): ours ${m(ours, 'wallS')} s wall / ${m(ours, 'cpuS')} s cpu, Porcupine harness ${m(theirs, 'wallS')} s wall / ${m(theirs, 'cpuS')} s cpu`,
    );
  }
}

await main();
