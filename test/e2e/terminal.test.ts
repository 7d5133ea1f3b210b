// The terminal as a user meets it: NO_COLOR / FORCE_COLOR, `faultline help <command>`, "did you
// mean", and root help describing every topic rightly.

import test from 'ava';
import { join } from 'node:path';
import { colorLevelFor } from '../../src/cli/color.js';
import { suggestCommand } from '../../src/cli/not-found.js';
import { cli, ROOT } from '../helpers/env.js';

const ESC = '\x1b[';

test('colour level: NO_COLOR wins over a terminal and over FORCE_COLOR; FORCE_COLOR=0 turns it off', (t) => {
  t.is(colorLevelFor({ NO_COLOR: '1' }, true, 3), 0);
  t.is(colorLevelFor({ NO_COLOR: '1', FORCE_COLOR: '3' }, true, 3), 0);
  t.is(colorLevelFor({ NO_COLOR: '' }, true, 2), 2, 'an empty NO_COLOR does not count (no-color.org)');
  t.is(colorLevelFor({ FORCE_COLOR: '0' }, true, 3), 0);
  t.is(colorLevelFor({}, false, 3), 0, 'no colour into a pipe');
  t.is(colorLevelFor({ FORCE_COLOR: '1' }, false, 0), 1);
  t.is(colorLevelFor({ TERM: 'dumb' }, true, 1), 0);
});

test('NO_COLOR is honoured by the CLI even when FORCE_COLOR is set (chalk alone would colour)', async (t) => {
  const file = join(ROOT, 'test/fixtures/jepsen/register-partitions.edn');
  const imported = await cli(['history', 'import', file, '--json']);
  const { runId } = JSON.parse(String(imported.stdout)) as { runId: number };
  const coloured = await cli(['analyze', String(runId), '--model', 'cas-register'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
  t.true(String(coloured.stdout).includes(ESC), 'FORCE_COLOR alone colours');
  const plain = await cli(['analyze', String(runId), '--model', 'cas-register'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  t.false(String(plain.stdout).includes(ESC), String(plain.stdout));
  t.is(plain.exitCode, coloured.exitCode);
});

test('faultline help test shows the test command\'s help', async (t) => {
  const r = await cli(['help', 'test']);
  t.is(r.exitCode, 0, String(r.stderr));
  t.regex(String(r.stdout), /USAGE\n\s+\$ faultline test/);
  t.regex(String(r.stdout), /--time-limit/);
  const topic = await cli(['help', 'history']);
  t.is(topic.exitCode, 0);
  t.regex(String(topic.stdout), /history import/);
});

test('a typo gets one line with "did you mean", exit 254', async (t) => {
  const r = await cli(['tset', '--time-limit', '1s']);
  t.is(r.exitCode, 254);
  const lines = String(r.stderr).trim().split('\n');
  t.is(lines.length, 1, String(r.stderr));
  t.regex(lines[0]!, /`tset` is not a faultline command; did you mean `faultline test`\?/);
  const sub = await cli(['history', 'exprot', '1']);
  t.regex(String(sub.stderr), /did you mean `faultline history export`/);
  t.is(suggestCommand('anaylze', ['analyze', 'check', 'runs']), 'analyze');
});

test('root help describes each topic by what its commands do', async (t) => {
  const r = await cli(['--help']);
  t.is(r.exitCode, 0);
  const out = String(r.stdout).replace(/\n\s+/g, ' ');
  t.regex(out, /cluster\s+Start, inspect and stop a long-lived test cluster/);
  t.regex(out, /kv\s+Read and write keys on the running cluster/);
  t.regex(out, /db\s+The database that stores histories/);
});

test('explanations give times in human units and say what t= is relative to', async (t) => {
  const r = await cli(['check', join(ROOT, 'test/fixtures/report/history.jsonl'), '--model', 'cas-register']);
  t.is(r.exitCode, 1, String(r.stderr));
  const out = String(r.stdout);
  t.regex(out, /t=\d+(\.\d+)? (ns|µs|ms|s)\b/);
  t.notRegex(out, /t=\d{4,}(?![\d.]|\s?(ns|µs|ms|s)\b)/, 'no raw nanoseconds');
  t.regex(out, /\(t = time since the run started\.\)/);
});

test('every --json document carries schemaVersion, errors included; run times are startedAt everywhere', async (t) => {
  const db = await cli(['db', 'status', '--json']);
  t.is((JSON.parse(String(db.stdout)) as { schemaVersion: number }).schemaVersion, 1);
  const bad = await cli(['analyze', 'no-such-run-anywhere', '--json']);
  t.is(bad.exitCode, 254);
  t.like(JSON.parse(String(bad.stdout)), { schemaVersion: 1, error: { exit: 254 } });
  const runs = await cli(['runs', '--json', '--limit', '1']);
  const body = JSON.parse(String(runs.stdout)) as { schemaVersion: number; runs: Record<string, unknown>[] };
  t.is(body.schemaVersion, 1);
  if (body.runs[0]) {
    t.true('startedAt' in body.runs[0]);
    t.false('started' in body.runs[0]);
  }
});
