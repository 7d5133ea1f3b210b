// `faultline test` end to end on the local runtime: a real cluster of store processes on
// loopback, real faults through the link proxies, a stored and checked history.

import test from 'ava';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, cli, ROOT, tempDir } from '../helpers/env.js';

const BASE = ['test', '--runtime', 'local', '--nodes', '3', '--recovery', '10s'];

interface TestJson {
  runId: number;
  valid: boolean | 'unknown';
  seed: number;
  runDir: string;
  report: string | null;
}

test.serial('a healthy cluster under partitions is valid: exit 0, results and history on disk, analyze agrees', async (t) => {
  const home = tempDir();
  const r = await cli([...BASE, '--time-limit', '8s', '--nemesis', 'partition', '--nemesis-interval', '2s', '--seed', '42', '--json'], { env: { FAULTLINE_HOME: home } });
  t.is(r.exitCode, 0, String(r.stderr));
  const out = JSON.parse(String(r.stdout)) as TestJson;
  t.deepEqual(Object.keys(out).sort(), ['report', 'runDir', 'runId', 'runs', 'schemaVersion', 'seed', 'valid']);
  const run = (out as unknown as { runs: { status: string; checkers: Record<string, unknown>; rerun: string; counterexamples: unknown[] }[] }).runs[0]!;
  t.is(run.status, 'finished');
  t.deepEqual(run.checkers, { stats: true, linearizable: true });
  t.regex(run.rerun, /^faultline test .*--seed 42/);
  t.deepEqual(run.counterexamples, []);
  t.is(out.valid, true);
  t.is(out.seed, 42);
  const results = JSON.parse(readFileSync(join(out.runDir, 'results.json'), 'utf8')) as { verdict: { results: Record<string, { valid: unknown }> } };
  t.is(results.verdict.results.linearizable!.valid, true);
  const history = readFileSync(join(out.runDir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { process: unknown; f: string; type: string });
  // Work got done (a loaded CI machine with partitions every 2 s can manage far fewer than the
  // hundreds a quiet one does; what matters is that the verdict rests on real ops).
  const okOps = history.filter((o) => o.process !== 'nemesis' && o.type === 'ok').length;
  t.true(okOps >= 10, `clients got work done: ${okOps} ok ops`);
  t.true(history.some((o) => o.process === 'nemesis' && o.f === 'start-partition' && o.type === 'info'), 'the partition is in the history');
  t.true(history.some((o) => o.process === 'nemesis' && o.f === 'heal'), 'the final heal is in the history');
  t.true(existsSync(join(out.runDir, 'n1.log')));
  t.is(out.report, join(out.runDir, 'report.html'));
  t.regex(readFileSync(out.report!, 'utf8'), /^<!doctype html>/i);
  const again = await cli(['analyze', 'latest', '--json'], { env: { FAULTLINE_HOME: home } });
  t.is(again.exitCode, 0);
  t.is((JSON.parse(String(again.stdout)) as { valid: unknown }).valid, true);
  const checked = await cli(['check', 'latest', '--json'], { env: { FAULTLINE_HOME: home } });
  t.is(checked.exitCode, 0, String(checked.stderr));
  const file = (JSON.parse(String(checked.stdout)) as { files: { model: string; valid: unknown; ops: number }[] }).files[0]!;
  t.is(file.model, 'cas-register', 'a register run is checked as a cas-register');
  t.is(file.valid, true);
  await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
});

test.serial('the stale-read bug under partitions is caught: exit 1 with a counterexample', async (t) => {
  const home = tempDir();
  let caught: { stdout: string } | undefined;
  for (let attempt = 0; attempt < 3 && !caught; attempt++) {
    const r = await cli([...BASE, '--time-limit', '12s', '--nemesis', 'partition', '--nemesis-interval', '2s', '--bug', 'stale-read', '--junit', join(home, 'junit.xml')], { env: { FAULTLINE_HOME: home } });
    t.true(r.exitCode === 0 || r.exitCode === 1, `exit ${r.exitCode}: ${String(r.stderr).slice(-500)}`);
    if (r.exitCode === 1) caught = { stdout: String(r.stdout) };
  }
  t.truthy(caught, 'caught in one of 3 runs of 12 s');
  t.regex(caught!.stdout, /linearizable: INVALID/);
  t.regex(caught!.stdout, /minimal non-linearizable sub-history/);
  t.regex(caught!.stdout, /rerun with --seed \d+/);
  const junit = readFileSync(join(home, 'junit.xml'), 'utf8');
  t.regex(junit, /<testcase classname="[^"]+" name="linearizable"><failure message=/);
  await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
});

test.serial('Ctrl-C mid-run: history stored, cluster down, exit 2, and analyze works on it', async (t) => {
  const home = tempDir();
  const child = execa(process.execPath, [CLI, ...BASE, '--time-limit', '60s', '--nemesis', 'partition', '--nemesis-interval', '2s'], {
    reject: false,
    env: { FAULTLINE_HOME: home, NO_COLOR: '1' },
    cwd: ROOT,
  });
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/\bok [1-9]\d{2,}/.test(seen)) resolve();
    });
    void child.then(() => resolve());
  });
  child.kill('SIGINT');
  const r = await child;
  t.is(r.exitCode, 2, String(r.stderr).slice(-800));
  const runs = JSON.parse(String((await cli(['runs', '--json'], { env: { FAULTLINE_HOME: home } })).stdout)) as { runs: { status: string; events: number }[] };
  t.is(runs.runs[0]!.status, 'aborted');
  t.true(runs.runs[0]!.events > 100);
  const ps = await execa('ps', ['-eo', 'args'], { reject: false });
  const left = String(ps.stdout).split('\n').filter((l) => l.includes(home) && l.includes('store/main.js'));
  t.deepEqual(left, [], 'no store process of this run is left');
  const a = await cli(['analyze', 'latest'], { env: { FAULTLINE_HOME: home } });
  // An interrupted run is never valid: unknown (incomplete), or invalid if a violation shows.
  t.true([1, 2].includes(a.exitCode!), `analyze exit ${a.exitCode}: ${String(a.stderr)}`);
  await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
});

const badFlags: [string[], RegExp][] = [
  [['--workload', 'queue'], /--workload=queue|queue/],
  [['--nemesis', 'partition,meteor'], /meteor/],
  [['--time-limit', 'soon'], /soon/],
  [['--bug', 'stale-reads'], /stale-reads/],
  [['--concurrency', '0'], /--concurrency "0"/],
  [['--seed', '-4'], /-4/],
];
for (const [args, needle] of badFlags) {
  test(`faultline test ${args.join(' ')} → one line, exit 254`, async (t) => {
    const r = await cli([...BASE, ...args]);
    t.is(r.exitCode, 254, String(r.stderr));
    t.is(String(r.stderr).trim().split('\n').length, 1, String(r.stderr));
    t.regex(String(r.stderr), needle);
  });
}
