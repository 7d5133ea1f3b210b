// The docker runtime against the real store: the image builds offline from nothing, a 3-node Raft
// cluster survives losing its leader to a partition, clocks skew per container only, kill / pause /
// loss take effect and heal, and an interrupted harness leaves nothing behind. Runs when a Docker
// daemon answers; with FAULTLINE_REQUIRE_DOCKER=1 and no daemon, fails instead of skipping.

import test from 'ava';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isolate } from '../../nemeses/grudge.js';
import { statuses } from '../../src/db/store.js';
import { cleanup } from '../../src/runtime/cleanup.js';
import { newRunId, readPidFiles } from '../../src/runtime/common.js';
import { DockerRuntime, ensureImage, imageEntrypoint, removeImages, RUN_LABEL, runObjects } from '../../src/runtime/docker.js';
import { pollUntil } from '../../src/runtime/types.js';
import { clientFor, dockerMode, newSpec, p, partitionLeaderScenario, putUntilOk, removeDir, runScheduleScenario, useTempHome, waitConverged, waitLeader } from './helpers.js';

// The only await before the tests are declared (ava wants them declared in one synchronous stretch).
const mode = await dockerMode();
useTempHome();
const dtest = mode.available ? test.serial : test.skip;
if (!mode.available) {
  if (mode.required) test('a Docker daemon answers (FAULTLINE_REQUIRE_DOCKER=1)', (t) => t.fail('no Docker daemon answers; run docker/ensure-docker.sh'));
  else console.log('docker runtime tests SKIPPED: no Docker daemon answers (run docker/ensure-docker.sh; set FAULTLINE_REQUIRE_DOCKER=1 to make this a failure)');
}
const leftovers = (runId: string) => runObjects(runId);

dtest('the node image builds offline from nothing (mmdebstrap base + host node + store)', async (t) => {
  // Repositories of its own, so this really starts from Debian's packages without pulling the
  // shared image away from tests running beside it.
  const id = newRunId();
  const repos = { base: `faultline-test-base-${id}`, node: `faultline-test-node-${id}` };
  try {
    const started = Date.now();
    const r = await ensureImage(p(900_000), undefined, repos);
    t.log(`image ${r.tag}: built=${r.built} base built=${r.baseBuilt} from nothing in ${Date.now() - started} ms`);
    t.true(r.built && r.baseBuilt, 'the image was not built from nothing');
    t.deepEqual(await imageEntrypoint(r.tag), ['/usr/local/bin/node', '/app/dist/src/store/main.js']);
    // Rebuilt only when the content changes (others may rebuild the store meanwhile: then the tag differs too).
    const again = await ensureImage(p(), undefined, repos);
    t.true(!again.built || again.tag !== r.tag, 'an unchanged store rebuilt the image');
    t.false(again.baseBuilt, 'the base was rebuilt although its package list did not change');
  } finally {
    const { kept } = await removeImages({ base: true, repos });
    t.deepEqual(kept, []);
  }
});

dtest('a 3-node cluster: partition the leader away, the majority moves on, heal converges', async (t) => {
  const rt = new DockerRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p(300_000));
    t.deepEqual(nodes.map((n) => n.name), ['n1', 'n2', 'n3']);
    t.regex(nodes[0]!.clientAddr, /^10\.213\.\d+\.11:7000$/);
    const info = await rt.inspect(nodes[0]!);
    t.false(info.privileged);
    t.deepEqual(info.capAdd, ['NET_ADMIN']);
    t.is(info.labels[RUN_LABEL], spec.runId);
    t.log(`mechanisms: ${JSON.stringify(rt.mechanisms())}`);
    await partitionLeaderScenario(t, rt, nodes);
    t.notRegex(await rt.iptables(nodes[0]!, p()), /DROP/, 'heal left iptables rules behind');
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
  t.deepEqual(await leftovers(spec.runId), { containers: 0, networks: 0 });
});

dtest('faults take effect and heal: clock (one container only), kill, pause, loss', async (t) => {
  const rt = new DockerRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p(300_000));
    const [n1, n2, n3] = nodes as [typeof nodes[0], typeof nodes[0], typeof nodes[0]];
    const nowIn = async (n: typeof n1) => Number((await rt.run(n, ['/usr/local/bin/node', '-e', 'console.log(Date.now())'], p())).out.trim());
    const monoBefore = performance.now(), wallBefore = Date.now();

    // clock: +1 h on n1 only
    await rt.skewClock(n1, 3_600_000, p());
    const skewed = (await nowIn(n1)) - Date.now();
    const other = (await nowIn(n2)) - Date.now();
    t.true(Math.abs(skewed - 3_600_000) < 3000, `n1 is off by ${skewed} ms, wanted ~3600000`);
    t.true(Math.abs(other) < 3000, `n2 is off by ${other} ms, wanted ~0`);
    const hostDrift = Date.now() - wallBefore - (performance.now() - monoBefore);
    t.true(Math.abs(hostDrift) < 1000, `the host clock moved by ${hostDrift} ms`);
    await rt.skewClock(n1, -90_000, p()); // backwards: Node must keep running (DONT_FAKE_MONOTONIC)
    t.true(Math.abs((await nowIn(n1)) - Date.now() + 90_000) < 3000);
    await waitConverged(nodes); // the store still elects and answers with a clock moved back
    await rt.resetClocks(p());
    t.true(Math.abs((await nowIn(n1)) - Date.now()) < 3000, 'reset did not bring n1 back');

    // kill: the container stops and the node stops answering; start brings it back
    await rt.kill(n3, p());
    t.false((await rt.inspect(n3)).running);
    t.false((await statuses([n3], 500)).has('n3'));
    await rt.heal(p());
    await pollUntil('n3 back', async () => (await statuses([n3], 500)).has('n3'), AbortSignal.timeout(20_000));

    // pause: the container is frozen and times out; heal thaws it
    await rt.pause(n2, p());
    t.true((await rt.inspect(n2)).paused);
    t.false((await statuses([n2], 500)).has('n2'));
    await rt.heal(p());
    await pollUntil('n2 back', async () => (await statuses([n2], 500)).has('n2'), AbortSignal.timeout(20_000));

    // loss: 100 % from the leader to its peers makes the others elect a new leader; heal removes the rules
    const leader = await waitLeader(nodes);
    const lh = nodes.find((n) => n.name === leader)!;
    const rules = await rt.netem(lh, { lossPct: 100 }, p());
    t.true(rules.length > 0);
    t.regex(await rt.iptables(lh, p()), /statistic --mode random --probability 1/);
    const next = await waitLeader(nodes.filter((n) => n !== lh), 20_000, leader);
    t.not(next, leader);
    const counters = (await rt.run(lh, ['iptables', '-L', 'FL-OUT', '-v', '-n', '-x'], p())).out;
    t.regex(counters, /^\s*[1-9]\d*\s+\d+\s+DROP/m, `no packet was dropped:\n${counters}`);
    await rt.heal(p());
    t.notRegex(await rt.iptables(lh, p()), /statistic/);
    await waitConverged(nodes);
    const c = clientFor(nodes);
    await putUntilOk(c, 'after-faults', true);
    await c.close();
    if (rt.mechanisms().delay === null) {
      await t.throwsAsync(() => rt.netem(n1, { delayMs: 100 }, p()), { message: /delay is unavailable.*netem/ });
    }
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
  t.deepEqual(await leftovers(spec.runId), { containers: 0, networks: 0 });
});

const fixture = fileURLToPath(new URL('./fixtures/harness.js', import.meta.url));

async function startHarness(kind: string) {
  const child = execa(process.execPath, [fixture, kind], { reject: false, env: { FAULTLINE_HOME: process.env.FAULTLINE_HOME! }, all: true, forceKillAfterDelay: false });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /PARTITIONED .*\n/.exec(out);
      if (m) resolve(m[0]);
    });
    void child.then((r) => reject(new Error(`harness exited early (${r.exitCode}): ${r.all}`)));
  });
  const [, runId, runDir, rules] = line.trim().split(' ') as [string, string, string, string];
  return { child, runId, runDir, rules: Number(rules) };
}

dtest('SIGINT (twice) in the middle of a partition heals and leaves no container, network or rule', async (t) => {
  const h = await startHarness('docker');
  t.true(h.rules > 0);
  t.true((await leftovers(h.runId)).containers === 3);
  const healing = new Promise<void>((resolve) => h.child.stdout!.on('data', (b: Buffer) => /HEALING/.test(b.toString()) && resolve()));
  h.child.kill('SIGINT');
  await healing;
  h.child.kill('SIGINT'); // the second Ctrl-C, while healing: it must not skip healing
  const r = await h.child;
  t.is(r.exitCode, 130, `signal ${r.signal}: ${r.all}`);
  t.regex(r.all ?? '', /still healing/);
  t.deepEqual(await leftovers(h.runId), { containers: 0, networks: 0 });
  removeDir(h.runDir);
});

dtest('a SIGKILLed harness leaves containers that `cleanup` removes by run label', async (t) => {
  const h = await startHarness('docker');
  h.child.kill('SIGKILL');
  await h.child;
  t.is((await leftovers(h.runId)).containers, 3);
  const report = await cleanup(p(), { runId: h.runId });
  t.is(report.docker.containers.length, 3);
  t.deepEqual(await leftovers(h.runId), { containers: 0, networks: 0 });
  t.false(readPidFiles().some((f) => f.runId === h.runId));
  t.true(existsSync(h.runDir)); // data stays: cleanup removes only what would keep running
  removeDir(h.runDir);
});

dtest('partition isolates exactly the grudge: a blocked pair stops hearing each other, others do not', async (t) => {
  const rt = new DockerRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p(300_000));
    await rt.partition(isolate(['n1', 'n2', 'n3'], 'n3'), p());
    const ping = async (from: typeof nodes[0], to: typeof nodes[0]) =>
      (await rt.run(from, ['/usr/local/bin/node', '-e', `const s=require('net').connect(${to.peerAddr.split(':')[1]},'${to.peerAddr.split(':')[0]}');s.setTimeout(700,()=>process.exit(3));s.on('connect',()=>process.exit(0));s.on('error',()=>process.exit(4))`], p())).code;
    t.is(await ping(nodes[0]!, nodes[1]!), 0, 'n1 -> n2 should pass');
    t.is(await ping(nodes[0]!, nodes[2]!), 3, 'n1 -> n3 should be dropped (time out)');
    t.is(await ping(nodes[2]!, nodes[1]!), 3, 'n3 -> n2 should be dropped (time out)');
    await rt.heal(p());
    t.is(await ping(nodes[2]!, nodes[1]!), 0, 'n3 -> n2 should pass after heal');
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
});

dtest('a seeded schedule of partition, kill, pause, clock and loss runs on docker and heals', async (t) => {
  const rt = new DockerRuntime();
  const spec = newSpec(3);
  try {
    const nodes = await rt.up(spec, p(300_000));
    await runScheduleScenario(t, rt, nodes, ['partition', 'kill', 'pause', 'clock', 'loss'], 7);
    for (const n of nodes) t.notRegex(await rt.iptables(n, p()), /DROP/, `${n.name} kept a rule after heal`);
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
  t.deepEqual(await leftovers(spec.runId), { containers: 0, networks: 0 });
});
