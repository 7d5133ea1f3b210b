// `faultline check FILE --workload list-append [--consistency-model M]` end to end: a real
// process on the EDN fixtures; exit codes 0/1/254, the words, and the --json shape.

import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { repoRoot } from './support.js';

const fixture = (name: string): string => join(repoRoot, 'test/fixtures/txn', `${name}.edn`);
const check = (...args: string[]) => execa('node', [join(repoRoot, 'bin/run.js'), 'check', ...args], { reject: false, cwd: repoRoot });

test('a G-single history exits 1 and explains the cycle in words', async (t) => {
  const r = await check(fixture('g-single'), '--workload', 'list-append');
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /g-single\.edn: NOT strict-serializable \(list-append, 3 txns/);
  t.regex(r.stdout, /anomalies: G-single ×1/);
  t.regex(r.stdout, /T0 < T1 because T0 read key :x empty, and T1 appended 1 next/);
  t.regex(r.stdout, /T1 < T0 because T0 read T1's append of 1 to key :y/);
});

test('a valid history exits 0; write skew is valid under snapshot isolation, invalid under serializable', async (t) => {
  t.is((await check(fixture('valid'), '--workload', 'list-append')).exitCode, 0);
  const si = await check(fixture('g2-item'), '--workload', 'list-append', '--consistency-model', 'snapshot-isolation');
  t.is(si.exitCode, 0);
  t.regex(si.stdout, /G2-item ×1 \(allowed\)/);
  t.is((await check(fixture('g2-item'), '--workload', 'list-append', '--consistency-model', 'serializable')).exitCode, 1);
});

test('--json carries the anomalies with their graphs', async (t) => {
  const r = await check(fixture('g1c'), '--workload', 'list-append', '--json');
  t.is(r.exitCode, 1);
  const out = JSON.parse(r.stdout) as { valid: unknown; files: { anomalyTypes: string[]; anomalies: { kind: string; graph: { nodes: unknown[]; edges: { kind: string }[] } }[] }[] };
  t.is(out.valid, false);
  t.deepEqual(out.files[0]!.anomalyTypes, ['G1c']);
  t.deepEqual(out.files[0]!.anomalies[0]!.graph.edges.map((e) => e.kind), ['wr', 'wr']);
});

test('bad input is one line, exit 254, naming the value', async (t) => {
  const bad = await check(fixture('g1c'), '--workload', 'list-append', '--consistency-model', 'serialisable');
  t.is(bad.exitCode, 254);
  t.regex(bad.stderr, /--consistency-model "serialisable" is not a consistency model/);
  t.false(bad.stderr.includes('    at '));
  const both = await check(fixture('g1c'), '--workload', 'list-append', '--model', 'kv');
  t.is(both.exitCode, 254);
  t.regex(both.stderr, /--model "kv" does not apply/);
  const wl = await check(fixture('g1c'), '--workload', 'queue');
  t.is(wl.exitCode, 254);
  t.regex(wl.stderr, /--workload "queue"/);
});

test('a history with no transactions is unknown (exit 2), never valid, and says what it skipped', async (t) => {
  const reg = await check(join(repoRoot, 'test/fixtures/register-history.edn'), '--workload', 'list-append');
  t.is(reg.exitCode, 2);
  t.regex(reg.stdout, /unknown: no committed transaction to check/);
  t.regex(reg.stdout, /skipped \(not transactions\): \d+ cas/);
});
