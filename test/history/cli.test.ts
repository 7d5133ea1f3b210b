// The CLI as a user meets it: import/export round trips, one-line errors and exit codes.

import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEDNString } from 'edn-data';
import { execa } from 'execa';
import { CLI, cli, ROOT, TEST_HOME, tempDir } from '../helpers/env.js';

const EXAMPLE = join(ROOT, 'test/fixtures/register-history.edn');

/** stderr is exactly one line and mentions every needle; there is no stack trace. */
function oneLine(t: import('ava').ExecutionContext, stderr: string, ...needles: (string | RegExp)[]) {
  const lines = stderr.trim().split('\n');
  t.is(lines.length, 1, `one line, got: ${stderr}`);
  t.notRegex(stderr, /\n\s+at /);
  for (const n of needles) typeof n === 'string' ? t.true(stderr.includes(n), `${stderr} mentions ${n}`) : t.regex(stderr, n);
}

test('history import → export EDN gives back the same ops; --json is machine-readable', async (t) => {
  const imported = await cli(['history', 'import', EXAMPLE, '--name', 'cli-roundtrip', '--json']);
  t.is(imported.exitCode, 0, String(imported.stderr));
  const { runId, ops } = JSON.parse(String(imported.stdout)) as { runId: number; ops: number };
  const lines = readFileSync(EXAMPLE, 'utf8').trim().split('\n');
  t.is(ops, lines.length);
  const edn = await cli(['history', 'export', String(runId), '--format', 'edn']);
  t.is(edn.exitCode, 0);
  const out = String(edn.stdout).trim().split('\n');
  t.is(out.length, lines.length);
  const sortMap = (v: unknown) => JSON.stringify((v as { map: [unknown, unknown][] }).map.map(([k, x]) => JSON.stringify([k, x])).sort());
  t.deepEqual(out.map((l) => sortMap(parseEDNString(l))), lines.map((l) => sortMap(parseEDNString(l))));

  // …and the JSONL export imports again to the same history.
  const jsonl = await cli(['history', 'export', String(runId), '--format', 'jsonl']);
  const file = join(tempDir(), 'again.jsonl');
  writeFileSync(file, String(jsonl.stdout));
  const again = await cli(['history', 'import', file, '--json']);
  const second = JSON.parse(String(again.stdout)) as { runId: number };
  const jsonl2 = await cli(['history', 'export', String(second.runId)]);
  t.is(String(jsonl2.stdout), String(jsonl.stdout));
});

test('runs --json lists the newest run first with its history event count', async (t) => {
  // Its own home: the other tests of this file import runs at the same time, which could push
  // this one out of a --limit window of a shared database.
  const env = { FAULTLINE_HOME: tempDir() };
  const first = await cli(['history', 'import', EXAMPLE, '--name', 'older', '--json'], { env });
  t.is(first.exitCode, 0);
  const imported = await cli(['history', 'import', EXAMPLE, '--name', 'listed', '--json'], { env });
  const { runId } = JSON.parse(String(imported.stdout)) as { runId: number };
  const runs = await cli(['runs', '--json', '--limit', '3'], { env });
  t.is(runs.exitCode, 0);
  const body = JSON.parse(String(runs.stdout)) as { runs: { id: number; name: string; events: number; valid: unknown }[] };
  t.deepEqual(body.runs.map((r) => r.name), ['listed', 'older']);
  const mine = body.runs[0]!;
  t.is(mine.id, runId);
  t.true(mine.events > 0);
  const human = await cli(['runs', '--limit', '1'], { env });
  t.regex(String(human.stdout), /^ID\s+NAME\s+STARTED \(UTC\)\s+EVENTS\s+STATUS\s+VERDICT/);
  t.notRegex(String(human.stdout), /older/);
  await cli(['db', 'stop'], { env });
});

test('two CLI processes at once share the embedded database', async (t) => {
  const home = tempDir();
  const env = { FAULTLINE_HOME: home };
  const [a, b] = await Promise.all([cli(['history', 'import', EXAMPLE, '--json'], { env }), cli(['history', 'import', EXAMPLE, '--json'], { env })]);
  t.is(a.exitCode, 0, String(a.stderr));
  t.is(b.exitCode, 0, String(b.stderr));
  const ids = [a, b].map((r) => (JSON.parse(String(r.stdout)) as { runId: number }).runId).sort();
  t.deepEqual(ids, [1, 2]);
  const runs = JSON.parse(String((await cli(['runs', '--json'], { env })).stdout)) as { runs: { events: number }[] };
  t.is(runs.runs.length, 2);
  t.true(runs.runs.every((r) => r.events === runs.runs[0]!.events));
  await cli(['db', 'stop'], { env });
});

const badInputs: { name: string; args: string[]; env?: Record<string, string>; needles: (string | RegExp)[] }[] = [
  { name: 'unknown flag', args: ['runs', '--colour'], needles: ['--colour'] },
  { name: 'bad enum value', args: ['history', 'export', 'latest', '--format', 'xml'], needles: ['xml', 'edn', 'jsonl'] },
  { name: 'bad integer', args: ['runs', '--limit', 'many'], needles: ['many'] },
  { name: 'unreachable DATABASE_URL', args: ['runs'], env: { DATABASE_URL: 'postgres://me:hunter2@127.0.0.1:1/db' }, needles: ['postgres://me:***@127.0.0.1:1/db', /ECONNREFUSED/] },
  { name: 'not a postgres URL', args: ['runs', '--database-url', 'mysql://x@y/z'], needles: ['mysql'] },
  { name: 'missing file', args: ['history', 'import', '/nonexistent/h.edn'], needles: ['/nonexistent/h.edn', 'no such file'] },
  { name: 'unknown run', args: ['history', 'export', '987654321'], needles: ['987654321'] },
  { name: 'unknown command', args: ['frobnicate'], needles: ['frobnicate'] },
];

for (const b of badInputs) {
  test(`bad input gives one line and exit 254: ${b.name}`, async (t) => {
    const r = await cli(b.args, { env: b.env });
    t.is(r.exitCode, 254, String(r.stderr));
    oneLine(t, String(r.stderr), ...b.needles);
    t.false(String(r.stderr).includes('hunter2'), 'the password is hidden');
  });
}

test('malformed history files exit 254 naming the line', async (t) => {
  const dir = tempDir();
  const truncated = join(dir, 'truncated.edn');
  writeFileSync(truncated, readFileSync(EXAMPLE, 'utf8').slice(0, -12));
  const r1 = await cli(['history', 'import', truncated]);
  t.is(r1.exitCode, 254);
  const lineCount = readFileSync(EXAMPLE, 'utf8').trim().split('\n').length;
  oneLine(t, String(r1.stderr), `${truncated}:${lineCount}:`, 'truncated');
  const notMap = join(dir, 'vector.edn');
  writeFileSync(notMap, '{:type :invoke, :f :read, :process 0, :time 1, :index 0}\n[:oops]\n');
  const r2 = await cli(['history', 'import', notMap]);
  t.is(r2.exitCode, 254);
  oneLine(t, String(r2.stderr), `${notMap}:2:`, 'expected an op map');
  const badType = join(dir, 'types.jsonl');
  writeFileSync(badType, '{"index":0,"type":"begin","process":0,"f":"read","value":null,"timeNs":0}\n');
  const r3 = await cli(['history', 'import', badType, '--json']);
  t.is(r3.exitCode, 254);
  t.deepEqual(Object.keys(JSON.parse(String(r3.stdout))), ['schemaVersion', 'error'], '--json errors are JSON too (versioned, docs/json.md)');
  oneLine(t, String(r3.stderr), `${badType}:1:`, 'begin');
});

test('--debug shows the stack of a crash-free bad input too', async (t) => {
  const r = await cli(['history', 'import', '/nonexistent/h.edn', '--debug']);
  t.is(r.exitCode, 254);
  t.regex(String(r.stderr), /\n\s+at /);
});

test('histories Postgres cannot hold: one line, exit 254, and no run row (issue 11, item 6)', async (t) => {
  const dir = tempDir();
  const line = (extra: string) => `{"index":0,"type":"invoke","process":0,"f":"write","timeNs":0,${extra}}\n`;
  const files: [string, string, RegExp][] = [
    ['nul.jsonl', line('"value":"a\\u0000b"'), /NUL/],
    ['surrogate.jsonl', line('"value":"\\ud800"'), /lone surrogate/],
    ['index.jsonl', line('"value":1').replace('"index":0', '"index":99999999999'), /index 99999999999/],
    ['time.jsonl', line('"value":1').replace('"timeNs":0', '"timeNs":1e30'), /timeNs/],
    ['deep.jsonl', line(`"value":${'['.repeat(5000)}${']'.repeat(5000)}`), /nested deeper/],
  ];
  const stamp = `unstorable-${process.pid}-${Date.now()}`;
  for (const [name, text, reason] of files) {
    const file = join(dir, name);
    writeFileSync(file, text);
    const r = await cli(['history', 'import', file, '--name', `${stamp}-${name}`]);
    t.is(r.exitCode, 254, `${name}: ${r.stderr}`);
    oneLine(t, String(r.stderr), file, reason);
  }
  const runs = JSON.parse(String((await cli(['runs', '--json', '--limit', '200'])).stdout)) as { runs: { name: string }[] };
  t.false(runs.runs.some((r) => r.name.startsWith(stamp)), 'no run row was written for any of them');
});

test('history export RUN | head: a reader that goes away ends the export at once, exit 0, no stack (issue 11, item 8)', async (t) => {
  const file = join(tempDir(), 'long.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i += 2) {
    lines.push(`{"index":${i},"type":"invoke","process":0,"f":"write","value":${i},"timeNs":${i}}`);
    lines.push(`{"index":${i + 1},"type":"ok","process":0,"f":"write","value":${i},"timeNs":${i + 1}}`);
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const imported = await cli(['history', 'import', file, '--json']);
  t.is(imported.exitCode, 0, String(imported.stderr));
  const { runId } = JSON.parse(String(imported.stdout)) as { runId: number };

  const child = execa(process.execPath, [CLI, 'history', 'export', String(runId)], { reject: false, env: { FAULTLINE_HOME: TEST_HOME, NO_COLOR: '1' }, timeout: 90_000, buffer: { stdout: false } });
  // Like `head -1`: read the first line, then close the pipe while the export still has MBs to write.
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  child.stdout!.destroy();
  const r = await child;
  t.false(r.timedOut, 'the export ended by itself');
  t.is(r.exitCode, 0, String(r.stderr));
  t.is(String(r.stderr).trim(), '');
});
