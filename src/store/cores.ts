// Picks the replication core for --protocol. Only this file knows the concrete protocols, so
// the server, the replica and storage stay protocol-neutral (Multi-Paxos and Zab plug in here).

import type { Bug } from './bugs.js';
import type { DurableState } from './durable.js';
import type { PeerMessage, ReplicationCore } from './protocol.js';
import { PaxosCore } from './paxos/core.js';
import { isPaxosMessage } from './paxos/messages.js';
import { DEFAULT_TIMING } from './raft/config.js';
import { RaftCore } from './raft/core.js';
import { isRaftMessage } from './raft/messages.js';
import { ZAB_DEFAULT_TIMING } from './zab/config.js';
import { ZabCore } from './zab/core.js';
import { isZabMessage } from './zab/messages.js';

export interface CoreOptions {
  id: string;
  members: string[];
  bugs: ReadonlySet<Bug>;
  tickMs: number;
  snapshotEntries: number;
}

export interface HostedCore {
  core: ReplicationCore;
  /** Shape check for messages off the wire, before they reach the core. */
  isMessage: (m: unknown) => m is PeerMessage;
}

export function createCore(protocol: 'raft' | 'paxos' | 'zab', o: CoreOptions, state: DurableState): HostedCore {
  switch (protocol) {
    case 'raft': {
      const core = new RaftCore(
        {
          ...DEFAULT_TIMING, id: o.id, members: o.members, snapshotEntries: o.snapshotEntries, random: Math.random,
          // The lease is timed by Date.now (what libfaketime skews); elections by monotonic ticks.
          leaseRead: o.bugs.has('lease-read'), leaseMs: DEFAULT_TIMING.electionTicks * o.tickMs, wallClockMs: () => Date.now(),
        },
        state,
      );
      return { core, isMessage: isRaftMessage };
    }
    case 'paxos': {
      const core = new PaxosCore(
        {
          ...DEFAULT_TIMING, id: o.id, members: o.members, snapshotEntries: o.snapshotEntries, random: Math.random,
          leaseRead: o.bugs.has('lease-read'), leaseMs: DEFAULT_TIMING.electionTicks * o.tickMs, wallClockMs: () => Date.now(),
          skipPrepare: o.bugs.has('skip-prepare'),
        },
        state,
      );
      return { core, isMessage: isPaxosMessage };
    }
    case 'zab': {
      const core = new ZabCore(
        {
          ...ZAB_DEFAULT_TIMING, id: o.id, members: o.members, snapshotEntries: o.snapshotEntries, random: Math.random,
          skipSync: o.bugs.has('skip-sync'), localRead: o.bugs.has('local-read'), mutations: new Set(),
        },
        state,
      );
      return { core, isMessage: isZabMessage };
    }
  }
}
