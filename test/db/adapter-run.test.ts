// The adapter contract end to end: the bundled store wrapped as a user's module
// (test/fixtures/adapters/store/adapter.mjs, loaded by path with --db-opt) runs a short real
// `faultline test` with faults on the local runtime and on docker and gets a verdict; the rerun
// line carries --db and --db-opt. A client that answers outside the contract stops the run:
// exit 254, the run crashed, never valid.

import test from 'ava';
import { join } from 'node:path';
import { dockerAnswers } from '../../src/runtime/docker.js';
import { cli, ROOT, tempDir } from '../helpers/env.js';

const ADAPTER = join(ROOT, 'test/fixtures/adapters/store/adapter.mjs');
// The only await before the tests are declared (ava wants them declared in one synchronous stretch).
const docker = await dockerAnswers(3000);

interface RunJson {
  status: string;
  valid: boolean | 'unknown';
  ops: number;
  rerun: string;
  checkers: Record<string, unknown>;
  error?: string;
}

async function run(runtime: string, extra: string[]): Promise<{ code: number | undefined; out: { valid: unknown; runs: RunJson[] }; stderr: string }> {
  // On docker the first run may build the store's image (minutes on a bare, loaded machine).
  const r = await cli(['test', '--db', './test/fixtures/adapters/store/adapter.mjs', '--runtime', runtime, '--nodes', '3', '--recovery', '8s', '--json', ...extra], { env: {}, timeoutMs: 1_800_000 });
  if (!String(r.stdout).trim()) throw new Error(`no --json output (exit ${String(r.exitCode)}${r.timedOut ? ', timed out' : ''}): ${String(r.stderr).slice(-800)}`);
  return { code: r.exitCode, out: JSON.parse(String(r.stdout)) as { valid: unknown; runs: RunJson[] }, stderr: String(r.stderr) };
}

test.serial('the store as an adapter module on the local runtime: partition + kill, a valid verdict, rerun carries --db and --db-opt', async (t) => {
  const r = await run('local', ['--db-opt', 'protocol=paxos', '--time-limit', '8s', '--nemesis', 'partition,kill', '--seed', '7']);
  t.is(r.code, 0, r.stderr.slice(-800));
  const one = r.out.runs[0]!;
  t.is(one.status, 'finished');
  t.is(one.valid, true);
  t.true(one.ops > 30, `only ${one.ops} ops`);
  t.deepEqual(one.checkers, { stats: true, linearizable: true });
  t.true(one.rerun.includes(`--db ${ADAPTER} --db-opt protocol=paxos`), one.rerun);
});

test.serial('a client result outside the contract stops the run: exit 254, crashed, never valid, the op and value named', async (t) => {
  const home = tempDir('faultline-garbage-home-');
  const r = await cli(['test', '--db', ADAPTER, '--db-opt', 'garbage=write', '--runtime', 'local', '--nodes', '3', '--time-limit', '8s', '--nemesis', 'none'], { env: { FAULTLINE_HOME: home } });
  t.is(r.exitCode, 254, String(r.stderr).slice(-800));
  t.regex(String(r.stderr), /the store-adapter adapter's client broke the contract: invoke\(\{ f: "write", value: \d+ \}\) returned type "maybe" \(expected ok, fail or info\)/);
  t.notRegex(String(r.stdout), /: valid —/);
  const runs = await cli(['runs', '--json'], { env: { FAULTLINE_HOME: home } });
  const rows = (JSON.parse(String(runs.stdout)) as { runs: { status: string; valid: unknown }[] }).runs;
  t.is(rows.length, 1);
  t.is(rows[0]!.status, 'crashed');
  t.not(rows[0]!.valid, true);
  await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
});

(docker ? test.serial : test.skip)('the store as an adapter module on docker: partition, a verdict through containers', async (t) => {
  t.timeout(1_800_000); // may build the store's image first
  const r = await run('docker', ['--time-limit', '8s', '--nemesis', 'partition', '--seed', '11']);
  t.is(r.code, 0, r.stderr.slice(-800));
  const one = r.out.runs[0]!;
  t.is(one.status, 'finished');
  t.is(one.valid, true);
});
