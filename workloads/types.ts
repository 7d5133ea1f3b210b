// What a workload is (as Jepsen's: a partial test): the ops its clients must handle, the ops to
// run during the test, the final ops after every fault healed, and the checkers of its history.

import type { CheckOptions, CheckResult } from '../src/core/validity.js';
import type { Generator } from '../src/generator/index.js';
import type { Op } from '../src/core/op.js';

export interface Checker {
  check(history: readonly Op[], opts: CheckOptions): Promise<CheckResult>;
}

export interface Workload {
  readonly name: string;
  /**
   * The `f` values (and value shapes) a database's client must handle for this workload: the
   * contract an adapter's `Client.invoke` implements (see the guide). The harness gives each client
   * thread t its own Client, opened on node t mod n, as Jepsen binds clients to nodes.
   */
  readonly ops: Readonly<Record<string, string>>;
  /** Client ops while faults run (infinite; the run bounds it with its time limit and rate). */
  generator: Generator;
  /** Ops after every fault healed: final reads of every key. */
  final: Generator;
  /** Checker name → checker. */
  checkers: Record<string, Checker>;
}
