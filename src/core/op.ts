// The operation record every stage shares: workers write it, Postgres stores it, checkers read it.
// Semantics follow Jepsen: `invoke` starts an op; `ok` = it happened, `fail` = it did not happen,
// `info` = the outcome is unknown (it may take effect at any later time, or never). A process whose
// op ends `info` is retired; its worker continues under a new process id.

export const OP_TYPES = ['invoke', 'ok', 'fail', 'info'] as const;
export type OpType = (typeof OP_TYPES)[number];

/** The process of the nemesis worker; client processes are non-negative integers. */
export const NEMESIS = 'nemesis' as const;
export type Process = number | typeof NEMESIS;

/**
 * One event of a history.
 *
 * `timeNs` is nanoseconds since the run started (monotonic). It is a `number`, not a `bigint`:
 * a double holds every nanosecond exactly for 104 days, and numbers pass through JSON, structured
 * clone (worker_threads) and Postgres `int8` without conversion code at every boundary.
 */
export interface Op<F extends string = string, V = unknown> {
  index: number;
  type: OpType;
  process: Process;
  f: F;
  value: V;
  timeNs: number;
  node?: string;
  error?: string;
  /** Fields an imported history carried beyond these (e.g. Jepsen's `:debug`), kept for a lossless export. */
  ext?: Record<string, unknown>;
}

/** A history is a list of ops in index order. */
export type History<F extends string = string, V = unknown> = Op<F, V>[];

export function isOpType(x: unknown): x is OpType {
  return typeof x === 'string' && (OP_TYPES as readonly string[]).includes(x);
}

/** An invoke paired with its completion (absent when the history ends before it completes). */
export interface OpPair<F extends string = string, V = unknown> {
  invoke: Op<F, V>;
  completion?: Op<F, V>;
}

/**
 * Pairs every invoke with the completion of the same process. Assumes a valid history
 * (see `validateHistory`); O(n).
 */
export function pairOps<F extends string, V>(history: readonly Op<F, V>[]): OpPair<F, V>[] {
  const open = new Map<Process, OpPair<F, V>>();
  const pairs: OpPair<F, V>[] = [];
  for (const op of history) {
    if (op.type === 'invoke') {
      const pair: OpPair<F, V> = { invoke: op };
      open.set(op.process, pair);
      pairs.push(pair);
    } else {
      const pair = open.get(op.process);
      if (pair) {
        pair.completion = op;
        open.delete(op.process);
      }
    }
  }
  return pairs;
}
