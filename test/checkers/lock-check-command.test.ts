// `faultline check FILE --workload lock [--lease-ms N] [--clock-skew-ms N]` end to end: a real
// process on small JSONL fixtures; exit codes 0/1/254, the words, and --json.

import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { repoRoot } from './support.js';

const fixture = (name: string): string => join(repoRoot, 'test/fixtures/lock', `${name}.jsonl`);
const check = (...args: string[]) => execa('node', [join(repoRoot, 'bin/run.js'), 'check', ...args], { reject: false, cwd: repoRoot });

test('a second grant 300 ms into a 500 ms lease exits 1, naming both holders and the times', async (t) => {
  const r = await check(fixture('double-grant'), '--workload', 'lock');
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /double-grant\.jsonl: INVALID \(lock, 2 grants, 1 accepted writes; lease-aware mutex NOT linearizable, clock tolerance 25 ms\)/);
  t.regex(r.stdout, /double-grant: process 1 was granted the lock with token 2 \(its acquire, op 2, completed at t=1300 ms\) while process 0 still held it with token 1 \(its acquire, op 0, was invoked at t=1000 ms for a lease of 500 ms\): only 300 ms apart/);
});

test('a grant once the lease could have run out exits 0; a wider clock tolerance accepts an earlier one', async (t) => {
  const r = await check(fixture('expired'), '--workload', 'lock');
  t.is(r.exitCode, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /expired\.jsonl: valid \(lock, 2 grants, 1 accepted writes; lease-aware mutex linearizable, clock tolerance 25 ms\)/);
  t.is((await check(fixture('double-grant'), '--workload', 'lock', '--clock-skew-ms', '250')).exitCode, 0);
});

test('acquires without a lease: not relied on unless --lease-ms gives one', async (t) => {
  const r = await check(fixture('no-lease'), '--workload', 'lock');
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /2 acquires without a lease \(give --lease-ms\)/);
  const j = await check(fixture('no-lease'), '--workload', 'lock', '--lease-ms', '500', '--json');
  t.is(j.exitCode, 1);
  const out = JSON.parse(j.stdout) as { valid: unknown; workload: string; files: { counts: Record<string, number>; mutex: { leases: unknown } }[] };
  t.is(out.valid, false);
  t.is(out.workload, 'lock');
  t.deepEqual(out.files[0]!.counts, { 'double-grant': 1 });
  t.deepEqual(out.files[0]!.mutex.leases, { fromOps: 0, fromOption: 2, unknown: 0 });
});

test('bad input is one line, exit 254, naming the value', async (t) => {
  const bad = await check(fixture('expired'), '--workload', 'lock', '--lease-ms', '0');
  t.is(bad.exitCode, 254);
  t.regex(bad.stderr, /--lease-ms/);
  const model = await check(fixture('expired'), '--workload', 'lock', '--model', 'mutex');
  t.is(model.exitCode, 254);
  t.regex(model.stderr, /--model "mutex" does not apply to --workload lock/);
});
