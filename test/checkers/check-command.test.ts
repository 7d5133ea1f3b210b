// `faultline check` end to end: a real process, real files; exit codes 0/1/2/254, the --json
// shape, and one-line errors naming the bad value.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { bigHistory } from './generate.js';
import { corpusDir, repoRoot } from './support.js';

const etcd = (n: number): string => join(corpusDir, 'porcupine/jepsen', `etcd_${String(n).padStart(3, '0')}.log`);
const kv = (name: string): string => join(corpusDir, 'porcupine/kv', name);

async function check(...args: string[]) {
  return execa('node', [join(repoRoot, 'bin/run.js'), 'check', ...args], { reject: false, cwd: repoRoot });
}

const tmp = mkdtempSync(join(tmpdir(), 'faultline-check-'));
const hardFile = join(tmp, 'hard.jsonl');
writeFileSync(hardFile, bigHistory({ ops: 20_000, concurrency: 20, crashed: 70, seed: 3 }).map((o) => JSON.stringify(o)).join('\n') + '\n');
const emptyFile = join(tmp, 'empty.log');
writeFileSync(emptyFile, '');
const ednFile = join(tmp, 'stale.edn');
writeFileSync(
  ednFile,
  [
    '{:type :invoke, :f :write, :value 3, :process 0, :time 100, :index 0}',
    '{:type :ok, :f :write, :value 3, :process 0, :time 200, :index 1}',
    '{:type :invoke, :f :write, :value 4, :process 1, :time 300, :index 2}',
    '{:type :ok, :f :write, :value 4, :process 1, :time 400, :index 3}',
    '{:type :invoke, :f :read, :value nil, :process 2, :time 500, :index 4}',
    '{:type :ok, :f :read, :value 3, :process 2, :time 600, :index 5}',
  ].join('\n') + '\n',
);

test('a linearizable file exits 0 and says so', async (t) => {
  const r = await check(etcd(2));
  t.is(r.exitCode, 0);
  t.regex(r.stdout, /etcd_002\.log: linearizable \(cas-register, \d+ ops, 1 key/);
});

test('--json over several files: the shape, the worst verdict, exit 1', async (t) => {
  const r = await check(etcd(2), etcd(0), kv('c10-bad.txt'), emptyFile, '--json');
  t.is(r.exitCode, 1);
  const out = JSON.parse(r.stdout) as { valid: unknown; files: Record<string, unknown>[] };
  t.is(out.valid, false);
  t.deepEqual(out.files.map((f) => [f.path, f.valid]), [
    [etcd(2), true],
    [etcd(0), false],
    [kv('c10-bad.txt'), false],
    [emptyFile, 'unknown'], // an empty history proves nothing
  ]);
  for (const f of out.files) {
    t.is(typeof f.ops, 'number');
    t.is(typeof f.keys, 'number');
    t.is(typeof f.ms, 'number');
  }
  const e = out.files[1]!.explanation as { minimalOps: unknown[]; text: string; partialLinearization: unknown[] };
  t.true(e.minimalOps.length >= 1 && e.minimalOps.length <= 6);
  t.true(e.text.length > 0);
  t.is(out.files[0]!.explanation, undefined);
  t.is(out.files[3]!.ops, 0);
  t.is(r.stderr, '', 'nothing but the JSON under --json');
});

test('Jepsen EDN: a stale read is not linearizable, explained in words', async (t) => {
  const r = await check(ednFile, '--model', 'cas-register');
  t.is(r.exitCode, 1);
  t.regex(r.stdout, /NOT linearizable/);
  t.regex(r.stdout, /read of 3 at t=500 ns cannot follow write 3 \(completed t=200 ns\) and write 4 \(completed t=400 ns\)/);
});

test('a budget hit exits 2 with unknown and how far the search got', async (t) => {
  const r = await check(hardFile, '--model', 'cas-register', '--budget', '1ms', '--json');
  t.is(r.exitCode, 2);
  const out = JSON.parse(r.stdout) as { valid: unknown; files: { valid: unknown; unknown?: { reason: string; of: number }[] }[] };
  t.is(out.valid, 'unknown');
  t.is(out.files[0]!.valid, 'unknown');
  t.is(out.files[0]!.unknown?.[0]?.reason, 'time');
});

test('an unknown says how far the search got, where it stalled, and what budget would likely decide it', async (t) => {
  const r = await check(hardFile, '--model', 'cas-register', '--budget', '300ms');
  t.is(r.exitCode, 2);
  t.regex(r.stdout, /the history: time budget hit after [\d.]+ s and [\d,]+ configurations; the furthest linearization placed [\d,]+ of [\d,]+ completed ops/);
  t.regex(r.stdout, /the first op it could not place: op \d+, .* by process \d+/);
  t.regex(r.stdout, /a budget of about [\d.]+ s \(--budget\) would likely decide it/);
  const j = await check(hardFile, '--model', 'cas-register', '--budget', '300ms', '--json');
  const out = JSON.parse(j.stdout) as { files: { unknown?: { configurations: number; elapsedMs: number; stalledAt?: { index: number }; suggested: { budgetMs: number } }[]; undecidedKeys?: string[] }[] };
  const u = out.files[0]!.unknown![0]!;
  t.true(u.configurations > 0 && u.elapsedMs >= 0 && u.suggested.budgetMs >= 1000 && typeof u.stalledAt?.index === 'number');
  t.deepEqual(out.files[0]!.undecidedKeys, ['']);
});

test('--nil-reads any reads nil as Knossos does (any value); the default reads it as a value', async (t) => {
  // write 1 completes, then a read returns nil: stale under "value", fine under Knossos's reading.
  const file = join(tmp, 'nil-read.edn');
  writeFileSync(
    file,
    [
      '{:type :invoke, :f :write, :value 1, :process 0, :time 1, :index 0}',
      '{:type :ok, :f :write, :value 1, :process 0, :time 2, :index 1}',
      '{:type :invoke, :f :read, :value nil, :process 1, :time 3, :index 2}',
      '{:type :ok, :f :read, :value nil, :process 1, :time 4, :index 3}',
    ].join('\n') + '\n',
  );
  t.is((await check(file, '--model', 'cas-register', '--initial', '0')).exitCode, 1);
  const any = await check(file, '--model', 'cas-register', '--initial', '0', '--nil-reads', 'any');
  t.is(any.exitCode, 0, any.stdout + any.stderr);
  const bad = await check(file, '--model', 'cas-register', '--nil-reads', 'maybe');
  t.is(bad.exitCode, 254);
  t.regex(bad.stderr, /--nil-reads "maybe" is not one of: value, any/);
});

const BAD_INPUT: { title: string; args: string[]; message: RegExp }[] = [
  { title: 'a missing file', args: [join(tmp, 'nope.edn'), '--model', 'register'], message: /cannot read .*nope\.edn: no such file/ },
  { title: 'an unknown model', args: [etcd(2), '--model', 'btree'], message: /--model "btree" is not a model; use one of: register, cas-register, kv, set, fifo-queue, unordered-queue, mutex/ },
  { title: 'a bad budget', args: [etcd(2), '--budget', 'soon'], message: /--budget "soon" is not a duration \(e\.g\. 500ms/ },
  { title: 'no model for a JSONL file', args: [hardFile], message: /--model is required for jsonl files; use one of: register/ },
  { title: 'ops the model cannot read', args: [etcd(2), '--model', 'mutex'], message: /etcd_002\.log: op \d+ .*f must be one of acquire, release for model mutex/ },
];

for (const c of BAD_INPUT) {
  test(`bad input exits 254 with one line: ${c.title}`, async (t) => {
    const r = await check(...c.args);
    t.is(r.exitCode, 254);
    const lines = r.stderr.trim().split('\n');
    t.is(lines.length, 1, r.stderr);
    t.regex(lines[0]!, c.message);
  });
}
