// The linearizability checker's entry points: split a history by key, decide every key (in
// worker threads when the history is big), stop at the first key that is not linearizable,
// and merge the verdicts. Pure: a history in, a result out.

import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Op } from '../src/core/op.js';
import type { AnyModel } from './model.js';
import { buildModel, type ModelSpec } from './models/index.js';
import { checkKey, hasCertainViolation, prepareKey, type KeyCheckOptions, type KeyVerdict, type PreparedKey, type UnknownProgress } from './check-key.js';
import type { Explanation } from './explain.js';
import { packRows, splitByKey, splitColumns, unpackRows, type ColumnBatch, type KeyPairs, type KeyRows, type RowItem, type PrepareOptions, type PruneReport } from './prepare.js';
import { OpColumns, type AnyHistory } from '../src/core/op-columns.js';
import { mergeValidity, type CheckOptions, type CheckResult, type Validity } from '../src/core/validity.js';

export interface LinearizableOptions extends CheckOptions, PrepareOptions {
  /** Memory bound: most cached configurations per key search (default 5,000,000: ~50 bytes each plus states). */
  maxCacheEntries?: number;
  /** Build the explanation of a violation (default true). */
  explain?: boolean;
  /** Use worker threads: 'auto' (default) when the history is big and has several keys. */
  parallel?: boolean | 'auto';
}

export interface LinearizabilityResult extends CheckResult {
  valid: Validity;
  model: string;
  /** Calls (invoke + completion pairs that happened or may have) over all keys. */
  ops: number;
  keys: number;
  /** Keys decided before the check stopped (it stops at the first non-linearizable key). */
  keysChecked: number;
  pruned: PruneReport;
  configurations: number;
  /** The non-linearizable key ('' for a single object) and why. */
  failure?: { key: string; explanation?: Explanation };
  /** Keys whose budget ran out, with how far their search got and what would likely decide them. */
  unknownKeys?: ({ key: string } & UnknownProgress)[];
  /** When the verdict is unknown: every key left undecided (budget hit, or never reached), first 100. */
  undecidedKeys?: string[];
}

export const DEFAULT_MAX_CACHE_ENTRIES = 5_000_000;
const DEFAULT_BUDGET_MS = 60_000;
/** Worker threads pay off above roughly this many calls (spawning and copying cost ~100 ms). */
const PARALLEL_MIN_CALLS = 50_000;
/** Shrinking a violation gets at most this long beyond the verdict. */
const EXPLAIN_MS = 10_000;

interface Budget {
  deadlineMs: number;
  maxCacheEntries: number;
  explain: boolean;
}

function budgetOf(options: LinearizableOptions): Budget {
  return {
    deadlineMs: performance.now() + (options.budgetMs ?? DEFAULT_BUDGET_MS),
    maxCacheEntries: options.maxCacheEntries ?? DEFAULT_MAX_CACHE_ENTRIES,
    explain: options.explain ?? true,
  };
}

function keyOptions(budget: Budget, stopFlag?: Int32Array): KeyCheckOptions {
  const limits = { deadlineMs: budget.deadlineMs, maxCacheEntries: budget.maxCacheEntries, ...(stopFlag ? { stopFlag } : {}) };
  // The explanation gets its own short allowance once the violation is certain.
  const now = performance.now();
  return { limits, explain: budget.explain, explainDeadlineMs: Math.min(Math.max(budget.deadlineMs, now + 1000), now + EXPLAIN_MS) };
}

/**
 * Configuration caps of the rounds: every undecided key is searched with the first cap, the
 * ones that hit it again with the next, and so on. Like Porcupine's goroutine per key, this
 * finds an easy violation in one key before sinking the budget into a hard valid key; growing
 * ×16, the repeated work stays under a fifteenth of the total.
 */
const ROUND_CAPS = [16_384, 262_144, 4_194_304];

/** Decides keys until one is not linearizable; used in-process and by each worker. */
export function checkKeys(
  model: AnyModel,
  items: readonly (KeyPairs | RowItem)[],
  budget: Budget,
  stopFlag?: Int32Array,
  onVerdict?: (v: KeyVerdict) => void,
): KeyVerdict[] {
  const out: KeyVerdict[] = [];
  const prepared = items.map((item) => prepareKey(model, item));
  // Round 0: certain violations need no search (O(n log n) per key): look at every key first.
  const certain = prepared.find((p) => hasCertainViolation(model, p));
  if (certain) {
    const v = checkKey(model, certain, keyOptions(budget, stopFlag));
    out.push(v);
    onVerdict?.(v);
    if (v.valid === false) return out;
  }
  let pending = prepared.filter((p) => p !== certain);
  const caps = [...ROUND_CAPS.filter((c) => c < budget.maxCacheEntries), budget.maxCacheEntries];
  for (let round = 0; round < caps.length && pending.length > 0; round++) {
    const lastRound = round === caps.length - 1;
    const deferred: PreparedKey[] = [];
    for (const item of pending) {
      if (stopFlag && Atomics.load(stopFlag, 0) !== 0) return out;
      const options = keyOptions({ ...budget, maxCacheEntries: caps[round]! }, stopFlag);
      const v = checkKey(model, item, options);
      if (!lastRound && v.unknown?.reason === 'memory') {
        deferred.push(item);
        continue;
      }
      out.push(v);
      onVerdict?.(v);
      if (v.valid === false) return out;
    }
    pending = deferred;
  }
  return out;
}

function summarizeVerdicts(modelName: string, allKeys: readonly string[], verdicts: readonly KeyVerdict[]): LinearizabilityResult {
  const keys = allKeys.length;
  const pruned: PruneReport = { crashedReads: 0, irrelevantCrashed: 0 };
  let ops = 0;
  let configurations = 0;
  for (const v of verdicts) {
    ops += v.ops;
    configurations += v.configurations;
    pruned.crashedReads += v.pruned.crashedReads;
    pruned.irrelevantCrashed += v.pruned.irrelevantCrashed;
  }
  const failed = verdicts.find((v) => v.valid === false);
  // Keys never reached (the check stopped early, or was aborted) leave the verdict open.
  const undecided = !failed && verdicts.length < keys;
  const valid = mergeValidity(...verdicts.map((v) => v.valid), undecided ? 'unknown' : true);
  const result: LinearizabilityResult = { valid, model: modelName, ops, keys, keysChecked: verdicts.length, pruned, configurations };
  if (failed) {
    result.failure = { key: failed.key };
    if (failed.explanation) result.failure.explanation = failed.explanation;
  }
  const unknown = verdicts.filter((v) => v.unknown).map((v) => ({ key: v.key, ...v.unknown! }));
  if (unknown.length > 0) result.unknownKeys = unknown;
  if (valid === 'unknown') {
    const decided = new Set(verdicts.filter((v) => v.valid !== 'unknown').map((v) => v.key));
    result.undecidedKeys = allKeys.filter((k) => !decided.has(k)).slice(0, 100);
  }
  return result;
}

/** Checks in the calling thread, with any model object (no worker threads). */
export function checkLinearizableSync(history: readonly Op[], model: AnyModel, options: LinearizableOptions = {}): LinearizabilityResult {
  const budget = budgetOf(options);
  const items = splitByKey(history, model, options);
  const stop = new Int32Array(1);
  if (options.signal?.aborted) stop[0] = 1;
  return summarizeVerdicts(model.name, items.map((i) => i.key), checkKeys(model, items, budget, stop));
}

/** Splits keys into `n` batches of similar total size (largest first, each to the lightest batch). */
function balance<T>(items: readonly T[], n: number, size: (item: T) => number): T[][] {
  const batches: T[][] = Array.from({ length: n }, () => []);
  const load = new Array<number>(n).fill(0);
  for (const item of [...items].sort((a, b) => size(b) - size(a))) {
    const lightest = load.indexOf(Math.min(...load));
    batches[lightest]!.push(item);
    load[lightest]! += size(item);
  }
  return batches;
}

const TYPES: readonly Op['type'][] = ['invoke', 'ok', 'fail', 'info'];
/** Numbers per pair in the packed columns (see encodeItems). */
const STRIDE = 9;

/** Items packed for a worker: numbers in a transferred buffer, strings and values as one JSON text. */
export interface PackedItems {
  /** Per pair: f (index into strings), invoke index, process, invoke timeNs, callAt, returnAt (-1: crashed), completion type (-1: none), its index, its timeNs. */
  numbers: Float64Array;
  /** JSON of [keys, pairs per key, f names, values (invoke then completion value per pair)]. */
  text: string;
}

/**
 * Packs items for a worker: the numbers of every pair in one Float64Array whose buffer is
 * transferred, and only the keys, f names and values as JSON. Structured-cloning a million op
 * objects took ~17 s and doubled memory; JSON tuples of whole pairs took ~6 s of CPU on this
 * 2-core machine; this packs the values alone (a few bytes per op).
 */
export function encodeItems(items: readonly KeyPairs[]): PackedItems {
  let total = 0;
  for (const item of items) total += item.pairs.length;
  const numbers = new Float64Array(total * STRIDE);
  const fIds = new Map<string, number>();
  // Grown by push: `new Array(n)` of a million slots is a slow dictionary-mode array.
  const values: unknown[] = [];
  let n = 0;
  for (const item of items) {
    for (const p of item.pairs) {
      const at = n * STRIDE;
      let f = fIds.get(p.invoke.f);
      if (f === undefined) fIds.set(p.invoke.f, (f = fIds.size));
      numbers[at] = f;
      numbers[at + 1] = p.invoke.index;
      numbers[at + 2] = p.invoke.process as number;
      numbers[at + 3] = p.invoke.timeNs;
      numbers[at + 4] = p.callAt;
      numbers[at + 5] = p.returnAt === Infinity ? -1 : p.returnAt;
      numbers[at + 6] = p.done ? TYPES.indexOf(p.done.type) : -1;
      numbers[at + 7] = p.done?.index ?? 0;
      numbers[at + 8] = p.done?.timeNs ?? 0;
      values.push(p.invoke.value ?? null, p.done?.value ?? null);
      n++;
    }
  }
  const text = JSON.stringify([items.map((i) => i.key), items.map((i) => i.pairs.length), [...fIds.keys()], values]);
  return { numbers, text };
}

export function decodeItems(packed: PackedItems): KeyPairs[] {
  const [keys, counts, fs, values] = JSON.parse(packed.text) as [string[], number[], string[], unknown[]];
  const x = packed.numbers;
  let n = 0;
  return keys.map((key, k) => {
    const pairs: KeyPairs['pairs'] = new Array(counts[k]!);
    for (let j = 0; j < counts[k]!; j++, n++) {
      const at = n * STRIDE;
      const f = fs[x[at]!]!;
      const process = x[at + 2]!;
      const invoke: Op = { index: x[at + 1]!, type: 'invoke', process, f, value: values[2 * n], timeNs: x[at + 3]! };
      const returnAt = x[at + 5]!;
      const pair: KeyPairs['pairs'][number] = { invoke, callAt: x[at + 4]!, returnAt: returnAt === -1 ? Infinity : returnAt };
      const type = x[at + 6]!;
      if (type >= 0) pair.done = { index: x[at + 7]!, type: TYPES[type]!, process, f, value: values[2 * n + 1], timeNs: x[at + 8]! };
      pairs[j] = pair;
    }
    return { key, pairs };
  });
}

/** The message a worker receives. */
export interface WorkerTask {
  spec: ModelSpec;
  /** The batch of keys, packed (see encodeItems, or packRows for a columnar history); its buffers are transferred, not cloned. */
  items: PackedItems | ColumnBatch;
  budgetMsLeft: number;
  maxCacheEntries: number;
  explain: boolean;
  stop: SharedArrayBuffer;
}

/** Messages a worker sends: one per key decided, then done (or an error). */
export type WorkerMessage = { kind: 'key'; verdict: KeyVerdict } | { kind: 'done' } | { kind: 'error'; message: string; name: string };

/**
 * Checks a history against a named model. Keys are decided in parallel on every core when the
 * history is big; the first non-linearizable key stops all workers.
 */
export async function checkLinearizable(
  history: AnyHistory,
  spec: ModelSpec,
  options: LinearizableOptions = {},
): Promise<LinearizabilityResult> {
  const model = buildModel(spec);
  // A columnar history (the fast JSONL reader's) is split as rows; op records are built only for
  // the keys this thread decides, and workers get their rows as columns.
  const columns = history instanceof OpColumns ? history : undefined;
  let rows: KeyRows[] = columns ? splitColumns(columns, model, options) : [];
  let items = columns ? [] : splitByKey(history as readonly Op[], model, options);
  const keyCount = columns ? rows.length : items.length;
  const keyNames = columns ? rows.map((r) => r.key) : items.map((i) => i.key);
  const total = columns ? rows.reduce((n, r) => n + r.invokes.length, 0) : items.reduce((n, i) => n + i.pairs.length, 0);
  const threads = Math.min(os.availableParallelism(), keyCount);
  const parallel = options.parallel === 'auto' || options.parallel === undefined ? total >= PARALLEL_MIN_CALLS && threads > 1 : options.parallel && threads > 1;
  const budget = budgetOf(options);
  const stopBuffer = new SharedArrayBuffer(4);
  const stop = new Int32Array(stopBuffer);
  if (options.signal?.aborted) stop[0] = 1;
  if (!parallel) {
    const own: (KeyPairs | RowItem)[] = columns ? rows.map((r) => ({ ...r, columns })) : items;
    return summarizeVerdicts(model.name, keyNames, checkKeys(model, own, budget, stop));
  }

  // The calling thread decides the first batch itself while workers decide the others: only
  // their batches are packed and copied. A worker that finds a violation raises the shared
  // stop flag itself (this thread may be busy searching and not reading messages).
  let own: (KeyPairs | RowItem)[];
  let packed: { batch: PackedItems | ColumnBatch; transfer: ArrayBuffer[] }[];
  if (columns) {
    const [ownRows, ...others] = balance(rows, threads, (r) => r.invokes.length);
    packed = others.map((batch) => packRows(columns, batch));
    own = ownRows!.map((r) => ({ ...r, columns }));
    rows = [];
  } else {
    const [ownItems, ...others] = balance(items, threads, (i) => i.pairs.length);
    packed = others.map((batch) => {
      const p = encodeItems(batch);
      return { batch: p, transfer: [p.numbers.buffer as ArrayBuffer] };
    });
    own = ownItems!;
  }
  items = [];
  const abort = (): void => void Atomics.store(stop, 0, 1);
  options.signal?.addEventListener('abort', abort, { once: true });
  const verdicts: KeyVerdict[] = [];
  const workers: Worker[] = [];
  try {
    const finished = Promise.all(
      packed.map(
        ({ batch, transfer }) =>
          new Promise<void>((resolve, reject) => {
            const task: WorkerTask = {
              spec,
              items: batch,
              budgetMsLeft: budget.deadlineMs - performance.now(),
              maxCacheEntries: budget.maxCacheEntries,
              explain: budget.explain,
              stop: stopBuffer,
            };
            const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: task, transferList: transfer });
            workers.push(worker);
            worker.on('message', (m: WorkerMessage) => {
              if (m.kind === 'key') {
                verdicts.push(m.verdict);
                if (m.verdict.valid === false) abort();
              } else if (m.kind === 'done') void worker.terminate().then(() => resolve());
              else {
                abort();
                void worker.terminate();
                reject(Object.assign(new Error(m.message), { name: m.name }));
              }
            });
            worker.on('error', (err) => {
              abort();
              reject(err);
            });
          }),
      ),
    );
    // Handled below; marked now so a worker failing while this thread searches is not "unhandled".
    finished.catch(() => undefined);
    try {
      for (const v of checkKeys(model, own, budget, stop)) {
        verdicts.push(v);
        if (v.valid === false) abort();
      }
    } catch (err) {
      abort();
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    await finished;
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
  // Report the first failing key found; verdicts of keys stopped mid-search read as not reached.
  const decided = verdicts.filter((v) => v.unknown?.reason !== 'stopped' || !verdicts.some((w) => w.valid === false));
  return summarizeVerdicts(model.name, keyNames, decided);
}

/**
 * The checker as workloads use it (DESIGN.md's `Checker`): a named model, default options, and
 * per-call options (signal, budget) on top.
 */
export function linearizableChecker(
  spec: ModelSpec,
  defaults: LinearizableOptions = {},
): { check(history: readonly Op[], options?: CheckOptions): Promise<LinearizabilityResult> } {
  return { check: (history, options = {}) => checkLinearizable(history, spec, { ...defaults, ...options }) };
}
