// The Redis worked example (examples/redis) end to end on Docker, through the public adapter
// contract exactly as a user runs it: `faultline test --db ./examples/redis/adapter.mjs`. The image
// is built offline from Debian's redis-server + redis-sentinel on Faultline's base (on first use;
// cached after). Reads from replicas under partitions must be caught as non-linearizable, with a
// counterexample in the JSON output, results.json and the HTML report; reads from the primary with
// no faults must be valid. Runs when a Docker daemon answers; with FAULTLINE_REQUIRE_DOCKER=1 and
// no daemon it fails instead of skipping.

import test from 'ava';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dockerAnswers, imageEngine } from '../../src/runtime/docker.js';
import { ensureDbImage } from '../../src/runtime/image.js';
import { progress } from '../../src/runtime/types.js';
import type { Db } from '../../src/db/types.js';
import { CLI, cli, ROOT, tempDir } from '../helpers/env.js';

const available = await dockerAnswers(3000);
const required = process.env.FAULTLINE_REQUIRE_DOCKER === '1';
const dtest = available ? test.serial : test.skip;
if (!available) {
  if (required) test('a Docker daemon answers (FAULTLINE_REQUIRE_DOCKER=1)', (t) => t.fail('no Docker daemon answers; run docker/ensure-docker.sh'));
  else console.log('redis adapter tests SKIPPED: no Docker daemon answers (run docker/ensure-docker.sh; set FAULTLINE_REQUIRE_DOCKER=1 to make this a failure)');
}

const BASE = ['test', '--runtime', 'docker', '--db', './examples/redis/adapter.mjs', '--nodes', '3', '--recovery', '5s', '--json'];

interface RunJson {
  valid: boolean | 'unknown';
  runDir: string;
  report: string | null;
  runs: { status: string; checkers: Record<string, unknown>; counterexamples: unknown[] }[];
}

/** `faultline test` with a time-out fit for a first image build (the CLI helper's 2 min is not). */
async function faultline(args: string[], home: string) {
  const r = await execa(process.execPath, [CLI, ...args], { reject: false, cwd: ROOT, env: { FAULTLINE_HOME: home, NO_COLOR: '1' }, timeout: 600_000 });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const EXAMPLE = join(ROOT, 'examples', 'redis');

// First, on its own budget: building the image from Debian's packages takes minutes on a cold
// machine (mmdebstrap), longer than a run gives its cluster to come up.
dtest('the example image builds offline from Debian packages (redis-server 7, redis-sentinel)', async (t) => {
  t.timeout(30 * 60_000);
  const { default: redis } = (await import(join(EXAMPLE, 'adapter.mjs'))) as { default: (o: Record<string, string>) => Db };
  const r = await ensureDbImage(imageEngine(), redis({}), EXAMPLE, progress(30 * 60_000, (m) => t.log(m)));
  t.log(`image ${r.tag}: built=${r.built} in ${r.buildMs} ms`);
  for (const [bin, want] of [['redis-server', /Redis server v=7\./], ['redis-sentinel', /Redis server v=7\./]] as const) {
    const v = await execa('docker', ['run', '--rm', '--network', 'none', r.tag, bin, '--version'], { reject: false });
    t.regex(String(v.stdout), want, `${bin} in ${r.tag}: ${String(v.stderr)}`);
  }
});

dtest('reads from replicas under partitions: invalid, and the counterexample is in the output, results.json and report', async (t) => {
  t.timeout(15 * 60_000);
  const home = tempDir();
  try {
    let invalid: RunJson | undefined;
    const seen: string[] = [];
    // Stale replica reads are near-certain under a partition, but a seed may cut no replica off
    // from the primary long enough: two tries, each one's verdict logged.
    for (let attempt = 0; attempt < 2 && !invalid; attempt++) {
      const started = Date.now();
      const r = await faultline([...BASE, '--db-opt', 'reads=replica', '--workload', 'register', '--nemesis', 'partition', '--time-limit', '20s', '--nemesis-interval', '5s'], home);
      t.log(`attempt ${attempt + 1}: exit ${r.exitCode} in ${Math.round((Date.now() - started) / 1000)} s`);
      t.true(r.exitCode === 0 || r.exitCode === 1, `exit ${r.exitCode}: ${r.stderr.slice(-1500)}`);
      seen.push(`exit ${r.exitCode}`);
      if (r.exitCode === 1) invalid = JSON.parse(r.stdout) as RunJson;
    }
    t.truthy(invalid, `replica reads were never caught (${seen.join(', ')})`);
    const run = invalid!.runs[0]!;
    t.is(run.status, 'finished');
    t.is(invalid!.valid, false);
    t.is(run.checkers.linearizable, false);
    t.true(run.counterexamples.length > 0, 'a counterexample');
    type Failure = { explanation: { text: string; minimal: boolean; minimalOps: { description: string }[] } };
    const results = JSON.parse(readFileSync(join(invalid!.runDir, 'results.json'), 'utf8')) as { verdict: { results: Record<string, { valid: unknown; failure?: Failure }> } };
    const lin = results.verdict.results.linearizable!;
    t.is(lin.valid, false);
    const ex = lin.failure!.explanation;
    t.true(ex.minimal, 'a minimal counterexample');
    t.true(ex.minimalOps.some((o) => /^read/.test(o.description)), 'the anomaly is a read (a stale replica read)');
    t.regex(ex.text, /^read of .* cannot follow /);
    // The report shows this run's own counterexample, not only the generic help text.
    const html = readFileSync(invalid!.report!, 'utf8');
    t.true(html.includes(ex.text.slice(0, 40)), `the report names the anomaly: ${ex.text}`);
    t.regex(html, /reads=replica/, 'the report carries the --db-opt (rerun line)');
    // The nodes' own logs are collected (Db.logFiles).
    t.regex(readFileSync(join(invalid!.runDir, 'cluster', 'n2', 'data', 'sentinel.log'), 'utf8'), /\+monitor master mymaster/);
  } finally {
    await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
  }
});

dtest('reads from the primary with no faults: valid', async (t) => {
  t.timeout(10 * 60_000);
  const home = tempDir();
  try {
    const r = await faultline([...BASE, '--workload', 'register', '--nemesis', 'none', '--time-limit', '10s'], home);
    t.is(r.exitCode, 0, r.stderr.slice(-1500));
    const out = JSON.parse(r.stdout) as RunJson;
    t.is(out.valid, true);
    t.deepEqual(out.runs[0]!.checkers, { stats: true, linearizable: true });
  } finally {
    await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
  }
});
