// The operations shared by register, cas-register and kv (one register per key): read, write,
// compare-and-set and append, their sequential semantics, and the crashed-write pruning rule.

import type { Op } from '../../src/core/op.js';
import { UNKNOWN_OUTPUT, UnsupportedOpError, type Call, type MaybeOutput, type PlacedCall } from '../model.js';
import { bareKeyword, hashScalar, showScalar, toScalar, type Scalar } from '../values.js';
import { AppendText, AppendTexts, StringInterner } from './append-text.js';

/** A register's state: a plain value, or a value built by appends (shared, O(1) equality). */
export type RegisterState = Scalar | AppendText;

export type RegisterInput =
  | { kind: 'read' }
  | { kind: 'write'; value: Scalar }
  | { kind: 'cas'; from: Scalar; to: Scalar }
  | { kind: 'append'; value: string };

/** A read's value, or a cas's success (true / false). Writes and appends output null. */
export type RegisterOutput = Scalar;

export type RegisterKind = RegisterInput['kind'];

const KIND_OF_F: Record<string, RegisterKind> = {
  read: 'read',
  get: 'read',
  r: 'read',
  write: 'write',
  put: 'write',
  w: 'write',
  cas: 'cas',
  'compare-and-set': 'cas',
  append: 'append',
};

/**
 * Decodes one register call from the op's f and the (unwrapped) invoke and completion values.
 * `completionType` is 'ok', or 'fail' when the caller declared fail to mean "returned false".
 */
export function decodeRegisterCall(
  op: Op,
  modelName: string,
  allowed: readonly RegisterKind[],
  invokeValue: unknown,
  completion: { type: Op['type']; value: unknown } | undefined,
  /** Gives long read strings one object per content (see AppendText.prefixOf). */
  interner?: StringInterner,
  /** Knossos: a completed read of nil is satisfied by any value (decoded as an unknown output). */
  nilReadsAnything = false,
): Call<RegisterInput, RegisterOutput> {
  const kind = KIND_OF_F[bareKeyword(op.f)];
  if (!kind || !allowed.includes(kind)) {
    throw new UnsupportedOpError(op, modelName, `f must be one of ${allowed.join(', ')}`);
  }
  switch (kind) {
    case 'read':
      if (!completion) return { input: { kind }, output: UNKNOWN_OUTPUT };
      {
        const out = toScalar(completion.value);
        if (out === null && nilReadsAnything) return { input: { kind }, output: UNKNOWN_OUTPUT };
        return { input: { kind }, output: typeof out === 'string' && interner ? interner.intern(out) : out };
      }
    case 'write':
      return { input: { kind, value: toScalar(invokeValue) }, output: completion ? null : UNKNOWN_OUTPUT };
    case 'append':
      return { input: { kind, value: String(invokeValue) }, output: completion ? null : UNKNOWN_OUTPUT };
    case 'cas': {
      if (!Array.isArray(invokeValue) || invokeValue.length !== 2) {
        throw new UnsupportedOpError(op, modelName, 'a cas value must be [from, to]');
      }
      const input = { kind, from: toScalar(invokeValue[0]), to: toScalar(invokeValue[1]) } as const;
      return { input, output: completion ? completion.type === 'ok' : UNKNOWN_OUTPUT };
    }
  }
}

/** True when the register holding `state` holds the plain value `v`. */
function holds(state: RegisterState, v: Scalar): boolean {
  if (state instanceof AppendText) return typeof v === 'string' && state.is(v);
  return state === v;
}

/** Sequential semantics of a register holding `state` (appends build shared AppendText values). */
export function stepRegister(state: RegisterState, input: RegisterInput, output: MaybeOutput<RegisterOutput>, texts: AppendTexts): RegisterState[] {
  switch (input.kind) {
    case 'read':
      return output === UNKNOWN_OUTPUT || holds(state, output) ? [state] : [];
    case 'write':
      return [input.value];
    case 'append':
      if (state instanceof AppendText) return [texts.append(state, input.value)];
      if (state !== null && typeof state !== 'string') return [];
      return [texts.append(state ?? '', input.value)];
    case 'cas': {
      const matches = holds(state, input.from);
      if (output === UNKNOWN_OUTPUT) return [matches ? input.to : state];
      if (output === true) return matches ? [input.to] : [];
      return matches ? [] : [state];
    }
  }
}

export function registerInputKey(input: RegisterInput): string {
  switch (input.kind) {
    case 'read':
      return 'r';
    case 'write':
    case 'append':
      return `${input.kind[0]}${JSON.stringify(input.value)}`;
    case 'cas':
      return `c${JSON.stringify(input.from)},${JSON.stringify(input.to)}`;
  }
}

export function describeRegisterCall(input: RegisterInput, output: MaybeOutput<RegisterOutput>): string {
  const crashed = output === UNKNOWN_OUTPUT ? ' (crashed)' : '';
  switch (input.kind) {
    case 'read':
      return output === UNKNOWN_OUTPUT ? 'read (crashed)' : `read of ${showScalar(output)}`;
    case 'write':
      return `write ${showScalar(input.value)}${crashed}`;
    case 'append':
      return `append ${JSON.stringify(input.value)}${crashed}`;
    case 'cas':
      return `cas ${showScalar(input.from)}→${showScalar(input.to)}${
        output === UNKNOWN_OUTPUT ? ' (crashed)' : output ? '' : ' (returned false)'
      }`;
  }
}

/** The value a crashed write or cas leaves in the register when it takes effect. */
function valueSetBy(input: RegisterInput): Scalar | undefined {
  if (input.kind === 'write') return input.value;
  if (input.kind === 'cas') return input.to;
  return undefined;
}

/** True when `call` could see the register holding `v` (directly or through a successful cas). */
function couldObserve(call: PlacedCall<RegisterInput, RegisterOutput>, v: Scalar): boolean {
  const { input, output } = call;
  switch (input.kind) {
    case 'read':
      return output === v;
    case 'write':
      return false;
    case 'append':
      return true; // an append builds on whatever is there: always treat as observing.
    case 'cas':
      // A successful or crashed cas from v passes v on; a cas that returned false saw some value ≠ from.
      return output === false ? input.from !== v : input.from === v;
  }
}

/**
 * Pruning rule "unobserved crashed write". A crashed write w(v) (or crashed cas x→v) may be
 * treated as never having happened when no call that can be linearized after w's invoke could
 * observe v (see couldObserve).
 *
 * Argument: take any linearization L that uses w. After w the register holds v until the next
 * write. Every call linearized in that stretch is linearized after w's invoke, so it completes
 * after it; by assumption none reads v, none is a cas from v, none returned false from a value
 * other than v, and none is an append. What is left in the stretch are crashed cas calls from
 * values other than v, which were no-ops on v. Remove w and those crashed calls (crashed calls
 * may be dropped): every call before is unchanged, the stretch is empty, and the next write resets
 * the state, so the result is a legal linearization without w. Hence w never helps.
 */
export function crashedRegisterCallIsIrrelevant(
  calls: readonly PlacedCall<RegisterInput, RegisterOutput>[],
  crashed: number,
): boolean {
  const w = calls[crashed]!;
  if (w.input.kind === 'append') return crashedAppendIsUnread(calls, crashed);
  const v = valueSetBy(w.input);
  if (v === undefined) return false;
  for (let i = 0; i < calls.length; i++) {
    if (i === crashed) continue;
    const c = calls[i]!;
    if (c.returnAt > w.callAt && couldObserve(c, v)) return false;
  }
  return true;
}

/**
 * Pruning rule "unread crashed append". A crashed append of s (non-empty) may be treated as never
 * having happened when no call that completes after its invoke is a read whose string contains s,
 * or a cas (which compares the whole value).
 *
 * Argument: in a linearization L using it, the value holds s from the append until the next write
 * (appends only add to the end, so s stays inside). Every call linearized in that stretch
 * completes after the append's invoke, so none is a read (it would contain s) or a cas; what is
 * left are appends and writes, which never look at the value (an append's output is nothing).
 * Remove the append: the stretch's values lose s, nobody looks at them, and the next write resets
 * the value, so L without it is legal.
 */
function crashedAppendIsUnread(calls: readonly PlacedCall<RegisterInput, RegisterOutput>[], crashed: number): boolean {
  const w = calls[crashed]!;
  const s = (w.input as { value: string }).value;
  if (s === '') return false;
  const reads = readIndex(calls);
  if (reads.cas) return false;
  // Conservative: any read at all containing s (not only those completing after w's invoke).
  return !reads.maximal.some((o) => o.includes(s));
}

interface ReadIndex {
  /** The key has a cas call. */
  cas: boolean;
  /** Completed reads of strings, by return position. */
  byReturn: PlacedCall<RegisterInput, RegisterOutput>[];
  /** The read strings no other read string extends: a string inside any read is inside one of these. */
  maximal: string[];
}

/**
 * Per calls array (pruneCrashed removes crashed calls in place, never reads, so the index stays
 * true); checked against the number of calls it was built for.
 */
const readIndexes = new WeakMap<readonly unknown[], { reads: number; index: ReadIndex }>();

function readIndex(calls: readonly PlacedCall<RegisterInput, RegisterOutput>[]): ReadIndex {
  const byReturn = calls.filter((c) => c.input.kind === 'read' && c.returnAt !== Infinity && typeof c.output === 'string');
  const cached = readIndexes.get(calls);
  if (cached && cached.reads === byReturn.length) return cached.index;
  byReturn.sort((a, b) => a.returnAt - b.returnAt);
  const outputs = [...new Set(byReturn.map((c) => c.output as string))].sort((a, b) => b.length - a.length);
  const maximal: string[] = [];
  for (const o of outputs) if (!maximal.some((m) => m.startsWith(o))) maximal.push(o);
  const index = { cas: calls.some((c) => c.input.kind === 'cas'), byReturn, maximal };
  readIndexes.set(calls, { reads: byReturn.length, index });
  return index;
}

/**
 * A crashed append that some completed read R certainly saw must have taken effect before R:
 * returns R's return position (the earliest such R), so the search can treat the append as a
 * completed call returning there instead of an optional one (see Model.crashedDeadline).
 *
 * "Certainly saw": R's string cannot be spelled without it — not as any start value (the initial
 * value, any write or cas value, or empty) followed by any sequence of the OTHER appends' strings,
 * each usable any number of times. That relaxes the real constraints (each append happens at most
 * once, in real-time order), so if even it cannot spell R's string, no linearization without the
 * crashed append can. Then every linearization places the append before R, which is linearized
 * before R returned: exactly the linearizations of the history with the append completed at R's
 * return.
 */
export function crashedAppendDeadline(calls: readonly PlacedCall<RegisterInput, RegisterOutput>[], crashed: number, initial: Scalar): number | undefined {
  const w = calls[crashed]!;
  if (w.input.kind !== 'append' || w.returnAt !== Infinity || w.input.value === '') return undefined;
  const s = w.input.value;
  const reads = readIndex(calls);
  if (reads.cas || !reads.maximal.some((o) => o.includes(s))) return undefined;
  // The earliest reads after the invoke that contain s (a later one still gives a sound bound).
  const readers: PlacedCall<RegisterInput, RegisterOutput>[] = [];
  for (const r of reads.byReturn) {
    if (r.returnAt <= w.callAt) continue;
    if ((r.output as string).includes(s)) readers.push(r);
    if (readers.length >= 3) break;
  }
  const starts = new Set<string>(['']);
  if (typeof initial === 'string') starts.add(initial);
  const pieces = new Map<number, Set<string>>();
  calls.forEach((c, i) => {
    if (c.input.kind === 'write' && typeof c.input.value === 'string') starts.add(c.input.value);
    if (c.input.kind === 'append' && i !== crashed && c.input.value !== '') {
      const set = pieces.get(c.input.value.length) ?? new Set<string>();
      pieces.set(c.input.value.length, set.add(c.input.value));
    }
  });
  const spellable = (text: string): boolean => {
    const reach = new Uint8Array(text.length + 1);
    for (const st of starts) if (text.startsWith(st)) reach[st.length] = 1;
    for (let i = 0; i < text.length; i++) {
      if (!reach[i]) continue;
      for (const [len, set] of pieces) if (i + len <= text.length && set.has(text.slice(i, i + len))) reach[i + len] = 1;
      if (reach[text.length]) return true;
    }
    return reach[text.length] === 1;
  };
  for (const r of readers) if (!spellable(r.output as string)) return r.returnAt;
  return undefined;
}

export function hashRegister(s: RegisterState): number {
  return s instanceof AppendText ? s.hash : hashScalar(s);
}
export function showRegister(s: RegisterState): string {
  return showScalar(s instanceof AppendText ? s.toString() : s);
}

/**
 * The token of a value (needs / provides): strings as "s" + the string (no copy: appended values
 * run to megabytes, and JSON-quoting every read of them cost seconds), others as JSON (never
 * starting with "s").
 */
export function tokenOf(v: Scalar): string {
  return typeof v === 'string' ? `s${v}` : JSON.stringify(v);
}

/** Tokens of the values a call observed: a read's value, a successful cas's `from`. */
export function registerNeeds(input: RegisterInput, output: MaybeOutput<RegisterOutput>): string[] {
  if (input.kind === 'read' && output !== UNKNOWN_OUTPUT) return [tokenOf(output)];
  if (input.kind === 'cas' && output === true) return [tokenOf(input.from)];
  return [];
}

/**
 * Tokens of the values a call may write (a cas that returned false wrote nothing, a cas x→x
 * changed nothing). Appends build
 * values no token names: they provide none.
 */
export function registerProvides(input: RegisterInput, output: MaybeOutput<RegisterOutput>): string[] {
  // A cas x→x needs x already there: it is never where x came from.
  if (input.kind === 'cas' && (output === false || input.from === input.to)) return [];
  const v = valueSetBy(input);
  return v === undefined ? [] : [tokenOf(v)];
}

/** The value a completed write or successful cas certainly leaves (see Model.sets). */
export function registerSets(input: RegisterInput, output: MaybeOutput<RegisterOutput>): string | undefined {
  if (output === UNKNOWN_OUTPUT) return undefined;
  if (input.kind === 'write') return tokenOf(input.value);
  if (input.kind === 'cas' && output === true) return tokenOf(input.to);
  return undefined;
}

/**
 * Appends build values no token names: a read whose string contains an append's (non-empty)
 * string may have observed it. (Conservative: a substring match may be a coincidence; keeping
 * one append too many never makes an explanation dishonest.)
 */
export function registerObserves(reader: Call<RegisterInput, RegisterOutput>, writer: Call<RegisterInput, RegisterOutput>): boolean {
  return (
    reader.input.kind === 'read' &&
    typeof reader.output === 'string' &&
    writer.input.kind === 'append' &&
    writer.input.value !== '' &&
    reader.output.includes(writer.input.value)
  );
}

/** Reads, cas calls that returned false, and cas x→x never change the register. */
export function registerIsPure(input: RegisterInput, output: MaybeOutput<RegisterOutput>): boolean {
  if (input.kind === 'read') return true;
  return input.kind === 'cas' && (output === false || input.from === input.to);
}

/**
 * A certain violation found without search: the index of a completed call that needs the
 * register to hold v (a read of v, a successful cas from v) although every call that could
 * have written v was certainly overwritten before it was invoked. Returns undefined when there
 * is none (or the key has appends, which build values instead of setting them).
 *
 * Argument: in any linearization, take the last call P before R that wrote v (the initial value
 * counts as written at the start). Some completed call C that sets another value was invoked
 * after P completed and completed before R was invoked, so real time puts P < C < R, and no call
 * between C and R writes v (P was the last). So the register does not hold v at R.
 */
export function certainlyStaleRead(
  calls: readonly PlacedCall<RegisterInput, RegisterOutput>[],
  initial: Scalar,
): number | undefined {
  if (calls.some((c) => c.input.kind === 'append')) return undefined;
  // Completed calls that certainly set a value, by invoke position.
  const changers = calls
    .filter((c) => c.returnAt !== Infinity && (c.input.kind === 'write' || (c.input.kind === 'cas' && c.output === true)))
    .map((c) => ({ callAt: c.callAt, returnAt: c.returnAt, to: valueSetBy(c.input)! }))
    .sort((a, b) => a.callAt - b.callAt);
  // Suffix minima of return positions: the earliest-returning changer invoked at or after each
  // index, and the earliest one setting a different value (so one of them sets a value ≠ v).
  const n = changers.length;
  const best1 = new Float64Array(n + 1).fill(Infinity);
  const best1To: Scalar[] = new Array<Scalar>(n + 1).fill(null);
  const best2 = new Float64Array(n + 1).fill(Infinity);
  for (let i = n - 1; i >= 0; i--) {
    const c = changers[i]!;
    best1[i] = best1[i + 1]!;
    best1To[i] = best1To[i + 1]!;
    best2[i] = best2[i + 1]!;
    if (c.returnAt < best1[i]!) {
      if (best1To[i] !== c.to) best2[i] = best1[i]!;
      best1[i] = c.returnAt;
      best1To[i] = c.to;
    } else if (c.to !== best1To[i] && c.returnAt < best2[i]!) best2[i] = c.returnAt;
  }
  /** The earliest return of a changer to a value other than v invoked after position t. */
  const overwrittenBy = (t: number, v: Scalar): number => {
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (changers[mid]!.callAt > t) hi = mid;
      else lo = mid + 1;
    }
    return best1To[lo] !== v ? best1[lo]! : best2[lo]!;
  };
  // Per value: its writers by invoke position, with the running maximum of "overwritten by".
  const writers = new Map<Scalar, { callAt: number[]; maxOverwritten: number[] }>();
  const addWriter = (v: Scalar, callAt: number, returnAt: number): void => {
    let w = writers.get(v);
    if (!w) writers.set(v, (w = { callAt: [], maxOverwritten: [] }));
    w.callAt.push(callAt);
    w.maxOverwritten.push(returnAt === Infinity ? Infinity : overwrittenBy(returnAt, v));
  };
  addWriter(initial, -Infinity, -Infinity);
  const sorted = [...calls].sort((a, b) => a.callAt - b.callAt);
  for (const c of sorted) {
    const v = valueSetBy(c.input);
    if (v !== undefined && !(c.input.kind === 'cas' && c.output === false)) addWriter(v, c.callAt, c.returnAt);
  }
  for (const w of writers.values()) for (let i = 1; i < w.maxOverwritten.length; i++) w.maxOverwritten[i] = Math.max(w.maxOverwritten[i]!, w.maxOverwritten[i - 1]!);
  let found: number | undefined;
  calls.forEach((r, index) => {
    if (r.returnAt === Infinity) return;
    const needs = r.input.kind === 'read' ? r.output : r.input.kind === 'cas' && r.output === true ? r.input.from : undefined;
    if (needs === undefined || (found !== undefined && calls[found]!.callAt < r.callAt)) return;
    const w = writers.get(needs as Scalar);
    // Writers that can precede R: invoked before R completed.
    let count = 0;
    if (w) {
      let lo = 0;
      let hi = w.callAt.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (w.callAt[mid]! < r.returnAt) lo = mid + 1;
        else hi = mid;
      }
      count = lo;
    }
    if (count === 0 || w!.maxOverwritten[count - 1]! < r.callAt) found = index;
  });
  return found;
}

/**
 * The fields every register-like model shares (register, cas-register, kv): state and step,
 * purity, the crashed-call rule, the certain-violation scan, and needs/provides — with the
 * initial value needing no writer.
 */
export function registerModelCommon(start: Scalar) {
  const texts = new AppendTexts();
  return {
    init: (): RegisterState => start,
    step: (state: RegisterState, input: RegisterInput, output: MaybeOutput<RegisterOutput>) => stepRegister(state, input, output, texts),
    // Appends and reads only make a value longer: a pending read must see an extension of it.
    extendsOnly: (input: RegisterInput) => input.kind === 'append' || input.kind === 'read',
    canPrecede: (state: RegisterState, input: RegisterInput, output: MaybeOutput<RegisterOutput>): boolean => {
      // From nil, appends reach any string; from a string, its extensions; from anything else,
      // appends are illegal and reads change nothing, so only that value.
      if (input.kind !== 'read' || output === UNKNOWN_OUTPUT || state === null) return true;
      if (state instanceof AppendText) return typeof output === 'string' && state.mayBePrefixOf(output);
      if (typeof state === 'string') return typeof output === 'string' && output.startsWith(state);
      return output === state;
    },
    // Appended values are interned: equal sequences are the same object.
    equal: (a: RegisterState, b: RegisterState) => a === b,
    hash: hashRegister,
    isPure: registerIsPure,
    crashedIsIrrelevant: crashedRegisterCallIsIrrelevant,
    crashedDeadline: (calls: Parameters<typeof crashedAppendDeadline>[0], crashed: number) => crashedAppendDeadline(calls, crashed, start),
    certainViolation: (calls: Parameters<typeof certainlyStaleRead>[0]) => certainlyStaleRead(calls, start),
    needs: (input: RegisterInput, output: MaybeOutput<RegisterOutput>) => registerNeeds(input, output).filter((t) => t !== tokenOf(start)),
    provides: registerProvides,
    sets: registerSets,
    observes: registerObserves,
    inputKey: registerInputKey,
    describeCall: describeRegisterCall,
  };
}
