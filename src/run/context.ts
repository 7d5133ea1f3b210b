// The RunContext: every live thing one run holds — spec, run id and folder, history database and
// sink, runtime and nodes, the workload, forked seeded streams, the abort signal, the reporters —
// opened in one place (open.ts) and closed in one place (finish.ts), whatever happened between.

import type { Op } from '../core/op.js';
import type { Rng } from '../core/rng.js';
import type { HistoryDb } from '../history/db.js';
import type { HistorySink } from '../history/sink.js';
import type { NodeHandle, Runtime } from '../runtime/types.js';
import type { Workload } from '../../workloads/types.js';
import type { Db } from '../db/types.js';
import type { Reporter } from './reporters.js';
import type { RunStatus } from './outcome.js';
import type { TestSpec } from './spec.js';

export interface RunStreams {
  /** Client threads' streams are forked from this one, in thread order (see the interpreter). */
  workload: Rng;
  /** Seed of the fault schedule (a pure function of it and the spec). */
  scheduleSeed: number;
  /** Nemesis draws at invoke time (a random node of a target resolved late). */
  nemesis: Rng;
}

export interface RunContext {
  readonly spec: TestSpec;
  readonly runId: number;
  readonly dir: string;
  readonly historyDb: HistoryDb;
  readonly sink: HistorySink;
  readonly runtime: Runtime;
  /** The database under test (the bundled store or a user's adapter), through the public contract. */
  readonly db: Db;
  /** The folder a relative `db.image.dockerfile` is read from (the adapter module's). */
  readonly dbDir: string;
  readonly workload: Workload;
  readonly streams: RunStreams;
  readonly reporter: Required<Reporter>;
  readonly log: (line: string) => void;
  readonly startedAt: Date;
  nodes: NodeHandle[];
  /** Every op, in index order (the whole history stays in memory: the check and reports use it). */
  readonly history: Op[];
  readonly nodeLogs: { node: string; text: string }[];
  status: RunStatus;
  /** What went wrong, in order; the first is the cause. */
  readonly errors: string[];
  /** A user error found only after the cluster was up (the command exits 254 after closing the run). */
  userError?: Error;
  /** Records one op: memory, reporters, database sink; returns a promise when the sink pushes back. */
  record(op: Op): void | Promise<void>;
}
