// The 1M-op kv history of issue 14 (1,000 keys, 20 clients, 70 crashed ops; valid by construction,
// or with --violation a planted stale read), whole process, side by side with Porcupine
// (a script, not a test):
//   [PORCUPINE_DIR=/path/to/porcupine] node dist/bench/checker-1m.js [--runs N] [--violation] [--stages]
// Writes the history as JSONL (what `faultline check` reads) and, with PORCUPINE_DIR, as the
// Porcupine harness's JSON (bench/checker-porcupine/, model kv-cas: a cas register per key);
// then alternates `node bin/run.js check FILE --model kv` and the harness on its file, each under
// /usr/bin/time: wall and CPU seconds and peak RSS per run, then medians. The machine is shared,
// so runs alternate and CPU time is printed beside wall time. --stages first times each stage
// in-process to show where the time goes: the path `check FILE` takes (the columnar reader of
// src/history/jsonl-columns.ts: read bytes, scan into columns, validate columns, split columns by
// key, check), then the general path for comparison (JSON.parse per line into op records,
// validateHistory, splitByKey).
//
// Issue 14, `check FILE --model kv` on this 2-core machine while it was shared (load 25–40, so
// wall times mean little; CPU = user + sys of the whole process under /usr/bin/time):
//   before (general reader, op records everywhere): 23.0 / 27.9 s CPU, peak RSS 1.37 / 1.25 GB
//   after  (columnar reader, calls keep rows):       10.7 / 13.4 s CPU, peak RSS 433 / 428 MiB
//   Porcupine's harness, same file, same hour:       13.7 / 16.0 s CPU, peak RSS 845 / 841 MiB

import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkLinearizable } from '../checkers/linearizable.js';
import { buildModel } from '../checkers/models/index.js';
import { splitByKey } from '../checkers/prepare.js';
import type { Op } from '../src/core/op.js';
import { parseJsonlHistory } from '../src/history/jsonl.js';
import { scanJsonlColumns, validateColumns } from '../src/history/jsonl-columns.js';
import { splitColumns } from '../checkers/prepare.js';
import { validateHistory } from '../src/history/validate.js';
import { bigHistory } from '../test/checkers/generate.js';
import { buildHarness, exportCalls } from './checker-porcupine-lib.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const argv = process.argv.slice(2);
const runsAt = argv.indexOf('--runs');
const runs = runsAt >= 0 ? Number(argv[runsAt + 1]) : 3;
const violation = argv.includes('--violation');
const porcupineDir = process.env.PORCUPINE_DIR;

async function writeJsonl(path: string, ops: readonly Op[]): Promise<void> {
  const stream = createWriteStream(path);
  for (let i = 0; i < ops.length; i += 10_000) stream.write(ops.slice(i, i + 10_000).map((o) => JSON.stringify(o)).join('\n') + '\n');
  await new Promise<void>((done) => stream.end(done));
}

interface Timed {
  wallS: number;
  cpuS: number;
  rssMiB: number;
  out: string;
}

/** Runs a command under /usr/bin/time; exit codes 0–2 are verdicts, anything else a failure. */
function timed(cmd: string, args: string[]): Timed {
  const r = spawnSync('/usr/bin/time', ['-f', '@@time %e %U %S %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, cwd: repo });
  const line = r.stderr.split('\n').find((l) => l.startsWith('@@time '));
  if (!line || (r.status !== null && r.status > 2)) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  const [, wall, user, sys, rssKb] = line.split(' ').map(Number);
  return { wallS: wall!, cpuS: user! + sys!, rssMiB: rssKb! / 1024, out: r.stdout.trim().split('\n')[0]!.slice(0, 110) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function stages(path: string): Promise<void> {
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let t = performance.now();
  let c = cpu();
  const lap = (name: string): void => {
    const t1 = performance.now();
    const c1 = cpu();
    console.log(`  ${name.padEnd(26)} ${(t1 - t).toFixed(0).padStart(7)} ms  cpu ${(c1 - c).toFixed(0).padStart(7)} ms  rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
    t = t1;
    c = cpu();
  };
  const bytes = readFileSync(path);
  lap('read bytes');
  const columns = scanJsonlColumns(bytes, path);
  lap('scan into columns');
  validateColumns(columns);
  lap('validate columns');
  splitColumns(columns, buildModel({ name: 'kv' }));
  lap('split columns (alone)');
  const r = await checkLinearizable(columns, { name: 'kv' }, { budgetMs: 120_000 });
  lap(`check columns: ${String(r.valid)}`);
  console.log('## the general path (op records), for comparison');
  const text = bytes.toString('utf8');
  lap('decode text');
  const ops = parseJsonlHistory(text, path);
  lap('parse JSONL');
  validateHistory(ops);
  lap('validate');
  splitByKey(ops, buildModel({ name: 'kv' }));
  lap('split by key (alone)');
  const r2 = await checkLinearizable(ops, { name: 'kv' }, { budgetMs: 120_000 });
  lap(`check (split + search): ${String(r2.valid)}`);
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'faultline-1m-'));
  const g0 = performance.now();
  const ops = bigHistory({ ops: 1_000_000, concurrency: 20, crashed: 70, keys: 1000, seed: 5, ...(violation ? { violationAt: 0.5 } : {}) });
  const jsonl = join(work, 'kv1m.jsonl');
  await writeJsonl(jsonl, ops);
  let harness: string | undefined;
  const porcupineJson = join(work, 'kv1m.porcupine.json');
  if (porcupineDir) {
    harness = buildHarness(work, porcupineDir);
    writeFileSync(porcupineJson, JSON.stringify(exportCalls({ ops, model: 'kv', failMeansFalse: [] }, 'kv-cas')));
  }
  console.log(`# 1M-op kv: ${ops.length} ops (1,000 keys, 20 clients, 70 crashed${violation ? ', planted violation' : ''}), written in ${((performance.now() - g0) / 1000).toFixed(1)} s to ${work}`);
  console.log(`# node ${process.version}; ${runs} alternating runs${porcupineDir ? '' : ' (no PORCUPINE_DIR: ours only)'}`);
  ops.length = 0;
  if (argv.includes('--stages')) {
    console.log('## stages, in-process');
    await stages(jsonl);
  }
  const ours: Timed[] = [];
  const theirs: Timed[] = [];
  for (let i = 0; i < runs; i++) {
    const a = timed(process.execPath, [join(repo, 'bin/run.js'), 'check', jsonl, '--model', 'kv', '--budget', '120s']);
    ours.push(a);
    console.log(`ours      run ${i + 1}: ${a.wallS.toFixed(2)} s wall, ${a.cpuS.toFixed(2)} s cpu, peak RSS ${a.rssMiB.toFixed(0)} MiB  ${a.out}`);
    if (harness) {
      const b = timed(harness, [porcupineJson]);
      theirs.push(b);
      console.log(`porcupine run ${i + 1}: ${b.wallS.toFixed(2)} s wall, ${b.cpuS.toFixed(2)} s cpu, peak RSS ${b.rssMiB.toFixed(0)} MiB  ${b.out.split('\t').slice(1).join(' ')}`);
    }
  }
  const row = (name: string, xs: Timed[]): string =>
    `${name.padEnd(10)} median ${median(xs.map((x) => x.wallS)).toFixed(2)} s wall, ${median(xs.map((x) => x.cpuS)).toFixed(2)} s cpu, peak RSS max ${Math.max(...xs.map((x) => x.rssMiB)).toFixed(0)} MiB`;
  console.log(row('ours', ours));
  if (theirs.length > 0) console.log(row('porcupine', theirs));
  execFileSync('rm', ['-rf', work]);
}

await main();
