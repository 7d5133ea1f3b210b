// Bounds of flag values, checked before anything starts (issue 11, item 7). Parsing alone let
// through values that crash or mislead later: durations past what a Node timer can hold
// (2^31-1 ms ≈ 24.8 days: `--time-limit 597h` crashed, `--op-timeout 597h` fired at once, because
// setTimeout treats a larger delay as 1 ms), a `--concurrency` of 10^20 clients, a partition of a
// one-node cluster, an empty `--nemesis` (an unset $NEMESIS in CI silently ran a fault-free test
// and said valid), an empty `--host` (Node then listens on every interface), and run ids past any
// integer the database holds. Each check throws a one-line UserError (exit 254) naming the value.

import { UserError } from './errors.js';

/** Longest delay a Node timer honours; longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;
/** Most client threads one harness runs. */
export const MAX_CONCURRENCY = 1_000;
/** Highest op rate (ops per second over all clients). */
export const MAX_RATE_HZ = 1_000_000;

function days(ms: number): string {
  return `${(Math.floor(ms / 8_640_000) / 10).toFixed(1)} days`;
}

/** A duration that ends up in a timer: at most MAX_TIMER_MS. `text` is what the user typed. */
export function checkDuration(flag: string, text: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0) throw new UserError(`--${flag} ${JSON.stringify(text)} is not a positive duration`);
  if (ms > MAX_TIMER_MS) throw new UserError(`--${flag} ${text} is too long: at most ${days(MAX_TIMER_MS)} (${MAX_TIMER_MS} ms)`);
  return ms;
}

/** Durations whose sum is one timer (the run's hard stop: time limit + recovery + final phase + slack). */
export function checkDurationSum(parts: Record<string, number>, extraMs = 0): void {
  const total = Object.values(parts).reduce((a, b) => a + b, extraMs);
  if (total > MAX_TIMER_MS) {
    const names = Object.keys(parts).map((k) => `--${k}`).join(' + ');
    throw new UserError(`${names} add up to ${days(total)}: at most ${days(MAX_TIMER_MS)} in all`);
  }
}

export function checkConcurrency(n: number, text = String(n)): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new UserError(`--concurrency ${text} must be a positive number of clients`);
  if (n > MAX_CONCURRENCY) throw new UserError(`--concurrency ${text} is ${n} clients; at most ${MAX_CONCURRENCY}`);
  return n;
}

export function checkRate(rateHz: number): number {
  if (!Number.isFinite(rateHz) || rateHz <= 0) throw new UserError(`--rate ${rateHz} must be a positive number of ops per second`);
  if (rateHz > MAX_RATE_HZ) throw new UserError(`--rate ${rateHz} is too high: at most ${MAX_RATE_HZ} ops per second`);
  return rateHz;
}

/** `--nemesis` as typed: empty or blank is refused (say `none` for a fault-free test). */
export function checkNemesisText(text: string): string {
  if (text.trim() === '' || text.split(',').every((s) => s.trim() === '')) {
    throw new UserError('--nemesis is empty (an unset variable?); name the faults, or say none for a test without faults');
  }
  return text;
}

/** Faults that need links between nodes, so at least two nodes. */
const NEEDS_TWO_NODES = new Set(['partition', 'loss', 'delay']);

/** Faults the cluster size cannot host: a partition, loss or delay needs two nodes to come between. */
export function checkFaultsForNodes(faults: readonly string[], nodes: number): void {
  const bad = faults.filter((f) => NEEDS_TWO_NODES.has(f));
  if (nodes < 2 && bad.length > 0) {
    throw new UserError(`--nemesis ${bad.join(',')} needs at least 2 nodes (--nodes ${nodes} has no link between nodes to cut or slow)`);
  }
}

/** `--host` of a server: not empty (Node would listen on every interface). */
export function checkHost(host: string): string {
  if (host.trim() === '') throw new UserError('--host is empty; name an address to listen on (default 127.0.0.1; 0.0.0.0 for every interface, on purpose)');
  return host;
}

/**
 * A run reference (`latest`, an id, a name): an all-digit reference must be an id the database
 * can hold (ids are bigint; beyond 2^53 a JavaScript number no longer names one id).
 */
export function checkRunRef(ref: string): string {
  if (ref.trim() === '') throw new UserError('the run is empty; give a run id, a run name, or latest');
  if (/^\d+$/.test(ref) && !Number.isSafeInteger(Number(ref))) throw new UserError(`no run ${ref}: run ids are at most ${Number.MAX_SAFE_INTEGER}`);
  return ref;
}

/** Everything of a test's spec that has a bound, in one call (for src/run/spec.ts buildSpec). */
export function checkTestBounds(s: {
  nemesisText: string;
  nemesis: readonly string[];
  nodes: number;
  concurrency: number;
  concurrencyText: string;
  rateHz: number;
  durations: Record<string, { text: string; ms: number }>;
  /** Extra time the run's hard-stop timer adds to time-limit + recovery (final phase + slack). */
  hardStopExtraMs?: number;
}): void {
  checkNemesisText(s.nemesisText);
  for (const [flag, d] of Object.entries(s.durations)) checkDuration(flag, d.text, d.ms);
  const sum: Record<string, number> = {};
  for (const k of ['time-limit', 'recovery'] as const) if (s.durations[k]) sum[k] = s.durations[k].ms;
  checkDurationSum(sum, s.hardStopExtraMs ?? 0);
  checkConcurrency(s.concurrency, s.concurrencyText);
  checkRate(s.rateHz);
  checkFaultsForNodes(s.nemesis, s.nodes);
}
