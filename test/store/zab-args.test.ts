// --protocol zab on the store's command line, and which --bug switches apply to it: a switch
// that cannot apply is refused before anything starts (one line naming it, exit 254, no stack).

import test from 'ava';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseStoreArgs } from '../../src/store/args.js';
import { buildSpec } from '../../src/run/spec.js';

const MAIN = resolve(fileURLToPath(import.meta.url), '../../../src/store/main.js');
const base = (protocol: string) => ['--id', 'n1', '--peers', 'n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003', '--protocol', protocol, '--data', '/tmp/x', '--client-port', '8001'];

test('--protocol zab parses with its own bugs and the shared ones', (t) => {
  const a = parseStoreArgs([...base('zab'), '--bug', 'skip-sync,local-read,stale-read,early-ack,no-fsync']);
  t.is(a.protocol, 'zab');
  t.deepEqual(a.bugs, ['skip-sync', 'local-read', 'stale-read', 'early-ack', 'no-fsync']);
});

const bad: Array<[string, string[], RegExp]> = [
  ['lease-read with zab', [...base('zab'), '--bug', 'lease-read'], /lease-read does not apply to --protocol zab/],
  ['skip-sync with raft', [...base('raft'), '--bug', 'skip-sync'], /skip-sync exists only in --protocol zab \(not raft\)/],
  ['local-read with raft', [...base('raft'), '--bug', 'local-read'], /local-read exists only in --protocol zab/],
];

for (const [what, argv, mentions] of bad) {
  test(`${what}: one line, exit 254, no stack`, (t) => {
    t.throws(() => parseStoreArgs(argv), { message: mentions });
    const r = spawnSync(process.execPath, [MAIN, ...argv], { encoding: 'utf8', timeout: 10_000 });
    t.is(r.status, 254);
    t.regex(r.stderr, mentions);
    t.is(r.stderr.trim().split('\n').length, 1);
  });
}

test('faultline test accepts --db zab', (t) => {
  const flags = {
    db: 'zab', bug: ['skip-sync'], nodes: 3, runtime: 'local', workload: 'register', nemesis: 'kill', nemesisInterval: '2s', timeLimit: '5s',
    rate: 10, concurrency: '2', opTimeout: '1s', recovery: '1s', checkBudget: '10s', leaveRunning: false,
  };
  const s = buildSpec(flags);
  t.is(s.db, 'zab');
  t.deepEqual(s.bugs, ['skip-sync']);
});
