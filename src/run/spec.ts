// TestSpec: everything that defines a test run, validated and serializable (stored as the run
// row's spec before anything starts). Live handles (runtime, clients, sink) live in the run, not
// here.

import { UserError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import { checkTestBounds } from '../core/bounds.js';
import { FAULTS, familyOf, type Fault } from '../../nemeses/registry.js';
import { slotsIn } from '../../nemeses/schedule.js';
import { RUNTIME_CHOICES, type RuntimeChoice } from '../runtime/index.js';
import { BUGS, DATABASES, bugProtocolError, type Bug } from '../db/store.js';
import { adapterShortName, isModulePath, parseDbOpts } from '../db/load.js';
import { resolve } from 'node:path';
import { WORKLOAD_NAMES, type WorkloadName } from '../../workloads/index.js';

/** Protocols of the bundled store (--db also takes the path of an adapter module). */
export const DBS = DATABASES;

export interface TestSpec {
  name: string;
  /** A bundled protocol (raft, paxos, zab) or the absolute path of an adapter module. */
  db: string;
  /** `--db-opt key=value` pairs given to an adapter module's factory. */
  dbOpts?: Record<string, string>;
  bugs: Bug[];
  nodes: number;
  runtime: RuntimeChoice;
  workload: WorkloadName;
  nemesis: Fault[];
  nemesisIntervalMs: number;
  timeLimitMs: number;
  rateHz: number;
  concurrency: number;
  seed: number;
  opTimeoutMs: number;
  /** How long the cluster gets to recover after healing, before final reads. */
  recoveryMs: number;
  /** Budget of each checker. */
  checkBudgetMs: number;
  leaveRunning: boolean;
}

function oneOf<T extends string>(what: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UserError(`unknown ${what} "${value}" (allowed: ${allowed.join(', ')})`);
}

function list<T extends string>(what: string, text: string, allowed: readonly T[]): T[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  return [...new Set(items.map((i) => oneOf(what, i, allowed)))];
}

export { parseDuration } from '../core/duration.js';

/** "5", "3n" (3 per node) → a thread count. */
export function parseConcurrency(text: string, nodes: number): number {
  const m = /^(\d+)(n?)$/.exec(text.trim());
  if (!m || Number(m[1]) === 0) throw new UserError(`--concurrency "${text}" must be a positive number of clients, or N per node like 2n`);
  return Number(m[1]) * (m[2] ? nodes : 1);
}

export interface RawTestFlags {
  name?: string;
  db: string;
  dbOpt?: string[];
  bug: string[];
  nodes: number;
  runtime: string;
  workload: string;
  nemesis: string;
  /** Absent: 5 s, or shorter so that every requested fault fits in the time limit. */
  nemesisInterval?: string;
  timeLimit: string;
  rate: number;
  concurrency: string;
  seed?: string;
  opTimeout: string;
  recovery: string;
  checkBudget: string;
  leaveRunning: boolean;
}

/** Validates flags into a TestSpec, naming the first bad value. */
export function buildSpec(f: RawTestFlags): TestSpec {
  const adapter = isModulePath(f.db);
  if (!adapter && !(DBS as readonly string[]).includes(f.db)) {
    throw new UserError(`unknown --db "${f.db}" (allowed: ${DBS.join(', ')}, or the path of an adapter module like ./adapter.mjs)`);
  }
  const db = adapter ? resolve(f.db) : f.db;
  const dbOpts = parseDbOpts(f.dbOpt ?? []);
  if (!adapter && Object.keys(dbOpts).length > 0) {
    throw new UserError(`--db-opt is for adapter modules; the bundled ${db} store takes none (got --db-opt ${Object.keys(dbOpts).join(', ')})`);
  }
  const bugs = f.bug.flatMap((b) => list('--bug', b, BUGS));
  if (adapter && bugs.length > 0) throw new UserError(`--bug switches bugs of the bundled store; --db ${f.db} is an adapter (got --bug ${bugs.join(',')})`);
  for (const b of bugs) {
    const why = bugProtocolError(db, b);
    if (why) throw new UserError(why.replace(/--protocol/g, '--db'));
  }
  if (!Number.isInteger(f.nodes) || f.nodes < 1 || f.nodes > 9) throw new UserError(`--nodes ${f.nodes} must be between 1 and 9`);
  const runtime = oneOf('--runtime', f.runtime, RUNTIME_CHOICES);
  const workload = oneOf('--workload', f.workload, WORKLOAD_NAMES);
  if (f.nemesis.trim() === '') throw new UserError(`--nemesis "${f.nemesis}" names no fault (say --nemesis none for a fault-free run; allowed: ${FAULTS.join(', ')}, none, all)`);
  const nemesis = f.nemesis === 'none' ? [] : f.nemesis === 'all' ? [...FAULTS] : list('--nemesis', f.nemesis, [...FAULTS, 'none', 'all'] as const).filter((x): x is Fault => x !== 'none' && x !== 'all');
  for (const fault of nemesis) {
    const gap = familyOf(fault).sizeGap?.(f.nodes);
    if (gap) throw new UserError(`--nemesis ${fault} cannot run on this cluster: ${gap}`);
  }
  if (!(f.rate > 0)) throw new UserError(`--rate ${f.rate} must be a positive number of ops per second`);
  let seed: number;
  if (f.seed === undefined) seed = Math.floor(Math.random() * 2 ** 32);
  else if (/^\d+$/.test(f.seed) && Number(f.seed) <= Number.MAX_SAFE_INTEGER) seed = Number(f.seed);
  else throw new UserError(`--seed "${f.seed}" must be a non-negative integer`);
  const timeLimitMs = parseDuration('time-limit', f.timeLimit);
  if (timeLimitMs < 1000) throw new UserError(`--time-limit ${f.timeLimit} is too short (at least 1s)`);
  // Every requested fault must be injected at least once inside the time limit (a fault asked for
  // and never injected must not pass as tested): the default interval shrinks to fit; an explicit
  // one that leaves no room is refused.
  const fit = nemesis.length ? Math.floor(timeLimitMs / (nemesis.length + 1)) : 5000;
  const nemesisIntervalMs = f.nemesisInterval === undefined ? Math.min(5000, fit) : parseDuration('nemesis-interval', f.nemesisInterval);
  if (nemesisIntervalMs < 100) {
    throw new UserError(
      f.nemesisInterval === undefined
        ? `--time-limit ${f.timeLimit} is too short for ${nemesis.length} fault(s) (each needs its own 100 ms at least)`
        : `--nemesis-interval ${f.nemesisInterval} is too short (at least 100ms)`,
    );
  }
  if (nemesis.length && slotsIn(timeLimitMs, nemesisIntervalMs) < nemesis.length) {
    throw new UserError(
      `--nemesis-interval ${f.nemesisInterval} leaves no room to inject every requested fault (${nemesis.join(', ')}) within --time-limit ${f.timeLimit}: use --nemesis-interval ${fit}ms or less, or a longer --time-limit`,
    );
  }
  const concurrency = parseConcurrency(f.concurrency, f.nodes);
  const opTimeoutMs = parseDuration('op-timeout', f.opTimeout);
  const recoveryMs = parseDuration('recovery', f.recovery);
  const checkBudgetMs = parseDuration('check-budget', f.checkBudget);
  checkTestBounds({
    nemesisText: f.nemesis,
    nemesis,
    nodes: f.nodes,
    concurrency,
    concurrencyText: f.concurrency,
    rateHz: f.rate,
    durations: {
      'time-limit': { text: f.timeLimit, ms: timeLimitMs },
      'op-timeout': { text: f.opTimeout, ms: opTimeoutMs },
      recovery: { text: f.recovery, ms: recoveryMs },
      'check-budget': { text: f.checkBudget, ms: checkBudgetMs },
      'nemesis-interval': { text: f.nemesisInterval ?? `${nemesisIntervalMs}ms`, ms: nemesisIntervalMs },
    },
    // execute.ts's hard stop: final phase (30 s) + cluster start (120 s) + 120 s of slack.
    hardStopExtraMs: 270_000,
  });
  return {
    name: f.name ?? defaultName(db, workload, nemesis, bugs),
    db,
    dbOpts,
    bugs,
    nodes: f.nodes,
    runtime,
    workload,
    nemesis,
    nemesisIntervalMs,
    timeLimitMs,
    rateHz: f.rate,
    concurrency,
    seed,
    opTimeoutMs,
    recoveryMs,
    checkBudgetMs,
    leaveRunning: f.leaveRunning,
  };
}

/** A duration in the largest unit that states it exactly (so a rerun parses back to the same ms). */
function durationText(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

/** The name buildSpec gives when --name is absent. */
function defaultName(dbArg: string, workload: string, nemesis: readonly string[], bugs: readonly string[]): string {
  const db = isModulePath(dbArg) ? adapterShortName(dbArg) : dbArg;
  return `${db}-${workload}${nemesis.length ? `-${nemesis.join('+')}` : ''}${bugs.length ? `-bug-${bugs.join('+')}` : ''}`;
}

/** The flags that rebuild exactly this spec (every field, the seed included). */
export function rerunArgs(spec: TestSpec): string[] {
  const a = ['--db', spec.db];
  for (const [k, v] of Object.entries(spec.dbOpts ?? {})) a.push('--db-opt', `${k}=${v}`);
  a.push('--workload', spec.workload, '--nodes', String(spec.nodes), '--runtime', spec.runtime);
  a.push('--nemesis', spec.nemesis.length ? spec.nemesis.join(',') : 'none');
  if (spec.bugs.length) a.push('--bug', spec.bugs.join(','));
  a.push('--time-limit', durationText(spec.timeLimitMs), '--nemesis-interval', durationText(spec.nemesisIntervalMs));
  a.push('--rate', String(spec.rateHz), '--concurrency', String(spec.concurrency), '--seed', String(spec.seed));
  a.push('--op-timeout', durationText(spec.opTimeoutMs), '--recovery', durationText(spec.recoveryMs), '--check-budget', durationText(spec.checkBudgetMs));
  if (spec.leaveRunning) a.push('--leave-running');
  if (spec.name !== defaultName(spec.db, spec.workload, spec.nemesis, spec.bugs)) a.push('--name', spec.name);
  return a;
}

/** A word as a POSIX shell reads it back unchanged. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** The command line that reruns this spec with the same schedule and workload (every flag). */
export function rerunCommand(spec: TestSpec): string {
  return ['faultline test', ...rerunArgs(spec).map(shellWord)].join(' ');
}
