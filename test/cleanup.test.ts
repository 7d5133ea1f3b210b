// `cleanup` removes only what is provably abandoned (issue 11, item 4). On a Docker daemon shared
// by several hosts, a plain cleanup deleted runs whose harness lived on another host. Here each
// case is a labelled docker network of this test's own (networks need no image), and cleanup is
// confined to this test's run-id prefix, so nothing of anyone else's is touched.
// And what a SIGKILLed local harness leaves (item 5): a paused node is killed, not left frozen;
// cleanup names every node it found with its pid; pid files are never seen half-written.

import test from 'ava';
import { execa } from 'execa';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, tempDir, TEST_HOME } from './helpers/env.js';
import { isOurProcess, isZombie, readPidFiles, removePidFile } from '../src/runtime/common.js';
import { dockerAnswers, dockerClient } from '../src/runtime/docker.js';
import { cleanup, keepReason } from '../src/runtime/cleanup.js';
import { progress } from '../src/runtime/types.js';
import { needs } from './helpers/needs.js';

// The only await before the tests are declared (ava wants them declared in one synchronous stretch).
const dockerTest = needs('docker', await dockerAnswers());

async function deadPid(): Promise<number> {
  const child = execa(process.execPath, ['-e', '0']);
  await child;
  return child.pid!;
}

test('keepReason: only this host\'s dead harness is abandoned by default', async (t) => {
  const dead = await deadPid();
  t.is(keepReason({ 'faultline.harness': `${hostname()}:${dead}` }), undefined);
  t.regex(keepReason({ 'faultline.harness': `other-host:${dead}` }) ?? '', /host other-host/);
  t.regex(keepReason({}) ?? '', /no harness label/);
  t.regex(keepReason({ 'faultline.harness': 'garbage' }) ?? '', /unreadable/);
  t.regex(keepReason({ 'faultline.persistent': '1', 'faultline.harness': `${hostname()}:${dead}` }) ?? '', /cluster up/);
  // a live harness: this test's own parent process runs node
  t.regex(keepReason({ 'faultline.harness': `${hostname()}:${process.pid}` }, {}, -1) ?? '', /still running/);
  t.is(keepReason({ 'faultline.harness': `other-host:${dead}` }, { includePersistent: true }), undefined, '--all removes everything');
});


dockerTest('a plain cleanup keeps other hosts\' and unlabelled runs, removes this host\'s dead harness\'s; --run removes a named one', async (t) => {
  const docker = dockerClient();
  const prefix = `fltest-cleanup-${process.pid}-`;
  const dead = await deadPid();
  const cases = { mineDead: `${hostname()}:${dead}`, otherHost: `someone-elses-ci-runner:${dead}`, noHarness: '' };
  const ids: Record<string, string> = {};
  for (const [k, harness] of Object.entries(cases)) {
    ids[k] = `${prefix}${k}`;
    await docker.createNetwork({ Name: ids[k], Labels: { 'faultline.run': ids[k]!, ...(harness ? { 'faultline.harness': harness } : {}) } });
  }
  const exists = async (id: string) => (await docker.listNetworks({ filters: { label: [`faultline.run=${id}`] } })).length > 0;
  try {
    const report = await cleanup(progress(60_000, () => {}), { runPrefix: prefix });
    t.deepEqual(report.docker.networks, [ids.mineDead]);
    t.false(await exists(ids.mineDead!));
    t.true(await exists(ids.otherHost!), "another host's run is never removed by a plain cleanup");
    t.true(await exists(ids.noHarness!));
    t.deepEqual(report.docker.kept.map((k) => k.runId).sort(), [ids.noHarness, ids.otherHost].sort());

    const named = await cleanup(progress(60_000, () => {}), { runId: ids.otherHost! });
    t.deepEqual(named.docker.networks, [ids.otherHost]);
    t.false(await exists(ids.otherHost!));
  } finally {
    for (const id of Object.values(ids)) await docker.getNetwork(id).remove().catch(() => {});
  }
});

// ---- local leftovers of a SIGKILLed harness (issue 11, item 5) ------------------------------

const dist = (path: string) => fileURLToPath(new URL(`../src/${path}`, import.meta.url));

/** A harness (child process) that brings 3 local nodes up, pauses n2 (SIGSTOP), says PAUSED and waits to be killed. */
const PAUSING_HARNESS = `
const { LocalRuntime } = await import(process.env.LOCAL_JS);
const { progress } = await import(process.env.TYPES_JS);
const { storeDb } = await import(process.env.STORE_JS);
const rt = new LocalRuntime();
const nodes = await rt.up({ runId: process.env.RUN_ID, db: storeDb('raft'), nodeCount: 3, runDir: process.env.RUN_DIR }, progress(120000));
await rt.pause(nodes[1], progress(10000));
process.stdout.write('PAUSED\\n');
setInterval(() => {}, 1000);
`;

function procState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

test.serial('cleanup kills the paused node of a SIGKILLed harness and reports every node it found by name and pid', async (t) => {
  const runId = `fltest-paused-${process.pid}`;
  const runDir = tempDir('faultline-paused-');
  const env = { FAULTLINE_HOME: TEST_HOME, RUN_ID: runId, RUN_DIR: runDir, LOCAL_JS: dist('runtime/local.js'), TYPES_JS: dist('runtime/types.js'), STORE_JS: dist('db/store.js') };
  const harness = execa(process.execPath, ['--input-type=module', '-e', PAUSING_HARNESS], { env, reject: false, all: true });
  try {
    await new Promise<void>((resolve, reject) => {
      harness.stdout!.on('data', (b: Buffer) => /PAUSED/.test(b.toString()) && resolve());
      void harness.then((r) => reject(new Error(`the harness exited (${r.exitCode}): ${r.all}`)));
    });
    harness.kill('SIGKILL');
    await harness;
    const file = readPidFiles().find((f) => f.runId === runId);
    t.truthy(file, 'no pid file for the run');
    const pids = Object.fromEntries(file!.processes.map((x) => [x.name, x.pid]));
    t.deepEqual(Object.keys(pids).sort(), ['n1', 'n2', 'n3']);
    t.is(procState(pids.n2!), 'T', 'n2 should still be paused after its harness died');

    const r = await cli(['cleanup', '--run', runId]);
    const out = String(r.stdout);
    t.is(r.exitCode, 0, String(r.stderr));
    // One line per node: run, name, pid, and what was done (the paused one says so).
    t.regex(out, new RegExp(`local: run ${runId}: n1 pid ${pids.n1} killed`));
    t.regex(out, new RegExp(`local: run ${runId}: n2 pid ${pids.n2} was paused; killed`));
    t.regex(out, new RegExp(`local: run ${runId}: n3 pid ${pids.n3} killed`));
    t.regex(out, /local: killed 3 process\(es\)/);
    // Gone, not frozen: no live process (a zombie awaiting its reaper is dead).
    for (const [name, pid] of Object.entries(pids)) t.false(isOurProcess(pid, runDir) && !isZombie(pid), `${name} (pid ${pid}) is still there in state ${procState(pid)}`);
    t.false(readPidFiles().some((f) => f.runId === runId));

    // A second cleanup finds nothing of the run left.
    const again = await cli(['cleanup', '--run', runId, '--json']);
    t.is(again.exitCode, 0, String(again.stderr));
    t.deepEqual((JSON.parse(String(again.stdout)) as { local: unknown[] }).local, []);
  } finally {
    harness.kill('SIGKILL');
    await cleanup(progress(30_000, () => {}), { runId }).catch(() => {});
    rmSync(runDir, { recursive: true, force: true });
  }
});

test.serial('pid files are written atomically: a reader never sees half a file', async (t) => {
  // A writer process rewrites one pid file 3000 times with growing content while this process
  // reads it; a plain writeFileSync (truncate, then write) shows readers empty or cut files.
  const runId = `fltest-atomic-${process.pid}`;
  const script = `
const { writePidFile } = await import(process.env.COMMON_JS);
for (let i = 0; i < 3000; i++) {
  writePidFile({ runId: process.env.RUN_ID, harnessPid: process.pid, processes: Array.from({ length: 1 + (i % 50) }, (_, k) => ({ name: 'n' + k, pid: 100000 + k, marker: '/tmp/x'.repeat(20) })) });
}`;
  const writer = execa(process.execPath, ['--input-type=module', '-e', script], { env: { FAULTLINE_HOME: TEST_HOME, RUN_ID: runId, COMMON_JS: dist('runtime/common.js') }, reject: false, all: true });
  const path = join(TEST_HOME, 'pids', `${runId}.json`);
  let reads = 0;
  const bad: string[] = [];
  let done = false;
  void writer.then(() => (done = true));
  try {
    while (!done) {
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        await new Promise((r) => setImmediate(r)); // not created yet
        continue;
      }
      reads++;
      try {
        JSON.parse(text);
      } catch {
        bad.push(text.slice(0, 40));
      }
      await new Promise((r) => setImmediate(r));
    }
    const w = await writer;
    t.is(w.exitCode, 0, w.all);
    t.true(reads > 50, `only ${reads} reads overlapped the writes`);
    t.deepEqual(bad, [], `${bad.length} of ${reads} reads saw a half-written pid file`);
    t.deepEqual(readdirSync(join(TEST_HOME, 'pids')).filter((f) => f.startsWith(runId) && f.endsWith('.tmp')), [], 'a temp file was left behind');
  } finally {
    removePidFile(runId);
  }
});
