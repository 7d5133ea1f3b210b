// What a workload is (as Jepsen's: a partial test): how to build a client per thread, the ops to
// run during the test, the final ops after every fault healed, and the checkers of its history.

import type { CheckOptions, CheckResult } from '../src/core/validity.js';
import type { Generator } from '../src/generator/index.js';
import type { Op } from '../src/core/op.js';
import type { Worker } from '../src/interpreter/index.js';

export interface Checker {
  check(history: readonly Op[], opts: CheckOptions): Promise<CheckResult>;
}

export interface WorkloadContext {
  /** Node name → host:port of its client port. */
  nodes: Record<string, string>;
  /** Per-op client timeout (the interpreter's own timeout is a little longer). */
  opTimeoutMs: number;
}

export interface Workload {
  readonly name: string;
  /** The worker of one client thread; thread t prefers node t mod n, as Jepsen binds clients to nodes. */
  client(thread: number, ctx: WorkloadContext): Worker & { close(): Promise<void> };
  /** Client ops while faults run (infinite; the run bounds it with its time limit and rate). */
  generator: Generator;
  /** Ops after every fault healed: final reads of every key. */
  final: Generator;
  /** Checker name → checker. */
  checkers: Record<string, Checker>;
}
