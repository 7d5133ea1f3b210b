// `cleanup` removes only what is provably abandoned (issue 11, item 4). On a Docker daemon shared
// by several hosts, a plain cleanup deleted runs whose harness lived on another host. Here each
// case is a labelled docker network of this test's own (networks need no image), and cleanup is
// confined to this test's run-id prefix, so nothing of anyone else's is touched.

import test from 'ava';
import { execa } from 'execa';
import { hostname } from 'node:os';
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
