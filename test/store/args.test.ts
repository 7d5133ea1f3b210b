// The server's command line: good flags parse; every bad one is refused with a single line
// naming the bad value, exit code 254 and no stack trace.

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStoreArgs } from '../../src/store/args.js';

const MAIN = resolve(fileURLToPath(import.meta.url), '../../../src/store/main.js');
const base = ['--id', 'n1', '--peers', 'n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003', '--protocol', 'raft', '--data', '/tmp/x', '--client-port', '8001'];

test('good flags parse', (t) => {
  const a = parseStoreArgs([...base, '--bug', 'stale-read,lease-read', '--client-host=0.0.0.0']);
  t.is(a.id, 'n1');
  t.deepEqual(a.peers.n2, { host: '127.0.0.1', port: 7002 });
  t.deepEqual(a.bugs, ['stale-read', 'lease-read']);
  t.is(a.clientHost, '0.0.0.0');
  t.is(a.fsync, 'always');
});

const bad: Array<[string, string[], RegExp]> = [
  ['unknown bug', [...base, '--bug', 'stale-read,typo'], /"typo"/],
  ['bad port', base.map((x) => (x === '8001' ? '80x1' : x)), /"80x1"/],
  ['bad peers entry', base.map((x) => (x.startsWith('n1=') ? 'n1=127.0.0.1:7001,n2' : x)), /"n2"/],
  ['id not in peers', base.map((x) => (x === 'n1' ? 'n9' : x)), /"n9"/],
  ['unknown protocol', base.map((x) => (x === 'raft' ? 'pbft' : x)), /"pbft"/],
  ['unknown flag', [...base, '--colour', 'red'], /--colour/],
  ['missing flag', base.slice(0, 8), /missing --client-port/],
  ['bad fsync', [...base, '--fsync', 'sometimes'], /"sometimes"/],
  ['a Paxos-only bug on raft', [...base, '--bug', 'skip-prepare'], /skip-prepare exists only in --protocol paxos/],
];

test('paxos parses, with its own bug', (t) => {
  const a = parseStoreArgs([...base.map((x) => (x === 'raft' ? 'paxos' : x)), '--bug', 'skip-prepare']);
  t.is(a.protocol, 'paxos');
  t.deepEqual(a.bugs, ['skip-prepare']);
});

for (const [what, argv, mentions] of bad) {
  test(`${what}: one line, exit 254, no stack`, (t) => {
    t.throws(() => parseStoreArgs(argv), { message: mentions });
    const r = spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8', timeout: 10_000 });
    t.is(r.status, 254);
    t.regex(r.stderr, mentions);
    t.is(r.stderr.trim().split('\n').length, 1);
    t.notRegex(r.stderr, /\n\s+at /);
  });
}
