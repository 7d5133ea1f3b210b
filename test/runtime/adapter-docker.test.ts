// The docker runtime with a database that is not the store, through the public contract only:
// an image of Debian packages ({ debianPackages: ['socat'] }, built offline by mmdebstrap on
// Faultline's base recipe), a node that is socat echoing on the Db's clientPort, and the
// nemeses' tools inside it: a partition is iptables rules in the container, kill and restart keep
// the node, the clock is libfaketime via LD_PRELOAD, logFiles are collected. Also a { dockerfile }
// image FROM faultline-base, and a { tag } that is not there refused before anything starts.

import test from 'ava';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/errors.js';
import type { Db } from '../../src/db/types.js';
import { newRunId, tcpOpen } from '../../src/runtime/common.js';
import { dockerClient, DockerRuntime } from '../../src/runtime/docker.js';
import { dockerMode, p, removeDir, useTempHome } from './helpers.js';
import type { ClusterSpec } from '../../src/runtime/types.js';

const mode = await dockerMode();
useTempHome();
const dtest = mode.available ? test.serial : test.skip;
if (!mode.available) {
  if (mode.required) test('a Docker daemon answers (FAULTLINE_REQUIRE_DOCKER=1)', (t) => t.fail('no Docker daemon answers; run docker/ensure-docker.sh'));
  else console.log('adapter docker tests SKIPPED: no Docker daemon answers');
}

/** An echo server per node: socat on node.ip:7000, writing a log file in its data folder. */
function echoDb(image: Db['image']): Db {
  return {
    name: 'echo',
    image,
    clientPort: 7000,
    logFiles: ['echo.log'],
    command: (node) => ({
      argv: ['socat', '-d', '-d', '-lf', `${node.dataDir}/echo.log`, `TCP-LISTEN:7000,fork,reuseaddr,bind=${node.ip}`, 'EXEC:cat'],
      env: { ECHO_NODE: node.name },
    }),
    client: () => ({ open: async () => {}, invoke: async () => ({ type: 'ok' }), close: async () => {} }),
  };
}

const specOf = (db: Db, dbDir?: string): ClusterSpec => {
  const runId = newRunId();
  return { runId, db, nodeCount: 3, runDir: mkdtempSync(join(tmpdir(), `faultline-${runId}-`)), ...(dbDir ? { dbDir } : {}) };
};

dtest('a { debianPackages } database: built offline, reachable, partition by iptables, kill + restart, clock, log files', async (t) => {
  const rt = new DockerRuntime();
  const spec = specOf(echoDb({ debianPackages: ['socat'] }));
  try {
    const started = Date.now();
    const nodes = await rt.up(spec, p(900_000));
    t.log(`image ${rt.image!.tag} (built: ${rt.image!.built}) and 3 nodes up in ${Date.now() - started} ms`);
    t.regex(rt.image!.tag, /^faultline-deb:[0-9a-f]{16}$/);
    t.deepEqual(nodes.map((n) => n.name), ['n1', 'n2', 'n3']);
    const recorded = JSON.parse(readFileSync(join(spec.runDir, 'n3', 'command.json'), 'utf8')) as { argv: string[]; env: Record<string, string> };
    t.is(recorded.argv[0], 'socat');
    t.true(recorded.argv.includes(`TCP-LISTEN:7000,fork,reuseaddr,bind=${nodes[2]!.clientAddr.split(':')[0]}`), recorded.argv.join(' '));
    t.is(recorded.env.ECHO_NODE, 'n3');
    for (const n of nodes) {
      const [host, port] = n.clientAddr.split(':') as [string, string];
      t.is(port, '7000');
      t.true(await tcpOpen(host, 7000), `${n.name} does not answer at ${n.clientAddr}`);
    }
    const m = rt.mechanisms();
    t.not(m.partition, 'unavailable', JSON.stringify(m));
    t.truthy(m.clock, JSON.stringify(m));
    // The node is PID 1 and sees its env and libfaketime.
    const ps = await rt.run(nodes[0]!, ['sh', '-c', 'tr "\\0" "\\n" < /proc/1/environ'], p());
    t.regex(ps.out, /^ECHO_NODE=n1$/m);
    t.regex(ps.out, /^LD_PRELOAD=.*libfaketime/m);
    await rt.skewClock(nodes[0]!, 3_600_000, p());
    const date = await rt.run(nodes[0]!, ['sh', '-c', 'LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 FAKETIME_TIMESTAMP_FILE=/faultline/clock-offset FAKETIME_NO_CACHE=1 date +%s'], p());
    t.true(Math.abs(Number(date.out.trim()) - (Date.now() / 1000 + 3600)) < 60, `clock: ${date.out}`);
    // Partition n1 from n2: iptables rules in both containers.
    const rules = await rt.partition({ n2: ['n1'] }, p());
    t.is(rules.length, 1);
    t.regex(await rt.iptables(nodes[0]!, p()), /-A FL-OUT -d \S+ -j DROP/);
    const [ip2] = nodes[1]!.clientAddr.split(':') as [string];
    const cut = await rt.run(nodes[0]!, ['sh', '-c', `socat -T1 - TCP:${ip2}:7000,connect-timeout=1 </dev/null; echo code=$?`], p());
    t.regex(cut.out, /code=[1-9]/, 'n1 still reaches n2 across the partition');
    await rt.heal(p());
    const healed = await rt.run(nodes[0]!, ['sh', '-c', `echo hi | socat -T2 - TCP:${ip2}:7000,connect-timeout=2`], p());
    t.is(healed.out.trim(), 'hi');
    // Kill and start: same data folder, answers again.
    await rt.kill(nodes[2]!, p());
    t.false(await tcpOpen(nodes[2]!.clientAddr.split(':')[0]!, 7000));
    await rt.start(nodes[2]!, p(60_000));
    t.true(await tcpOpen(nodes[2]!.clientAddr.split(':')[0]!, 7000));
    t.regex(await rt.logs(nodes[0]!), /==> echo\.log <==\n.*listening on/s);
  } finally {
    await rt.down(p());
    removeDir(spec.runDir);
  }
});

dtest('a { dockerfile } database FROM faultline-base builds offline and runs; a missing { tag } is refused before anything starts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-dockerfile-'));
  writeFileSync(join(dir, 'Dockerfile'), 'FROM faultline-base\nRUN echo built > /built.txt\n');
  const rt = new DockerRuntime();
  // Built and cached here; running nodes of a built image is what the test above covers.
  const { ensureDbImage } = await import('../../src/runtime/image.js');
  const { imageEngine } = await import('../../src/runtime/docker.js');
  const db = echoDb({ dockerfile: '.' });
  const r = await ensureDbImage(imageEngine(), db, dir, p(900_000));
  t.regex(r.tag, /^faultline-db-echo:[0-9a-f]{16}$/);
  const again = await ensureDbImage(imageEngine(), db, dir, p());
  t.false(again.built, 'an unchanged folder was rebuilt');
  t.is(again.tag, r.tag);
  const missing = echoDb({ tag: `faultline-no-such-image:${newRunId()}` });
  const err = await t.throwsAsync(() => rt.preflight(missing, process.cwd(), p()), { instanceOf: UserError });
  t.regex(err!.message, /image faultline-no-such-image:\S+ is not on this Docker daemon \(Faultline never pulls/);
  await dockerClient().getImage(r.tag).remove({ force: true }).catch(() => {});
  removeDir(dir);
});

dtest('a node command the image does not have is refused in preflight (254), before any node starts, and leaves no container', async (t) => {
  const rt = new DockerRuntime();
  const good = echoDb({ debianPackages: ['socat'] });
  const db: Db = { ...good, command: (node, cluster) => ({ ...good.command(node, cluster), argv: ['no-such-server', '--port', '7000'] }) };
  const err = await t.throwsAsync(() => rt.preflight(db, process.cwd(), p(900_000)), { instanceOf: UserError });
  t.regex(err!.message, /^--db echo: the node command "no-such-server" is not in image faultline-deb:[0-9a-f]{16}/);
  t.notRegex(err!.message, /\n/);
  // The same image with socat, its real command, passes the same check.
  await t.notThrowsAsync(() => new DockerRuntime().preflight(good, process.cwd(), p(900_000)));
  const left = await dockerClient().listContainers({ all: true, filters: { label: [`faultline.run=preflight-${process.pid}`] } });
  t.deepEqual(left, [], 'the throwaway check container was not removed');
});
