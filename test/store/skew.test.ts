// The lease-read bug against real processes and a real clock skew: libfaketime moves the
// leader's Date.now back a minute (not its monotonic clock) while links cut it off; it keeps
// serving a value the new majority has overwritten. Without the bug it never does.
// Skipped where libfaketime is not installed.

import test from 'ava';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StoreClient } from '../../src/store/client.js';
import type { Outcome } from '../../src/store/client.js';
import { LocalCluster, pollUntil } from '../../src/store/local-cluster.js';
import { tempDir } from './helpers/tmp.js';

const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1', '/usr/local/lib/faketime/libfaketime.so.1'].find(existsSync);
// A bound, not a sleep: under CI load (ava runs files in parallel beside Docker tests) an election after
// isolating the leader has taken over 20 s; every wait returns as soon as its condition holds.
const WAIT_MS = 60_000;
const maybe = LIBFAKETIME ? test : test.skip;

async function scenario(t: import('ava').ExecutionContext, bugs: string[]): Promise<Outcome<unknown>> {
  const clocks = tempDir(t);
  const offsetFile = (id: string) => join(clocks, `${id}.faketime`);
  for (const id of ['n1', 'n2', 'n3']) writeFileSync(offsetFile(id), '+0s\n');
  const cluster = await LocalCluster.start(3, {
    links: true,
    args: bugs.length > 0 ? ['--bug', bugs.join(',')] : [],
    // libfaketime re-reads the offset file on every call; monotonic time stays untouched.
    env: (id) => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: offsetFile(id), FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' }),
  });
  t.teardown(() => cluster.stop());
  const client = new StoreClient({ nodes: cluster.clientAddrs, timeoutMs: 3000 });
  t.teardown(() => client.close());

  const old = await cluster.awaitLeader(client, WAIT_MS);
  await pollUntil(async () => (await client.put('x', 'old')).type === 'ok', WAIT_MS, 'the first write');
  cluster.isolate(old.id);
  writeFileSync(offsetFile(old.id), '-60s\n');
  const rest = cluster.nodes.map((n) => n.id).filter((id) => id !== old.id);
  const majority = new StoreClient({ nodes: Object.fromEntries(rest.map((id) => [id, cluster.clientAddrs[id]!])), timeoutMs: 3000 });
  t.teardown(() => majority.close());
  await pollUntil(async () => (await majority.put('x', 'new')).type === 'ok', WAIT_MS, 'the majority to take a write');
  const direct = new StoreClient({ nodes: { [old.id]: cluster.clientAddrs[old.id]! }, timeoutMs: 2000 });
  t.teardown(() => direct.close());
  return direct.get('x');
}

maybe('lease-read: under a skewed wall clock a cut-off leader serves an overwritten value', async (t) => {
  t.like(await scenario(t, ['lease-read']), { type: 'ok', value: 'old' });
});

maybe('without lease-read the cut-off leader never serves the overwritten value', async (t) => {
  const r = await scenario(t, []);
  t.not(r.type, 'ok', `got ${JSON.stringify(r)}`);
});
