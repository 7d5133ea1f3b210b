// The local runtime against the real store: nodes as child processes on 127.0.0.1 behind per-link
// proxies. Same partition-the-leader scenario as docker; kill / pause / loss / delay take effect
// and heal; the clock moves one node only (where libfaketime is installed); an interrupted harness
// leaves no process behind, and `cleanup` removes what a SIGKILLed one left.

import test from 'ava';
import { execa } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { statuses } from '../../src/db/store.js';
import { cleanup } from '../../src/runtime/cleanup.js';
import { hostFaketimeLib, isOurProcess, isZombie, readPidFiles } from '../../src/runtime/common.js';
import { LocalRuntime } from '../../src/runtime/local.js';
import { pollUntil, UnsupportedFault } from '../../src/runtime/types.js';
import { clientFor, newSpec, p, partitionLeaderScenario, putUntilOk, removeDir, useTempHome, waitConverged, waitLeader } from './helpers.js';

useTempHome();

/** Live store processes whose command line names this run folder (ours, whatever their parent). */
function storeProcesses(runDir: string): number[] {
  return readdirSync('/proc')
    .filter((x) => /^\d+$/.test(x))
    .map(Number)
    .filter((pid) => isOurProcess(pid, runDir) && !isZombie(pid));
}

test.serial('a 3-node cluster: partition the leader away, the majority moves on, heal converges', async (t) => {
  const rt = new LocalRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p());
    // Each node on a loopback address of its own, all on the Db's one client port.
    t.true(nodes.every((n) => /^127\.\d+\.\d+\.1[1-3]:7000$/.test(n.clientAddr)), nodes.map((n) => n.clientAddr).join(' '));
    t.is(new Set(nodes.map((n) => n.clientAddr)).size, 3);
    await partitionLeaderScenario(t, rt, nodes);
    t.true(Object.values(rt.linkStats()).some((s) => s.cut > 0 || s.blackholed > 0), 'no proxy blackholed anything');
  } finally {
    await rt.down(p());
  }
  t.deepEqual(storeProcesses(spec.runDir), []);
  removeDir(spec.runDir);
});

test.serial('kill, pause, loss and delay take effect and heal', async (t) => {
  const rt = new LocalRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p());
    const [n1, n2] = nodes as [typeof nodes[0], typeof nodes[0]];
    await waitConverged(nodes);

    const pidBefore = readPidFiles().find((f) => f.runId === spec.runId)!.processes.find((x) => x.name === 'n1')!.pid;
    await rt.kill(n1, p());
    t.false(isOurProcess(pidBefore, spec.runDir) && !isZombie(pidBefore), 'n1 survived SIGKILL');
    t.false((await statuses([n1], 500)).has('n1'));
    await rt.heal(p());
    await pollUntil('n1 back', async () => (await statuses([n1], 500)).has('n1'), AbortSignal.timeout(15_000));

    await rt.pause(n2, p());
    t.regex(readFileSync(`/proc/${pidOf(spec.runId, 'n2')}/status`, 'utf8'), /^State:\s+T/m);
    t.false((await statuses([n2], 500)).has('n2'));
    await rt.heal(p());
    await pollUntil('n2 back', async () => (await statuses([n2], 500)).has('n2'), AbortSignal.timeout(15_000));

    // 100 % loss from the leader to its peers: the others elect someone else.
    const leader = await waitLeader(nodes);
    const lh = nodes.find((n) => n.name === leader)!;
    t.true((await rt.netem(lh, { lossPct: 100 }, p())).length === 2);
    const next = await waitLeader(nodes.filter((n) => n !== lh), 20_000, leader);
    t.not(next, leader);
    await rt.heal(p());
    await waitConverged(nodes);

    // delay: 200 ms on every link makes a committed write take at least one delayed round trip.
    for (const n of nodes) await rt.netem(n, { delayMs: 200 }, p());
    const c = clientFor(nodes, 10_000);
    await putUntilOk(c, 'warm', 1, 20_000);
    const started = Date.now();
    const o = await c.put('slow', 1);
    const tookMs = Date.now() - started;
    t.is(o.type, 'ok');
    t.true(tookMs >= 200, `a replicated write took ${tookMs} ms through 200 ms links`);
    const delayed = () => Object.values(rt.linkStats()).reduce((sum, s) => sum + s.chunksDelayed, 0);
    t.true(delayed() > 0);
    await rt.heal(p());
    const before = delayed();
    t.is((await c.put('fast', 1)).type, 'ok');
    t.is(delayed(), before, 'chunks were still delayed after heal');
    await c.close();
  } finally {
    await rt.down(p());
  }
  t.deepEqual(storeProcesses(spec.runDir), []);
  removeDir(spec.runDir);
});

const faketime = hostFaketimeLib();
(faketime ? test.serial : test.skip)('clock skew moves one node only (libfaketime)', async (t) => {
  const rt = new LocalRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p());
    await waitConverged(nodes);
    await rt.skewClock(nodes[0]!, 7_200_000, p());
    // The store logs a wall-clock timestamp per line; force a fresh line by moving the leader.
    const env = { LD_PRELOAD: faketime!, FAKETIME_TIMESTAMP_FILE: `${spec.runDir}/n1/clock-offset`, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
    const seen = Number((await execa(process.execPath, ['-e', 'console.log(Date.now())'], { env })).stdout);
    t.true(Math.abs(seen - Date.now() - 7_200_000) < 3000, `a process reading n1's offset file is off by ${seen - Date.now()} ms`);
    const other = Number((await execa(process.execPath, ['-e', 'console.log(Date.now())'], { env: { ...env, FAKETIME_TIMESTAMP_FILE: `${spec.runDir}/n2/clock-offset` } })).stdout);
    t.true(Math.abs(other - Date.now()) < 3000);
    await rt.skewClock(nodes[0]!, -60_000, p()); // backwards: the node keeps working
    await waitConverged(nodes);
    await rt.resetClocks(p());
    t.is(readFileSync(`${spec.runDir}/n1/clock-offset`, 'utf8'), '+0.000s');
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
});
if (!faketime) {
  test('without libfaketime the clock nemesis says it is unavailable', async (t) => {
    const rt = new LocalRuntime();
    t.truthy(rt.mechanisms().unavailable.clock);
    await t.throwsAsync(() => rt.skewClock({ name: 'n1', clientAddr: '', peerAddr: '', dataDir: '', logFile: '' }, 1000, p()), { instanceOf: UnsupportedFault });
  });
}

const fixture = fileURLToPath(new URL('./fixtures/harness.js', import.meta.url));

async function startHarness() {
  const child = execa(process.execPath, [fixture, 'local'], { reject: false, env: { FAULTLINE_HOME: process.env.FAULTLINE_HOME! }, all: true, forceKillAfterDelay: false });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PARTITIONED .*\n/.exec(out);
      if (m) resolve(m[0]);
    });
    void child.then((r) => reject(new Error(`harness exited early (${r.exitCode}): ${r.all}`)));
  });
  const [, runId, runDir] = line.trim().split(' ') as [string, string, string];
  return { child, runId, runDir };
}

test.serial('SIGINT (twice) in the middle of a partition heals and leaves no process or pid file', async (t) => {
  const h = await startHarness();
  t.is(storeProcesses(h.runDir).length, 3);
  const healing = new Promise<void>((resolve) => h.child.stdout!.on('data', (b: Buffer) => /HEALING/.test(b.toString()) && resolve()));
  h.child.kill('SIGINT');
  await healing;
  h.child.kill('SIGINT'); // the second Ctrl-C, while healing: it must not skip healing
  const r = await h.child;
  t.is(r.exitCode, 130, `signal ${r.signal}: ${r.all}`);
  t.regex(r.all ?? '', /still healing/);
  t.deepEqual(storeProcesses(h.runDir), []);
  t.false(readPidFiles().some((f) => f.runId === h.runId));
  removeDir(h.runDir);
});

test.serial('SIGTERM in the middle of a partition heals too (exit 143) and leaves no process', async (t) => {
  const h = await startHarness();
  h.child.kill('SIGTERM');
  const r = await h.child;
  t.is(r.exitCode, 143, `signal ${r.signal}: ${r.all}`);
  t.regex(r.all ?? '', /SIGTERM: healing every fault/);
  t.deepEqual(storeProcesses(h.runDir), []);
  removeDir(h.runDir);
});

test.serial('a SIGKILLed harness leaves nodes running that `cleanup` kills by pid file', async (t) => {
  const h = await startHarness();
  h.child.kill('SIGKILL');
  const r = await h.child;
  t.is(storeProcesses(h.runDir).length, 3, `the nodes should outlive a SIGKILLed harness: ${r.all}`);
  const report = await cleanup(p(), { runId: h.runId });
  t.is(report.processes.filter((x) => x.runId === h.runId).length, 3, JSON.stringify({ report, pidFiles: readPidFiles() }));
  await pollUntil('nodes gone', async () => storeProcesses(h.runDir).length === 0, AbortSignal.timeout(5000), 50);
  t.false(readPidFiles().some((f) => f.runId === h.runId));
  removeDir(h.runDir);
});

function pidOf(runId: string, name: string): number {
  return readPidFiles().find((f) => f.runId === runId)!.processes.find((x) => x.name === name)!.pid;
}
