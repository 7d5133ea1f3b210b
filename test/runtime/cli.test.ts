// The cluster, kv and cleanup commands through the real CLI (bin/run.js), each in its own
// FAULTLINE_HOME: up leaves nodes running and records them, status shows roles, kv exit codes are
// 0 / 1 (cas mismatch) / 254 (bad flags), down leaves nothing running; the same on docker when a
// daemon answers.

import test from 'ava';
import { execa } from 'execa';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOurProcess, isZombie } from '../../src/runtime/common.js';
import { runObjects } from '../../src/runtime/docker.js';
import { dockerMode } from './helpers.js';

// Declared before any test: ava wants every test declared in one synchronous stretch.
const mode = await dockerMode();
const CLI = resolve(fileURLToPath(import.meta.url), '../../../../bin/run.js');

const homes: string[] = [];
test.after.always(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

/** A FAULTLINE_HOME of its own, removed after the tests. */
function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'faultline-cli-'));
  homes.push(home);
  return home;
}

function faultline(home: string, args: string[]) {
  return execa(process.execPath, [CLI, ...args], { reject: false, env: { FAULTLINE_HOME: home, NO_COLOR: '1' } });
}

function storeProcesses(marker: string): number[] {
  return readdirSync('/proc').filter((x) => /^\d+$/.test(x)).map(Number).filter((pid) => isOurProcess(pid, marker) && !isZombie(pid));
}

async function roundTrip(t: import('ava').ExecutionContext, runtime: 'local' | 'docker') {
  const home = newHome();
  const up = await faultline(home, ['cluster', 'up', '--runtime', runtime, '--nodes', '3', '--json']);
  t.is(up.exitCode, 0, up.stderr);
  const state = JSON.parse(up.stdout) as { runId: string; runtime: string; leader: string | null; nodes: { name: string; clientAddr: string; dataDir: string }[]; spec: { runDir: string } };
  try {
    t.is(state.runtime, runtime);
    t.deepEqual(state.nodes.map((n) => n.name), ['n1', 'n2', 'n3']);
    t.truthy(state.leader);
    t.true(existsSync(join(home, 'cluster.json')));
    if (runtime === 'local') t.is(storeProcesses(state.spec.runDir).length, 3, 'nodes should outlive `cluster up`');

    const again = await faultline(home, ['cluster', 'up', '--runtime', runtime]);
    t.is(again.exitCode, 254);
    t.regex(again.stderr, /already up/);

    const status = await faultline(home, ['cluster', 'status', '--json']);
    t.is(status.exitCode, 0, status.stderr);
    const roles = (JSON.parse(status.stdout) as { nodes: { role: string; up: boolean }[] }).nodes;
    t.true(roles.every((n) => n.up));
    t.is(roles.filter((n) => n.role === 'leader').length, 1);

    t.is((await faultline(home, ['kv', 'put', 'x', '{"a":1}'])).exitCode, 0);
    const got = await faultline(home, ['kv', 'get', 'x', '--json']);
    t.is(got.exitCode, 0);
    t.deepEqual(JSON.parse(got.stdout).value, { a: 1 });
    t.is((await faultline(home, ['kv', 'put', 'name', 'alice'])).exitCode, 0);
    t.is((await faultline(home, ['kv', 'get', 'name'])).stdout.trim(), '"alice"'); // not JSON: kept as a string
    t.is((await faultline(home, ['kv', 'cas', 'name', 'alice', 'bob'])).exitCode, 0);
    const mismatch = await faultline(home, ['kv', 'cas', 'name', 'alice', 'carol']);
    t.is(mismatch.exitCode, 1);
    t.regex(mismatch.stderr, /not alice/);

    const plainCleanup = await faultline(home, ['cleanup', '--json']);
    t.is(plainCleanup.exitCode, 0);
    t.is((await faultline(home, ['cluster', 'status', '--json'])).exitCode, 0, 'a plain cleanup must leave the `cluster up` cluster alone');
  } finally {
    const down = await faultline(home, ['cluster', 'down', '--json']);
    t.is(down.exitCode, 0, down.stderr);
    t.log(`${runtime}: up ${(JSON.parse(up.stdout) as { upMs: number }).upMs} ms, down ${(JSON.parse(down.stdout) as { downMs: number }).downMs} ms`);
  }
  t.false(existsSync(join(home, 'cluster.json')));
  t.false(existsSync(state.spec.runDir), 'data was removed although not kept');
  t.deepEqual(storeProcesses(state.spec.runDir), []);
  if (runtime === 'docker') t.deepEqual(await runObjects(state.runId), { containers: 0, networks: 0 });
  const none = await faultline(home, ['cluster', 'status']);
  t.is(none.exitCode, 254);
  t.regex(none.stderr, /no cluster is up/);
}

test('cluster up / status / kv / down on the local runtime', (t) => roundTrip(t, 'local'));

(mode.available ? test : test.skip)('cluster up / status / kv / down on the docker runtime', (t) => roundTrip(t, 'docker'));

test('--keep-data at up keeps the data folders at down; the nodes still go', async (t) => {
  const home = newHome();
  const up = await faultline(home, ['cluster', 'up', '--runtime', 'local', '--keep-data', '--json']);
  t.is(up.exitCode, 0, up.stderr);
  const state = JSON.parse(up.stdout) as { nodes: { dataDir: string }[]; spec: { runDir: string } };
  t.is((await faultline(home, ['kv', 'put', 'kept', '1'])).exitCode, 0);
  const down = await faultline(home, ['cluster', 'down', '--json']);
  t.is(down.exitCode, 0, down.stderr);
  t.is((JSON.parse(down.stdout) as { kept: string }).kept, state.spec.runDir);
  t.true(state.nodes.every((n) => existsSync(n.dataDir)));
  t.deepEqual(storeProcesses(state.spec.runDir), []);
});

test('bad flag values exit 254 with one line naming the value and the allowed ones', async (t) => {
  const home = newHome();
  const cases: [string[], RegExp][] = [
    [['cluster', 'up', '--runtime', 'vm'], /unknown runtime "vm" \(allowed: auto, docker, local\)/],
    [['cluster', 'up', '--nodes', 'ten'], /bad --nodes "ten" \(allowed: 1-9\)/],
    [['cluster', 'up', '--db', 'mongo'], /unknown --db "mongo" \(allowed: raft, paxos, zab\)/],
    [['cluster', 'up', '--bug', 'nope', '--runtime', 'local'], /bad --bug "nope".*allowed: stale-read/],
  ];
  for (const [args, message] of cases) {
    const r = await faultline(home, args);
    t.is(r.exitCode, 254, args.join(' '));
    t.regex(r.stderr, message);
    t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
