// The CI gate is honest: a run that did not finish is never valid (analyze says incomplete and
// exits 2 unless --accept-partial), an empty history is unknown, and runs record who made them
// where, so `runs` and `latest` can be narrowed to one's own.

import test from 'ava';
import { join } from 'node:path';
import { openDb, type HistoryDb } from '../../src/history/db.js';
import type { Op } from '../../src/core/op.js';
import { ciJob, createRun, finishRun, getRun, gatedVerdict, type RunStatus } from '../../src/history/runs.js';
import { openSink } from '../../src/history/sink.js';
import { cli, ROOT, tempDir, TEST_HOME } from '../helpers/env.js';
import { writeFileSync } from 'node:fs';

let db: HistoryDb;
test.before(async () => {
  db = await openDb({ home: TEST_HOME });
});
test.after.always(async () => {
  await db?.close();
});

/** A small valid register history: writes then reads of the value written. */
function registerOps(): Op[] {
  const ops: Op[] = [];
  let t = 1000;
  for (let i = 0; i < 5; i++) {
    ops.push({ index: ops.length, type: 'invoke', process: 0, f: 'write', value: i, timeNs: (t += 10) });
    ops.push({ index: ops.length, type: 'ok', process: 0, f: 'write', value: i, timeNs: (t += 10), node: 'n1' });
    ops.push({ index: ops.length, type: 'invoke', process: 1, f: 'read', value: null, timeNs: (t += 10) });
    ops.push({ index: ops.length, type: 'ok', process: 1, f: 'read', value: i, timeNs: (t += 10), node: 'n2' });
  }
  return ops;
}

async function storedRun(name: string, status: RunStatus | null, ops: Op[]): Promise<number> {
  const runId = await createRun(db.sql, { name, spec: { workload: 'register' } });
  const sink = openSink(db, runId);
  for (const op of ops) sink.append(op);
  await sink.close();
  if (status) await finishRun(db.sql, runId, status, null);
  return runId;
}

for (const status of ['running', 'crashed', 'aborted'] as const) {
  test(`analyze of a ${status} run says incomplete and exits 2; --accept-partial accepts it`, async (t) => {
    const runId = await storedRun(`gate-${status}`, status === 'running' ? null : status, registerOps());
    const r = await cli(['analyze', String(runId)]);
    t.is(r.exitCode, 2, String(r.stdout) + String(r.stderr));
    if (status === 'running') {
      // A run still running has a growing history: analyze refuses it and stores nothing (issue 11).
      t.regex(String(r.stderr), /is still running/);
      t.is((await getRun(db.sql, runId))!.valid, null, 'no verdict is stored beside running');
    } else {
      t.regex(String(r.stdout), new RegExp(`unknown \\[${status}\\]`));
      t.regex(String(r.stdout), /incomplete: the run/);
      t.is((await getRun(db.sql, runId))!.valid, 'unknown', 'the stored verdict is not valid either');
      const json = await cli(['analyze', String(runId), '--json']);
      t.is(json.exitCode, 2);
      const body = JSON.parse(String(json.stdout)) as { schemaVersion: number; valid: unknown; incomplete: boolean; run: { status: string }; ops: number; events: number };
      t.like(body, { schemaVersion: 1, valid: 'unknown', incomplete: true, run: { status }, ops: 10, events: 20 });
    }
    const partial = await cli(['analyze', String(runId), '--accept-partial']);
    t.is(partial.exitCode, 0, String(partial.stdout) + String(partial.stderr));
    t.regex(String(partial.stdout), /partial history accepted/);
    const runs = await cli(['runs', '--limit', '200']);
    t.regex(String(runs.stdout), new RegExp(`^${runId}\\s.*\\b${status}\\s+unknown`, 'm'), 'runs shows the status beside the verdict, never valid');
    const listed = JSON.parse(String((await cli(['runs', '--json', '--status', status, '--limit', '200'])).stdout)) as { runs: { id: number; valid: unknown }[] };
    t.is(listed.runs.find((x) => x.id === runId)!.valid, 'unknown', 'runs --json never says valid for an unfinished run either');
  });
}

test('a finished run with a valid history is valid (exit 0) — the gate does not block honest runs', async (t) => {
  const runId = await storedRun('gate-finished', 'finished', registerOps());
  const r = await cli(['analyze', String(runId)]);
  t.is(r.exitCode, 0, String(r.stdout) + String(r.stderr));
  t.regex(String(r.stdout), /: valid \(10 ops, 20 history events\)/);
});

test('an empty history is unknown, exit 2 — in analyze and in check', async (t) => {
  const runId = await storedRun('gate-empty', 'finished', []);
  const r = await cli(['analyze', String(runId)]);
  t.is(r.exitCode, 2, String(r.stdout) + String(r.stderr));
  t.regex(String(r.stdout), /unknown/);
  t.regex(String(r.stdout), /no client operations/);
  const file = join(tempDir(), 'empty.edn');
  writeFileSync(file, '');
  const c = await cli(['check', file, '--model', 'cas-register']);
  t.is(c.exitCode, 2, String(c.stdout) + String(c.stderr));
  t.regex(String(c.stdout), /no client operations/);
  const nemesisOnly = join(tempDir(), 'nemesis.edn');
  writeFileSync(nemesisOnly, '{:type :info, :f :start, :value nil, :process :nemesis, :time 1, :index 0}\n{:type :info, :f :start, :value :done, :process :nemesis, :time 2, :index 1}\n');
  const n = await cli(['check', nemesisOnly, '--model', 'cas-register']);
  t.is(n.exitCode, 2, String(n.stdout) + String(n.stderr));
});

test('a :txn history says plainly that it needs the list-append workload', async (t) => {
  const file = join(ROOT, 'test/fixtures/jepsen/list-append.edn');
  const c = await cli(['check', file, '--model', 'cas-register']);
  t.is(c.exitCode, 254);
  t.regex(String(c.stderr), /Elle-style :txn history.*--workload list-append/);
  const imp = await cli(['history', 'import', file, '--json']);
  const { runId } = JSON.parse(String(imp.stdout)) as { runId: number };
  const a = await cli(['analyze', String(runId), '--model', 'cas-register']);
  t.is(a.exitCode, 254);
  t.regex(String(a.stderr), new RegExp(`analyze ${runId} --workload list-append`));
});

test('runs record host, user and CI job; runs and latest filter by them', async (t) => {
  const env = { USER: 'ci-bot', GITHUB_ACTIONS: 'true', GITHUB_REPOSITORY: 'acme/db', GITHUB_RUN_ID: '4242', GITHUB_JOB: 'jepsen' };
  const file = join(ROOT, 'test/fixtures/jepsen/register-partitions.edn');
  const theirs = await cli(['history', 'import', file, '--name', 'theirs', '--json'], { env });
  const theirId = (JSON.parse(String(theirs.stdout)) as { runId: number }).runId;
  const mine = await cli(['history', 'import', file, '--name', 'mine', '--json'], { env: { USER: 'alice', GITHUB_ACTIONS: undefined } });
  const myId = (JSON.parse(String(mine.stdout)) as { runId: number }).runId;
  t.true(myId > theirId);
  const listed = await cli(['runs', '--json', '--user', 'ci-bot', '--limit', '1']);
  const body = JSON.parse(String(listed.stdout)) as { schemaVersion: number; runs: { id: number; user: string; host: string; ci: string }[] };
  t.is(body.schemaVersion, 1);
  t.is(body.runs[0]!.id, theirId);
  t.is(body.runs[0]!.ci, 'github acme/db run 4242 job jepsen');
  t.truthy(body.runs[0]!.host);
  const byCi = await cli(['runs', '--json', '--ci', '4242']);
  t.deepEqual((JSON.parse(String(byCi.stdout)) as { runs: { id: number }[] }).runs.map((r) => r.id).slice(0, 1), [theirId]);
  // latest --mine is alice's run for alice, the bot's for the bot, whoever imported last.
  const a = await cli(['analyze', 'latest', '--mine', '--model', 'cas-register', '--json'], { env: { USER: 'ci-bot' } });
  t.is((JSON.parse(String(a.stdout)) as { run: { id: number } }).run.id, theirId, String(a.stderr));
  const none = await cli(['analyze', 'latest', '--user', 'nobody-at-all', '--model', 'cas-register']);
  t.is(none.exitCode, 254);
  t.regex(String(none.stderr), /no runs yet .*user nobody-at-all/);
});

test('ciJob reads the usual CI variables', (t) => {
  t.is(ciJob({}), null);
  t.is(ciJob({ GITLAB_CI: 'true', CI_PROJECT_PATH: 'g/p', CI_PIPELINE_ID: '7', CI_JOB_ID: '9' }), 'gitlab g/p pipeline 7 job 9');
  t.is(ciJob({ BUILDKITE: 'true', BUILDKITE_PIPELINE_SLUG: 'db', BUILDKITE_BUILD_NUMBER: '3', BUILDKITE_JOB_ID: 'x' }), 'buildkite db build 3 job x');
  t.is(ciJob({ CI: 'true' }), 'ci');
  t.is(gatedVerdict('crashed', true), 'unknown');
  t.is(gatedVerdict('crashed', false), false);
  t.is(gatedVerdict('crashed', true, true), true);
  t.is(gatedVerdict('finished', true), true);
});

test('check of a stored run that crashed is unknown too, and check latest honours --user', async (t) => {
  const runId = await storedRun('gate-check-crashed', 'crashed', registerOps());
  const r = await cli(['check', String(runId)]);
  t.is(r.exitCode, 2, String(r.stdout) + String(r.stderr));
  t.regex(String(r.stdout), /incomplete: the run crashed/);
  const none = await cli(['check', 'latest', '--user', 'nobody-at-all']);
  t.is(none.exitCode, 254);
});
