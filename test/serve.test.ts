// `faultline serve` under the faults of issue 11 (items 2, 7, 10): a database daemon restarted
// under it, Ctrl-C with requests in flight, internal errors, an empty --host.

import test from 'ava';
import { execa } from 'execa';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from 'postgres';
import { openDb, type HistoryDb } from '../src/history/db.js';
import { pidAlive, statePath, type EmbeddedState } from '../src/history/embedded.js';
import { createRun } from '../src/history/runs.js';
import { startReportServer } from '../src/serve/server.js';
import { CLI, cli, TEST_HOME, tempDir } from './helpers/env.js';

test('serve answers again after its embedded database daemon was killed and restarted', async (t) => {
  t.timeout(150_000);
  const home = tempDir();
  const db = await openDb({ home, databaseUrl: null });
  const served = await startReportServer(db, { host: '127.0.0.1', port: 0 });
  try {
    await createRun(db.sql, { name: 'before-the-kill' });
    const before = await fetch(`${served.url}api/runs`);
    t.is(before.status, 200);
    const { pid } = JSON.parse(readFileSync(statePath(home), 'utf8')) as EmbeddedState;
    process.kill(pid, 'SIGKILL');
    for (let i = 0; i < 500 && pidAlive(pid); i++) await new Promise((r) => setTimeout(r, 10));
    const after = await fetch(`${served.url}api/runs`);
    t.is(after.status, 200, await after.clone().text());
    t.deepEqual(((await after.json()) as { name: string }[]).map((r) => r.name), ['before-the-kill'], 'the same data, from a new daemon');
  } finally {
    await served.close();
    await db.close();
    const state = JSON.parse(readFileSync(statePath(home), 'utf8')) as EmbeddedState;
    try {
      process.kill(state.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
});

test('a 500 says only that the request failed; the internal error goes to the server log', async (t) => {
  const secret = 'connect ECONNREFUSED 10.1.2.3:5432 as admin:hunter2 /srv/private/path';
  const sql = (() => {
    throw new Error(secret);
  }) as unknown as Sql;
  const db: HistoryDb = { sql, kind: 'postgres', where: 'test', close: async () => {} };
  const logged: string[] = [];
  const served = await startReportServer(db, { host: '127.0.0.1', port: 0, logError: (m) => logged.push(m) });
  try {
    const res = await fetch(`${served.url}api/runs`);
    t.is(res.status, 500);
    const body = await res.text();
    t.false(body.includes('hunter2') || body.includes('10.1.2.3') || body.includes('/srv/'), body);
    const id = /internal error ([0-9a-f]{8})/.exec(body)?.[1];
    t.truthy(id, body);
    t.true(logged.some((l) => l.includes(id!) && l.includes(secret)), 'the log has the error, under the same id');
  } finally {
    await served.close();
  }
});

test('Ctrl-C while requests are in flight: serve exits 0 promptly, without a stack', async (t) => {
  t.timeout(180_000);
  // A run big enough that its report takes a while to build.
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i += 2) {
    lines.push(`{"index":${i},"type":"invoke","process":${i % 10},"f":"write","value":${i},"timeNs":${i * 1000}}`);
    lines.push(`{"index":${i + 1},"type":"ok","process":${i % 10},"f":"write","value":${i},"timeNs":${i * 1000 + 500}}`);
  }
  const file = join(tempDir(), 'big.jsonl');
  writeFileSync(file, lines.join('\n') + '\n');
  const imported = await cli(['history', 'import', file, '--json']);
  t.is(imported.exitCode, 0, String(imported.stderr));
  const { runId } = JSON.parse(String(imported.stdout)) as { runId: number };

  const server = execa(process.execPath, [CLI, 'serve', '--port', '0'], { env: { FAULTLINE_HOME: TEST_HOME, NO_COLOR: '1' }, reject: false, timeout: 120_000 });
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout!.on('data', (chunk: Buffer) => {
      const m = /at (http:\/\/\S+)/.exec(chunk.toString());
      if (m) resolve(m[1]!);
    });
    void server.then((r) => reject(new Error(`serve exited early: ${r.stderr}`)));
  });
  const requests = Array.from({ length: 6 }, () => fetch(`${url}runs/${runId}`).then((r) => r.status, () => 0));
  // Stop once the first request is being served (the server logged nothing yet: still in flight).
  await new Promise((r) => setTimeout(r, 300));
  const stoppedAt = Date.now();
  server.kill('SIGINT');
  const done = await server;
  t.false(done.timedOut, 'serve stopped by itself');
  t.is(done.exitCode, 0, String(done.stderr));
  t.true(Date.now() - stoppedAt < 30_000, `stopped within the grace period (${Date.now() - stoppedAt} ms)`);
  t.notRegex(String(done.stderr), /\n\s+at |Error:|failed/, String(done.stderr));
  const statuses = await Promise.all(requests);
  t.true(statuses.every((s) => s === 200 || s === 0), `each request is answered whole or cut, never 500: ${statuses.join(' ')}`);
});

test('serve --host "" is refused with one line and exit 254 (it would listen on every interface)', async (t) => {
  const r = await cli(['serve', '--host', '', '--port', '0']);
  t.is(r.exitCode, 254, String(r.stderr));
  t.regex(String(r.stderr), /^Error: --host is empty/);
  t.is(String(r.stderr).trim().split('\n').length, 1);
});
