// The bank checker (Jepsen's bank workload): transfers move money between accounts inside
// transactions; reads return every balance. A correct (snapshot-isolated or stronger) database
// keeps, in every read:
//   - the total conserved (the sum of the initial balances);
//   - exactly the known accounts;
//   - no negative balance, unless negative balances are allowed;
//   - a possible state: the initial balances plus some set of the transfers that may have
//     happened by then — every ok transfer that completed before the read was invoked, plus any
//     subset of the ok / indeterminate transfers invoked before the read completed. Found by a
//     walk over the uncertain transfers keeping the distinct partial effects, pruned per account
//     (once every uncertain transfer touching an account is decided, that account's balance must
//     match); past a bound on the states kept, that read is unknown (never passed).
// Hand-written: the search is specific to this check; no library states it.
//
// Ops: {f: 'transfer', value: {from, to, amount}}; {f: 'read', value: {account: balance, …}}
// (a plain object, EDN's {"~map": [[k, v], …]}, or [[k, v], …]). Keywords (":from") are accepted.

import type { Op } from '../src/core/op.js';
import { NEMESIS } from '../src/core/op.js';
import type { CheckOptions, CheckResult, Validity } from '../src/core/validity.js';
import { UserError } from '../src/core/errors.js';

export interface BankOptions extends CheckOptions {
  /** Initial balance of every account. */
  initial: Record<string, number>;
  /** Whether balances may go negative (default false). */
  negativeBalances?: boolean;
  /** Most partial states kept per read by the possible-state search (default 100,000); past it the read is unknown. */
  maxStatesPerRead?: number;
}

export type BankErrorKind = 'wrong-total' | 'negative-balance' | 'wrong-accounts' | 'impossible-state';

export interface BankError {
  kind: BankErrorKind;
  /** The read op (its completion). */
  index: number;
  process: Op['process'];
  balances: Record<string, number>;
  text: string;
}

export interface BankResult extends CheckResult {
  valid: Validity;
  total: number;
  reads: number;
  transfers: { ok: number; fail: number; info: number };
  errors: BankError[];
  counts: Partial<Record<BankErrorKind, number>>;
  /** Reads whose possible-state search ran out of steps. */
  unknownReads: number[];
  unknownReasons: string[];
}

interface Transfer {
  from: string;
  to: string;
  amount: number;
  invoke: number;
  complete: number; // Infinity while indeterminate
  ok: boolean;
}

const field = (v: Record<string, unknown>, name: string): unknown => v[name] ?? v[`:${name}`];
const acct = (k: unknown): string => (typeof k === 'string' && k.startsWith(':') ? k.slice(1) : String(k));

function parseBalances(v: unknown, op: Op): Record<string, number> {
  let pairs: [unknown, unknown][];
  if (Array.isArray(v)) pairs = v as [unknown, unknown][];
  else if (v && typeof v === 'object' && Array.isArray((v as Record<string, unknown>)['~map'])) pairs = (v as { '~map': [unknown, unknown][] })['~map'];
  else if (v && typeof v === 'object') pairs = Object.entries(v);
  else throw new UserError(`op ${op.index}: a bank read's value must map accounts to balances, got ${JSON.stringify(v)?.slice(0, 60)}`);
  const out: Record<string, number> = {};
  for (const p of pairs) {
    if (!Array.isArray(p) || typeof p[1] !== 'number') throw new UserError(`op ${op.index}: balance ${JSON.stringify(p)?.slice(0, 40)} is not [account number]`);
    out[acct(p[0])] = p[1];
  }
  return out;
}

function parseTransfer(op: Op): { from: string; to: string; amount: number } {
  const v = op.value as Record<string, unknown> | null;
  const amount = v && typeof v === 'object' ? field(v, 'amount') : undefined;
  if (!v || typeof v !== 'object' || typeof amount !== 'number' || field(v, 'from') === undefined || field(v, 'to') === undefined) {
    throw new UserError(`op ${op.index}: a transfer's value must be {from, to, amount}, got ${JSON.stringify(op.value)?.slice(0, 60)}`);
  }
  return { from: acct(field(v, 'from')), to: acct(field(v, 'to')), amount };
}

const bare = (f: string): string => (f.startsWith(':') ? f.slice(1) : f);

export function checkBank(history: readonly Op[], options: BankOptions): BankResult {
  const accounts = Object.keys(options.initial).sort();
  const total = accounts.reduce((s, a) => s + options.initial[a]!, 0);
  const maxStates = options.maxStatesPerRead ?? 100_000;
  const transfers: Transfer[] = [];
  const reads: { invoke: number; complete: number; op: Op; balances: Record<string, number> }[] = [];
  const open = new Map<Op['process'], { op: Op; t?: Transfer }>();
  const tally = { ok: 0, fail: 0, info: 0 };
  for (const op of history) {
    if (op.process === NEMESIS) continue;
    const f = bare(op.f);
    if (f !== 'transfer' && f !== 'read') continue;
    if (op.type === 'invoke') {
      const entry: { op: Op; t?: Transfer } = { op };
      if (f === 'transfer') {
        entry.t = { ...parseTransfer(op), invoke: op.index, complete: Infinity, ok: false };
        transfers.push(entry.t);
      }
      open.set(op.process, entry);
      continue;
    }
    const entry = open.get(op.process);
    open.delete(op.process);
    if (!entry) continue;
    if (entry.t) {
      if (op.type === 'ok') { entry.t.ok = true; entry.t.complete = op.index; tally.ok++; }
      else if (op.type === 'fail') { entry.t.complete = -1; tally.fail++; }
      else tally.info++;
    } else if (op.type === 'ok') {
      reads.push({ invoke: entry.op.index, complete: op.index, op, balances: parseBalances(op.value, op) });
    }
  }
  for (const [, e] of open) if (e.t) tally.info++;
  const happened = transfers.filter((t) => t.complete !== -1);

  const errors: BankError[] = [];
  const counts: Partial<Record<BankErrorKind, number>> = {};
  const unknownReads: number[] = [];
  const err = (kind: BankErrorKind, r: (typeof reads)[number], text: string) => {
    counts[kind] = (counts[kind] ?? 0) + 1;
    if (errors.length < 50) errors.push({ kind, index: r.op.index, process: r.op.process, balances: r.balances, text });
  };
  const show = (b: Record<string, number>) => `{${Object.keys(b).sort().map((a) => `${a} ${b[a]}`).join(', ')}}`;
  for (const r of reads) {
    const got = Object.keys(r.balances).sort();
    if (got.join('\u0000') !== accounts.join('\u0000')) {
      err('wrong-accounts', r, `read (op ${r.op.index}) saw accounts ${got.join(' ')}, expected ${accounts.join(' ')}`);
      continue;
    }
    const sum = got.reduce((s, a) => s + r.balances[a]!, 0);
    if (sum !== total) err('wrong-total', r, `read (op ${r.op.index}) ${show(r.balances)} totals ${sum}, not ${total}`);
    const neg = got.filter((a) => r.balances[a]! < 0);
    if (neg.length > 0 && !options.negativeBalances) err('negative-balance', r, `read (op ${r.op.index}) ${show(r.balances)} has a negative balance in ${neg.join(', ')}`);
    // Possible state: certain transfers applied, then a subset of the uncertain ones.
    const delta = new Map<string, number>();
    for (const a of accounts) delta.set(a, r.balances[a]! - options.initial[a]!);
    const uncertain: Transfer[] = [];
    for (const t of happened) {
      if (t.invoke > r.complete) continue; // invoked after the read finished: cannot be seen
      if (t.ok && t.complete < r.invoke) {
        delta.set(t.from, (delta.get(t.from) ?? 0) + t.amount);
        delta.set(t.to, (delta.get(t.to) ?? 0) - t.amount);
      } else uncertain.push(t);
    }
    const found = searchSubset(delta, uncertain, maxStates);
    if (found === 'unknown') unknownReads.push(r.op.index);
    else if (!found) err('impossible-state', r, `read (op ${r.op.index}) ${show(r.balances)} is no state reachable from the initial balances by the transfers that completed before it plus any of the ${uncertain.length} that may have run concurrently`);
  }
  const unknownReasons: string[] = [];
  if (reads.length === 0) unknownReasons.push('no completed read to check');
  if (unknownReads.length > 0) unknownReasons.push(`${unknownReads.length} reads could not be matched to a state within the search budget`);
  const valid: Validity = errors.length > 0 ? false : unknownReasons.length > 0 ? 'unknown' : true;
  return { valid, total, reads: reads.length, transfers: tally, errors, counts, unknownReads, unknownReasons };
}

/**
 * Is there a subset of `ts` whose net effect equals `delta` (account → needed change)? Walks the
 * transfers keeping the set of distinct partial effects (vectors over the touched accounts). Two
 * sound prunings keep that set small: transfers are ordered to close accounts one at a time (the
 * account with the fewest transfers left first), and once the last transfer touching an account
 * is passed only effects matching that account's need survive; and an effect is dropped as soon as
 * some account's need lies outside what the transfers still ahead could add to it. Unknown when
 * the set outgrows `maxStates`.
 */
function searchSubset(delta: Map<string, number>, unordered: Transfer[], maxStates: number): boolean | 'unknown' {
  const names = [...new Set([...delta.keys(), ...unordered.flatMap((t) => [t.from, t.to])])];
  const col = new Map(names.map((a, i) => [a, i]));
  const need = names.map((a) => delta.get(a) ?? 0);
  const ts = closingOrder(unordered, names.length, col);
  const n = names.length;
  const lastTouch = new Int32Array(n).fill(-1);
  ts.forEach((t, i) => { lastTouch[col.get(t.from)!] = i; lastTouch[col.get(t.to)!] = i; });
  for (let c = 0; c < n; c++) if (lastTouch[c] === -1 && need[c] !== 0) return false;
  // lo[i*n + c], hi[i*n + c]: the least and most transfers i.. can still add to account c.
  const lo = new Float64Array((ts.length + 1) * n);
  const hi = new Float64Array((ts.length + 1) * n);
  for (let i = ts.length - 1; i >= 0; i--) {
    for (let c = 0; c < n; c++) { lo[i * n + c] = lo[(i + 1) * n + c]!; hi[i * n + c] = hi[(i + 1) * n + c]!; }
    const t = ts[i]!;
    lo[i * n + col.get(t.from)!]! -= t.amount;
    hi[i * n + col.get(t.to)!]! += t.amount;
  }
  let states = new Map<string, number[]>([[names.map(() => 0).join(','), names.map(() => 0)]]);
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    const f = col.get(t.from)!;
    const to = col.get(t.to)!;
    const next = new Map<string, number[]>();
    const base = (i + 1) * n;
    const keep = (v: number[]) => {
      for (const c of [f, to]) {
        const gap = need[c]! - v[c]!;
        if (gap < lo[base + c]! || gap > hi[base + c]!) return; // covers "account closed: must match"
      }
      next.set(v.join(','), v);
    };
    for (const v of states.values()) {
      keep(v);
      const w = v.slice();
      w[f]! -= t.amount;
      w[to]! += t.amount;
      keep(w);
    }
    if (next.size === 0) return false;
    if (next.size > maxStates) return 'unknown';
    states = next;
  }
  for (const v of states.values()) if (v.every((x, c) => x === need[c])) return true;
  return false;
}

/** The transfers reordered to close one account at a time: the open account with the fewest transfers left goes first. */
function closingOrder(ts: Transfer[], n: number, col: Map<string, number>): Transfer[] {
  const left = ts.slice();
  const out: Transfer[] = [];
  const closed = new Set<number>();
  while (left.length > 0) {
    const count = new Array<number>(n).fill(0);
    for (const t of left) { count[col.get(t.from)!]!++; count[col.get(t.to)!]!++; }
    let best = -1;
    for (let c = 0; c < n; c++) if (!closed.has(c) && count[c]! > 0 && (best === -1 || count[c]! < count[best]!)) best = c;
    closed.add(best);
    for (let i = left.length - 1; i >= 0; i--) {
      const t = left[i]!;
      if (col.get(t.from) === best || col.get(t.to) === best) { out.push(t); left.splice(i, 1); }
    }
  }
  return out;
}

export function bankChecker(defaults: BankOptions): { check(history: readonly Op[], opts: CheckOptions): Promise<BankResult> } {
  return { async check(history, opts) { return checkBank(history, { ...defaults, ...opts }); } };
}
