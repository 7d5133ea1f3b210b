// The local runtime with a database that is not the store, through the public contract only: a
// node is a small Node echo server (the one program every host running Faultline has) started
// from Db.command, each on a loopback address of its own and all on the Db's one clientPort;
// kill, restart and pause act on it; logFiles are collected; and because this Db declares no
// peerPort, partition, loss and delay are unavailable, saying why, while kill and pause are not.

import test from 'ava';
import net from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unavailableFaults } from '../../nemeses/index.js';
import type { Db } from '../../src/db/types.js';
import { newRunId, tcpOpen } from '../../src/runtime/common.js';
import { LocalRuntime } from '../../src/runtime/local.js';
import { UnsupportedFault } from '../../src/runtime/types.js';
import { p, removeDir, useTempHome } from './helpers.js';

useTempHome();

const SERVER = `
const fs = require('node:fs'), net = require('node:net');
const [ip, port, dataDir, name] = process.argv.slice(1);
net.createServer((s) => s.pipe(s)).listen(Number(port), ip, () => {
  fs.appendFileSync(dataDir + '/echo.log', name + ' listening on ' + ip + ':' + port + '\\n');
  console.log('up');
});`;

const echoDb: Db = {
  name: 'echo',
  image: { debianPackages: ['nodejs'] },
  clientPort: 7000,
  logFiles: ['echo.log'],
  command: (node) => ({ argv: [process.execPath, '-e', SERVER, node.ip, '7000', node.dataDir, node.name], env: { ECHO_NODE: node.name } }),
  client: () => ({ open: async () => {}, invoke: async () => ({ type: 'ok' }), close: async () => {} }),
};

function echo(addr: string): Promise<string> {
  const [host, port] = addr.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), host, () => s.end('ping'));
    let got = '';
    s.on('data', (b) => (got += b.toString()));
    s.on('end', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(2000, () => (s.destroy(), reject(new Error('timeout'))));
  });
}

test('an adapter on the local runtime: own loopback IP per node on one port, kill/restart/pause, log files; no peerPort = no network faults, by name', async (t) => {
  const rt = new LocalRuntime();
  await rt.preflight(echoDb, process.cwd(), p());
  const why = unavailableFaults(['partition', 'loss', 'delay', 'kill', 'pause'], rt);
  t.deepEqual(why.map((w) => w.fault), ['partition', 'loss', 'delay']);
  t.regex(why[0]!.reason, /the echo adapter declares no peerPort/);
  const runId = newRunId();
  const runDir = mkdtempSync(join(tmpdir(), `faultline-${runId}-`));
  try {
    const nodes = await rt.up({ runId, db: echoDb, nodeCount: 3, runDir }, p());
    t.deepEqual(nodes.map((n) => n.name), ['n1', 'n2', 'n3']);
    t.true(nodes.every((n) => /^127\.\d+\.\d+\.1[1-3]:7000$/.test(n.clientAddr)), nodes.map((n) => n.clientAddr).join(' '));
    for (const n of nodes) t.is(await echo(n.clientAddr), 'ping');
    // Each node's command line as started is in its folder of the run.
    const recorded = JSON.parse(readFileSync(join(runDir, 'n2', 'command.json'), 'utf8')) as { argv: string[]; env: Record<string, string> };
    t.deepEqual(recorded.argv, echoDb.command({ name: 'n2', ip: nodes[1]!.clientAddr.split(':')[0]!, dataDir: join(runDir, 'n2', 'data'), runtime: 'local' }, { nodes: [] }).argv);
    t.is(recorded.env.ECHO_NODE, 'n2');
    await t.throwsAsync(() => rt.partition({ n1: ['n2'] }), { instanceOf: UnsupportedFault, message: /declares no peerPort/ });
    await rt.kill(nodes[0]!, p());
    const [host0, port0] = nodes[0]!.clientAddr.split(':') as [string, string];
    t.false(await tcpOpen(host0, Number(port0)), 'n1 still answers after kill');
    await rt.start(nodes[0]!, p());
    t.is(await echo(nodes[0]!.clientAddr), 'ping');
    await rt.pause(nodes[1]!, p());
    await t.throwsAsync(() => echo(nodes[1]!.clientAddr), { message: 'timeout' });
    await rt.heal(p());
    t.is(await echo(nodes[1]!.clientAddr), 'ping');
    const log = await rt.logs(nodes[0]!);
    t.regex(log, /^up$/m, 'stdout is collected');
    t.regex(log, /==> echo\.log <==\nn1 listening on 127\.\S+:7000\nn1 listening on/, 'the log file, across the restart');
  } finally {
    await rt.down(p());
    removeDir(runDir);
  }
});
