// `faultline test --leave-running` (issue 11, item 3): the harness used to hang after the test
// (local: the link proxies lived in it; docker: after SIGTERM one client socket to a node stayed
// open), so a CI job cancelled with SIGTERM hung until killed. Here the real CLI runs as a child
// process: it must exit within a bound after the test ended (normal end, and SIGTERM mid-fault:
// exit 2), leave the healed cluster serving `faultline kv` (replicating, so through the left
// proxies on local), and `faultline cluster down` must remove everything it left: processes by
// the run's folder in their command line, docker objects by the run label.
// Also: a StoreClient closed while an op hops between nodes must not dial the next node (that
// socket is the one that held the docker harness open).

import test, { type ExecutionContext } from 'ava';
import { execa } from 'execa';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isOurProcess, isZombie, readPidFiles } from '../../src/runtime/common.js';
import { runObjects } from '../../src/runtime/docker.js';
import type { ClusterState } from '../../src/runtime/cluster-state.js';
import { StoreClient } from '../../src/store/client.js';
import { statuses } from '../../src/db/store.js';
import { dockerMode, useTempHome, waitConverged } from './helpers.js';

// Declared before any test: ava wants every test declared in one synchronous stretch.
const mode = await dockerMode();
const home = useTempHome();
const CLI = resolve(fileURLToPath(import.meta.url), '../../../../bin/run.js');
/** How long the harness may take to exit once the test is over (the cluster left, the run checked and stored). */
const EXIT_BOUND_MS = 20_000;

function faultline(args: string[]) {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    all: true,
    env: { FAULTLINE_HOME: home, NO_COLOR: '1', FAULTLINE_DB_IDLE_MS: '20000' },
    forceKillAfterDelay: false,
  });
}

type Child = ReturnType<typeof faultline>;

/** Live processes whose command line names this folder (nodes and the proxy process), whatever their parent. */
function processesOf(runDir: string): number[] {
  return readdirSync('/proc').filter((x) => /^\d+$/.test(x)).map(Number).filter((pid) => isOurProcess(pid, runDir) && !isZombie(pid));
}

/** Resolves with the first line of the child's output matching `re`; rejects if the child exits first. */
function lineOf(child: Child, re: RegExp): Promise<string> {
  return new Promise((resolveLine, reject) => {
    let out = '';
    child.all.on('data', (b: Buffer) => {
      out += b.toString();
      const m = re.exec(out);
      if (m) resolveLine(m[0]);
    });
    void child.then((r) => reject(new Error(`the harness exited (${r.exitCode}) before printing ${re}: ${r.all}`)));
  });
}

/** The child's result if it exits within ms; else kills it and fails, saying it hung. */
async function exitWithin(t: ExecutionContext, child: Child, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((r) => (timer = setTimeout(() => r('hung'), ms)));
  const started = Date.now();
  const r = await Promise.race([child, hung]);
  clearTimeout(timer);
  if (r === 'hung') {
    child.kill('SIGKILL');
    const dead = await child;
    t.fail(`the harness did not exit within ${ms / 1000} s of the test's end: ${dead.all?.slice(-2000)}`);
    throw new Error('harness hung');
  }
  t.log(`harness exited ${Date.now() - started} ms after the test's end (exit ${r.exitCode})`);
  return r;
}

/** The left cluster serves: a write and a read through `faultline kv`, and every node converges on it. */
async function serves(t: ExecutionContext, state: ClusterState): Promise<void> {
  const put = await faultline(['kv', 'put', 'after-harness', '{"left":true}']);
  t.is(put.exitCode, 0, put.all);
  const got = await faultline(['kv', 'get', 'after-harness', '--json']);
  t.is(got.exitCode, 0, got.all);
  t.deepEqual((JSON.parse(got.stdout) as { value: unknown }).value, { left: true });
  // Same leader, term and commit index on every node: the write was replicated (on local, through
  // the link proxies the harness handed over).
  try {
    await waitConverged(state.nodes, 30_000);
  } catch (err) {
    const st = await statuses(state.nodes, 1000);
    const logs = state.nodes.map((n) => `${n.name}: ${tail(n.logFile)}`).join('\n');
    t.fail(`${(err as Error).message}: ${JSON.stringify([...st.values()])}\n${logs}`);
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-8).join('\n  ');
  } catch {
    return '(no log file)';
  }
}

/** `faultline cluster down` removes everything the run left. */
async function downRemovesAll(t: ExecutionContext, state: ClusterState): Promise<void> {
  const down = await faultline(['cluster', 'down']);
  t.is(down.exitCode, 0, down.all);
  t.false(existsSync(join(home, 'cluster.json')));
  t.deepEqual(processesOf(state.spec.runDir), [], 'a node or the proxy process outlived `cluster down`');
  t.false(readPidFiles().some((f) => f.runId === state.runId), 'the pid file outlived `cluster down`');
  if (state.runtime === 'docker') t.deepEqual(await runObjects(state.runId), { containers: 0, networks: 0 });
}

function clusterState(): ClusterState {
  return JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')) as ClusterState;
}

/** What the run left: local, 3 nodes + 1 proxy process alive and in the pid file; docker, 3 containers + the network. */
async function leftRunning(t: ExecutionContext, state: ClusterState): Promise<void> {
  if (state.runtime === 'local') {
    const file = readPidFiles().find((f) => f.runId === state.runId);
    t.deepEqual(file?.processes.map((x) => x.name).sort(), ['n1', 'n2', 'n3', 'proxies']);
    t.true(file!.persistent, 'a plain cleanup would remove the cluster left running');
    t.true(file!.processes.every((x) => isOurProcess(x.pid, x.marker) && !isZombie(x.pid)), 'a left process is not running');
    t.is(processesOf(state.spec.runDir).length, 4);
  } else {
    t.deepEqual(await runObjects(state.runId), { containers: 3, networks: 1 });
  }
}

async function normalEnd(t: ExecutionContext, runtime: 'local' | 'docker'): Promise<void> {
  const child = faultline(['test', '--runtime', runtime, '--nodes', '3', '--time-limit', '5s', '--nemesis', 'partition', '--leave-running']);
  await lineOf(child, /left running.*\n/);
  const r = await exitWithin(t, child, EXIT_BOUND_MS);
  t.is(r.exitCode, 0, r.all);
  t.regex(r.all ?? '', /stop it with: faultline cluster down/);
  const state = clusterState();
  try {
    t.is(state.runtime, runtime);
    await leftRunning(t, state);
    await serves(t, state);
  } finally {
    await downRemovesAll(t, state);
  }
}

async function sigterm(t: ExecutionContext, runtime: 'local' | 'docker'): Promise<void> {
  const child = faultline(['test', '--runtime', runtime, '--nodes', '3', '--time-limit', '120s', '--nemesis', 'partition', '--nemesis-interval', '2s', '--leave-running']);
  // The status line names the active faults: SIGTERM lands while a partition is on.
  await lineOf(child, /faults: partition\(/);
  child.kill('SIGTERM');
  await lineOf(child, /left running.*\n/);
  const r = await exitWithin(t, child, EXIT_BOUND_MS);
  t.is(r.exitCode, 2, r.all);
  t.regex(r.all ?? '', /interrupted by SIGTERM/);
  const state = clusterState();
  try {
    await leftRunning(t, state);
    await serves(t, state); // healed: every node converges and takes writes
  } finally {
    await downRemovesAll(t, state);
  }
}

test.serial('local: test --leave-running exits after the test; the cluster serves kv; cluster down removes it all', (t) => normalEnd(t, 'local'));

test.serial('local: SIGTERM mid-partition with --leave-running exits 2; the healed cluster serves; cluster down removes it all', (t) => sigterm(t, 'local'));

const dtest = mode.available || mode.required ? test.serial : test.serial.skip;
dtest('docker: test --leave-running exits after the test; the cluster serves kv; cluster down removes it all', (t) => normalEnd(t, 'docker'));

dtest('docker: SIGTERM mid-partition with --leave-running exits 2; the healed cluster serves; cluster down removes it all', (t) => sigterm(t, 'docker'));

test.serial('--leave-running is refused (254, one line) with --test-count above 1 or while a cluster is up', async (t) => {
  const r = await faultline(['test', '--runtime', 'local', '--leave-running', '--test-count', '2']);
  t.is(r.exitCode, 254, r.all);
  t.regex(r.stderr, /--leave-running.*--test-count 2/);
  t.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  // One cluster per FAULTLINE_HOME: with one up (here a recorded one), refused before anything starts.
  writeFileSync(join(home, 'cluster.json'), JSON.stringify({ runId: 'flsomeoneelse', runtime: 'local' }));
  try {
    const busy = await faultline(['test', '--runtime', 'local', '--leave-running']);
    t.is(busy.exitCode, 254, busy.all);
    t.regex(busy.stderr, /a cluster is already up \(run flsomeoneelse, local\); stop it first with: faultline cluster down/);
    t.is(busy.stderr.trim().split('\n').length, 1, busy.stderr);
  } finally {
    rmSync(join(home, 'cluster.json'), { force: true });
  }
});

test('a StoreClient closed while its op is dialing does not go on to dial the next node', async (t) => {
  // The op dials n1; close() destroys that half-open socket, so the attempt ends `unreached`
  // (nothing sent) and the op used to move on to n2 with a fresh connection nobody would close.
  // n2 drops every connection at once, so an op that reached it has seen it drop before it resolves.
  const seen: string[] = [];
  const server = (name: string) =>
    net.createServer((s) => {
      seen.push(name);
      s.destroy();
    });
  const [n1, n2] = [server('n1'), server('n2')];
  const listen = (srv: net.Server) => new Promise<number>((r) => srv.listen(0, '127.0.0.1', () => r((srv.address() as net.AddressInfo).port)));
  const c = new StoreClient({ nodes: { n1: `127.0.0.1:${await listen(n1)}`, n2: `127.0.0.1:${await listen(n2)}` }, timeoutMs: 3000, prefer: 'n1' });
  try {
    const op = c.put('k', 1); // dials n1 synchronously
    await c.close();
    const o = await op;
    t.deepEqual(o, { type: 'fail', error: 'client-closed' });
    t.false(seen.includes('n2'), `the closed client dialed n2 (servers saw: ${seen.join(', ')})`);
    t.is((await c.get('k')).type, 'fail');
    await t.throwsAsync(() => c.status('n1'), { message: /client closed/ });
  } finally {
    n1.close();
    n2.close();
  }
});
