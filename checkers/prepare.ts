// Turns a history into per-key lists of calls for the search: pairs invokes with completions,
// applies Jepsen's meaning of fail and info, splits by key (P-compositionality), and removes
// crashed calls that provably cannot change the verdict.

import type { Op } from '../src/core/op.js';
import { OpColumns, VALUE_KEY_NULL, VALUE_KEY_NUM, VALUE_KEY_PAIR, VALUE_KEY_STR, VALUE_OTHER } from '../src/core/op-columns.js';
import { UNKNOWN_OUTPUT, type AnyModel, type MaybeOutput, type PlacedCall } from './model.js';
import { bareKeyword } from './values.js';

export type Calls = PlacedCall<unknown, unknown>[];

export interface PrepareOptions {
  /**
   * Functions whose `fail` completion means "completed and returned false" instead of "did not
   * happen" (Porcupine's etcd logs record a cas whose compare did not match as `:fail :cas`).
   */
  failMeansFalse?: readonly string[];
}

/** An invoke with the completion that counts (ok, or a fail meaning false), placed in time. */
export interface PlacedPair {
  invoke: Op;
  done?: Op;
  callAt: number;
  /** Infinity when the call crashed or never completed. */
  returnAt: number;
}

/** The pairs of one independent key ('' for a single object); plain data, so it crosses threads. */
export interface KeyPairs {
  key: string;
  pairs: PlacedPair[];
}

/**
 * Pairs the client ops of `history` and groups them by key, each group in invoke order.
 * Times are positions in the history (its order is real-time order). Failed ops are dropped
 * (Jepsen: they did not happen) unless `failMeansFalse` names their f.
 */
export function splitByKey(history: readonly Op[], model: AnyModel, options: PrepareOptions = {}): KeyPairs[] {
  const failMeansFalse = new Set((options.failMeansFalse ?? []).map(bareKeyword));
  // Pairs each invoke with the next completion of its process (as pairOps in src/core/op.ts),
  // keeping positions and grouping by key in the same pass: a Map from 2M op objects to
  // positions, and a second object per pair, cost seconds on a 1M-op history.
  const open = new Map<number, PlacedPair>();
  const byKey = new Map<string, PlacedPair[]>();
  let dropped = 0;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    // The nemesis (however a format spells it: 'nemesis', ':nemesis') is not a client.
    if (typeof op.process !== 'number') continue;
    if (op.type === 'invoke') {
      const pair: PlacedPair = { invoke: op, callAt: i, returnAt: Infinity };
      open.set(op.process, pair);
      const key = model.keyOf?.(op) ?? '';
      let pairs = byKey.get(key);
      if (!pairs) byKey.set(key, (pairs = []));
      pairs.push(pair);
      continue;
    }
    const pair = open.get(op.process);
    if (!pair) continue;
    open.delete(op.process);
    if (op.type === 'ok' || (op.type === 'fail' && failMeansFalse.has(bareKeyword(pair.invoke.f)))) {
      pair.done = op;
      pair.returnAt = i;
    } else if (op.type === 'fail') {
      pair.returnAt = NaN; // did not happen: dropped below
      dropped++;
    }
  }
  return [...byKey].map(([key, pairs]) => ({ key, pairs: dropped > 0 ? pairs.filter((p) => !Number.isNaN(p.returnAt)) : pairs })).filter((k) => k.pairs.length > 0);
}

/** One key's pairs as rows of a columnar history (no op objects): see splitColumns. */
export interface KeyRows {
  key: string;
  /** Row of each invoke, in invoke order (its position: the call's callAt). */
  invokes: Int32Array;
  /** Row of the completion that counts (its returnAt), or -1 for a crashed call (returnAt Infinity). */
  dones: Int32Array;
}

/**
 * splitByKey over columns: the same keys in the same order, the same pairs, as rows instead of
 * op objects. The model's keyOf reads a transient op of each invoke.
 */
export function splitColumns(h: OpColumns, model: AnyModel, options: PrepareOptions = {}): KeyRows[] {
  const failMeansFalse = new Set((options.failMeansFalse ?? []).map(bareKeyword));
  const failCounts = h.fNames.map((f) => failMeansFalse.has(bareKeyword(f)));
  const n = h.length;
  const keyOfRow = new Int32Array(n);
  const doneOf = new Int32Array(n);
  const keyIds = new Map<string, number>();
  const keys: string[] = [];
  const counts: number[] = [];
  const open = new Map<number, number>();
  const keyOf = model.keyOf?.bind(model);
  // The kv model's key is the head of a [string key, value] tuple (checkers/models/kv.ts): read it
  // from the columns; any other value (and any other model) goes through keyOf.
  const kvHead = model.name === 'kv';
  for (let i = 0; i < n; i++) {
    const process = h.process[i]!;
    if (Number.isNaN(process)) continue; // the nemesis is not a client
    const type = h.type[i]!;
    if (type === 0) {
      open.set(process, i);
      const kind = h.vkind[i]!;
      const tuple = kind === VALUE_KEY_NULL || kind === VALUE_KEY_NUM || kind === VALUE_KEY_PAIR || kind === VALUE_KEY_STR;
      const key = kvHead && tuple ? h.strings[h.vkey[i]!]! : ((keyOf && keyOf(h.opAt(i))) ?? '');
      let id = keyIds.get(key);
      if (id === undefined) {
        id = keys.length;
        keyIds.set(key, id);
        keys.push(key);
        counts.push(0);
      }
      keyOfRow[i] = id;
      counts[id]!++;
      doneOf[i] = -1;
      continue;
    }
    const inv = open.get(process);
    if (inv === undefined) continue;
    open.delete(process);
    if (type === 1 || (type === 2 && failCounts[h.f[inv]!])) doneOf[inv] = i;
    else if (type === 2) {
      doneOf[inv] = -2; // did not happen: dropped
      counts[keyOfRow[inv]!]!--;
    }
  }
  const out: KeyRows[] = keys.map((key, k) => ({ key, invokes: new Int32Array(counts[k]!), dones: new Int32Array(counts[k]!) }));
  const filled = new Int32Array(keys.length);
  for (let i = 0; i < n; i++) {
    if (h.type[i] !== 0 || Number.isNaN(h.process[i]!) || doneOf[i] === -2) continue;
    const k = keyOfRow[i]!;
    const at = filled[k]!++;
    out[k]!.invokes[at] = i;
    out[k]!.dones[at] = doneOf[i]!;
  }
  return out.filter((k) => k.invokes.length > 0);
}

/** One key's calls as rows of columns: what checkKeys decides without op records. */
export interface RowItem {
  key: string;
  columns: OpColumns;
  invokes: Int32Array;
  /** Completion rows, -1 for none (crashed). */
  dones: Int32Array;
  /** Positions in the whole history when the rows are of a batch's own columns (else the rows are the positions). */
  callAt?: Float64Array;
  /** -1 for a crashed call. */
  returnAt?: Float64Array;
}

/**
 * A placed call of a columnar history: its invoke and completion records are built from the
 * columns when read (by explanations, a few calls), not kept (a million calls would keep two
 * million records alive).
 */
export class RowCall<Input, Output> implements PlacedCall<Input, Output> {
  constructor(
    public input: Input,
    public output: MaybeOutput<Output>,
    public callAt: number,
    public returnAt: number,
    readonly columns: OpColumns,
    readonly invokeRow: number,
    /** -1: no completion. */
    readonly doneRow: number,
  ) {}

  get invoke(): Op {
    return this.columns.opAt(this.invokeRow);
  }

  get completion(): Op | undefined {
    return this.doneRow >= 0 ? this.columns.opAt(this.doneRow) : undefined;
  }
}

/** decodePairs for rows: the model decodes transient records; the calls keep rows. */
export function decodeRows(model: AnyModel, item: RowItem): Calls {
  const { columns: h, invokes, dones, callAt, returnAt } = item;
  const calls: Calls = new Array(invokes.length);
  for (let j = 0; j < invokes.length; j++) {
    const inv = invokes[j]!;
    const done = dones[j]!;
    const { input, output } = model.decode(h.opAt(inv), done >= 0 ? h.opAt(done) : undefined);
    const at = callAt ? callAt[j]! : inv;
    const ret = returnAt ? returnAt[j]! : done;
    calls[j] = new RowCall(input, output, at, ret >= 0 ? ret : Infinity, h, inv, done);
  }
  return calls;
}

/** The call with another returnAt (a RowCall stays one: a spread would lose its records). */
function withReturnAt(c: Calls[number], returnAt: number): Calls[number] {
  return c instanceof RowCall ? new RowCall(c.input, c.output, c.callAt, returnAt, c.columns, c.invokeRow, c.doneRow) : { ...c, returnAt };
}

/** The call as crashed: no completion, output unknown, returnAt Infinity. */
function asCrashed(c: Calls[number]): Calls[number] {
  if (c instanceof RowCall) return new RowCall(c.input, UNKNOWN_OUTPUT, c.callAt, Infinity, c.columns, c.invokeRow, -1);
  const { completion: _dropped, ...rest } = c;
  return { ...rest, output: UNKNOWN_OUTPUT, returnAt: Infinity };
}

/** A batch of keys for a worker: its rows copied into columns of their own (buffers to transfer). */
export interface ColumnBatch {
  columns: ReturnType<OpColumns['data']>;
  keys: string[];
  counts: number[];
  /** Per pair, in key order: its callAt and returnAt (-1: crashed) in the whole history. */
  callAt: Float64Array;
  returnAt: Float64Array;
}

/** Packs keys for a worker: pair j's invoke is row 2j of the batch's columns, its completion row 2j+1. */
export function packRows(h: OpColumns, items: readonly KeyRows[]): { batch: ColumnBatch; transfer: ArrayBuffer[] } {
  let total = 0;
  for (const item of items) total += item.invokes.length;
  const sub = OpColumns.allocate(2 * total);
  const callAt = new Float64Array(total);
  const returnAt = new Float64Array(total);
  const copy = (from: number, to: number): void => {
    sub.index[to] = h.index[from]!;
    sub.type[to] = h.type[from]!;
    sub.process[to] = h.process[from]!;
    sub.f[to] = h.f[from]!;
    sub.timeNs[to] = h.timeNs[from]!;
    const kind = (sub.vkind[to] = h.vkind[from]!);
    sub.vkey[to] = h.vkey[from]!;
    sub.va[to] = h.va[from]!;
    sub.vb[to] = h.vb[from]!;
    if (kind === VALUE_OTHER) sub.extra.set(to, h.extra.get(from)!);
  };
  let j = 0;
  for (const item of items) {
    for (let k = 0; k < item.invokes.length; k++, j++) {
      const inv = item.invokes[k]!;
      const done = item.dones[k]!;
      copy(inv, 2 * j);
      callAt[j] = inv;
      returnAt[j] = done;
      if (done >= 0) copy(done, 2 * j + 1);
    }
  }
  sub.length = 2 * total;
  sub.fNames = h.fNames;
  sub.strings = h.strings;
  const batch: ColumnBatch = { columns: sub.data(), keys: items.map((i) => i.key), counts: items.map((i) => i.invokes.length), callAt, returnAt };
  return { batch, transfer: [...sub.buffers(), callAt.buffer as ArrayBuffer, returnAt.buffer as ArrayBuffer] };
}

/** A worker's side of packRows: the batch's keys as rows of its columns. */
export function unpackRows(batch: ColumnBatch): RowItem[] {
  const columns = new OpColumns(batch.columns);
  let j = 0;
  return batch.keys.map((key, k) => {
    const n = batch.counts[k]!;
    const invokes = new Int32Array(n);
    const dones = new Int32Array(n);
    for (let m = 0; m < n; m++) {
      invokes[m] = 2 * (j + m);
      dones[m] = batch.returnAt[j + m]! >= 0 ? 2 * (j + m) + 1 : -1;
    }
    const item: RowItem = { key, columns, invokes, dones, callAt: batch.callAt.subarray(j, j + n), returnAt: batch.returnAt.subarray(j, j + n) };
    j += n;
    return item;
  });
}

/** Decodes pairs into the model's calls. Throws UnsupportedOpError on an op the model cannot read. */
export function decodePairs(model: AnyModel, pairs: readonly PlacedPair[]): Calls {
  return pairs.map((p) => {
    const { input, output } = model.decode(p.invoke, p.done);
    const call: PlacedCall<unknown, unknown> = { input, output, invoke: p.invoke, callAt: p.callAt, returnAt: p.returnAt };
    if (p.done) call.completion = p.done;
    return call;
  });
}

export interface PruneReport {
  /** Crashed calls that only read (dropped). */
  crashedReads: number;
  /** Crashed calls the model's rule proved irrelevant (dropped). */
  irrelevantCrashed: number;
  /** Crashed calls proved to have taken effect before some completed call (see bindDeadlines). */
  boundCrashed?: number;
}

/**
 * The calls with every deadline bindDeadlines gave undone (crashed again): for a sub-history,
 * whose own calls must justify any deadline (the read that justified it may not be in it).
 */
export function unbound(calls: Calls): Calls {
  return calls.map((c) => (c.output === UNKNOWN_OUTPUT && c.returnAt !== Infinity && !c.completion ? withReturnAt(c, Infinity) : c));
}

/** Above this many (crashed × all) comparisons the model's rule is skipped: pruning is optional. */
const PRUNE_WORK_LIMIT = 50_000_000;

/**
 * Removes crashed calls that cannot change the verdict:
 *  - crashed pure calls (reads): they allow every output and change nothing, so any linearization
 *    with them stays legal without them, and vice versa;
 *  - crashed calls the model's `crashedIsIrrelevant` rule proves unnecessary.
 * The rules are applied one call at a time to the calls still left. That is sound because each
 * rule only asks that no remaining call observe the crashed one, and removing calls never makes
 * a call observe more: once a rule holds it keeps holding as others are removed.
 */
export function pruneCrashed(model: AnyModel, calls: Calls): { calls: Calls; report: PruneReport } {
  const report: PruneReport = { crashedReads: 0, irrelevantCrashed: 0 };
  let kept = calls.filter((c) => {
    const drop = c.output === UNKNOWN_OUTPUT && model.isPure?.(c.input, c.output) === true;
    if (drop) report.crashedReads++;
    return !drop;
  });
  const rule = model.crashedIsIrrelevant?.bind(model);
  const crashed = kept.filter((c) => c.output === UNKNOWN_OUTPUT).length;
  if (!rule || crashed === 0 || crashed * kept.length > PRUNE_WORK_LIMIT) return { calls: bindDeadlines(model, kept, report), report };
  for (let pass = 0, changed = true; changed && pass < 4; pass++) {
    changed = false;
    for (let i = 0; i < kept.length; i++) {
      if (kept[i]!.output !== UNKNOWN_OUTPUT || !rule(kept, i)) continue;
      // In place (kept is our own copy): models may index the calls array (reads never leave it).
      kept.splice(i, 1);
      report.irrelevantCrashed++;
      changed = true;
      i--;
    }
  }
  return { calls: bindDeadlines(model, kept, report), report };
}

/**
 * Crashed calls the model proves took effect before some position (model.crashedDeadline) become
 * completed calls returning there (output still unknown): the same linearizations, but the search
 * no longer tries histories without them. Applied after pruning, on the calls left; each deadline
 * is computed on the original calls, so the order of application does not matter.
 */
function bindDeadlines(model: AnyModel, calls: Calls, report: PruneReport): Calls {
  if (!model.crashedDeadline) return calls;
  const open = calls.filter((c) => c.returnAt === Infinity).length;
  if (open === 0 || open * calls.length > PRUNE_WORK_LIMIT) return calls;
  let out: Calls | undefined;
  calls.forEach((c, i) => {
    if (c.returnAt !== Infinity) return;
    const at = model.crashedDeadline!(calls, i);
    if (at === undefined) return;
    out ??= [...calls];
    out[i] = withReturnAt(c, at);
    report.boundCrashed = (report.boundCrashed ?? 0) + 1;
  });
  return out ?? calls;
}

/**
 * The calls of a real-time prefix: those invoked before position `cut`; calls still running at
 * the cut become crashed (they may or may not have taken effect by then). If the whole history
 * is linearizable, so is every such prefix, so a non-linearizable prefix decides the whole.
 */
export function prefixCalls(calls: Calls, cut: number): Calls {
  const out: Calls = [];
  for (const c of calls) {
    if (c.callAt >= cut) continue;
    if (c.returnAt < cut) out.push(c);
    else {
      out.push(asCrashed(c));
    }
  }
  return out;
}
