// A Paxos acceptor that installs a leader's snapshot keeps the values it accepted after it,
// also across a crash between saving snapshot.bin and rewriting wal.bin: recovery keeps the log
// only where it agrees with the snapshot at its boundary, so the installed snapshot must carry
// the ballot this acceptor holds there (the leader accepted that slot in another ballot).

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDurable } from '../../src/store/durable.js';
import { encodeRecord } from '../../src/store/log.js';
import { PaxosCore } from '../../src/store/paxos/core.js';
import type { PaxosMessage } from '../../src/store/paxos/messages.js';
import type { Entry, Snapshot } from '../../src/store/protocol.js';
import { DiskStorage } from '../../src/store/storage.js';
import { tempDir } from './helpers/tmp.js';

const cfg = {
  id: 'n1', members: ['n1', 'n2', 'n3'], electionTicks: 10, heartbeatTicks: 2, random: () => 0.5, snapshotEntries: 1000,
  maxEntriesPerMessage: 32, maxInflight: 8, leaseRead: false, leaseMs: 100, wallClockMs: () => 0, skipPrepare: false,
};

test('paxos: a crash mid-snapshot-install does not make the acceptor forget later accepted slots', async (t) => {
  const dir = tempDir(t);
  const opened = await DiskStorage.open(dir, 'always');
  const core = new PaxosCore(cfg, emptyDurable());
  // Accepted in ballot 4 (owned by n2): slots 1..5, nothing known chosen yet.
  const accepted: Entry[] = [1, 2, 3, 4, 5].map((i) => ({ index: i, term: 4, cmd: { op: 'put', key: `k${i}`, value: i }, origin: 4 }));
  core.step({ type: 'accept', from: 'n2', to: 'n1', term: 4, prevIndex: 0, entries: accepted, commit: 0 } as PaxosMessage);
  await opened.storage.persist(core.takeReady().persist);
  // A later leader (ballot 7, n2 again) sends its snapshot up to slot 3, where it holds ballot 7.
  const sent: Snapshot = { index: 3, term: 7, data: [['k1', 1], ['k2', 2], ['k3', 3]] };
  core.step({ type: 'snapshot', from: 'n2', to: 'n1', term: 7, snapshot: sent } as PaxosMessage);
  const op = core.takeReady().persist.find((p) => p.t === 'snapshot');
  if (op?.t !== 'snapshot') return t.fail('no snapshot persisted');
  t.deepEqual(op.log.map((e) => e.index), [4, 5], 'accepted slots after the snapshot are kept');
  // Crash after snapshot.bin is saved, before wal.bin is rewritten.
  writeFileSync(join(dir, 'snapshot.bin'), encodeRecord(op.snapshot));
  await opened.storage.close();
  const { state, storage } = await DiskStorage.open(dir, 'always');
  t.teardown(() => storage.close());
  t.is(state.snapshot?.index, 3);
  t.deepEqual(state.entries.map((e) => [e.index, e.term]), [[4, 4], [5, 4]]);
});
