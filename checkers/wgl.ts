// The just-in-time linearization search (Wing & Gong, with Lowe's cache of visited configurations)
// for the calls of ONE object. Calls and returns sit in a doubly linked list in real-time order;
// from a configuration, the calls that may go next are those before the first return in the list
// (the window); when none leads anywhere the configuration fails and the search backtracks.
// A configuration is (linearized calls, model state); one already explored is never explored again.
//
// Order and reductions, each argued where it is applied:
//  - a legal completed pure call (a read) is the only move tried (it can always go first);
//  - the call whose return ends the window is tried first (it is the most constrained);
//  - crashed calls (unknown output, no return event) are optional and never block anything;
//    they are tried after completed calls, so they are used only when needed;
//  - dominance: a configuration with the same completed calls and state as an explored one, but
//    with MORE crashed calls used up, is pruned (it can do nothing the other could not);
//  - interchangeable crashed calls (same input) are used in invoke order only;
//  - a crashed call that leaves the state unchanged is never applied.

import type { AnyModel, PlacedCall } from './model.js';
import { ConfigCache } from './config-cache.js';
import { mixHash } from './values.js';

export interface SearchLimits {
  /** performance.now() value after which the search gives up with `unknown`. */
  deadlineMs: number;
  /** Most configurations the cache may hold before the search gives up with `unknown`. */
  maxCacheEntries: number;
  /** Another thread sets [0] to 1 to stop the search (a key elsewhere was not linearizable). */
  stopFlag?: Int32Array;
}

export interface PartialLinearization {
  /** Indexes into `calls`, in linearization order. */
  order: number[];
  /** The model state after each call of `order`. */
  states: unknown[];
}

export type SearchOutcome =
  | { verdict: true; order: number[]; configurations: number }
  | {
      verdict: false;
      best: PartialLinearization;
      /** The completed call that had to come next after `best` but could not: where the search died. */
      blocker: number | undefined;
      configurations: number;
    }
  | {
      verdict: 'unknown';
      reason: 'time' | 'memory' | 'stopped';
      best: PartialLinearization;
      configurations: number;
    };

/** A move made: call `call` applied to `prevState`, giving `nexts[alt]`. */
interface Frame {
  call: number;
  prevState: unknown;
  nexts: unknown[];
  alt: number;
}

/** The moves left to try from one configuration (see expand and nextCandidate). */
interface Level {
  /** A legal completed pure call: the only move worth making, or -1. */
  forced: number;
  /** The call whose return ends the window of calls that may go next, or -1. */
  stuck: number;
  /** 0 forced move, 1 stuck call, 2 completed calls writing what it observed, 3 other completed calls, 4 crashed calls, 5 done. */
  phase: number;
  /** Position of the window scan in phases 2 and 3. */
  cursor: number;
}

const CHECK_EVERY = 2048;

/** Searches for a linearization of `calls` (sorted by callAt; returnAt Infinity = crashed). */
export function searchLinearization(model: AnyModel, calls: readonly PlacedCall<unknown, unknown>[], limits: SearchLimits): SearchOutcome {
  const n = calls.length;
  // --- numbering: completed calls get required ids, crashed calls info ids (both in call order).
  const reqId = new Int32Array(n).fill(-1);
  const infoId = new Int32Array(n).fill(-1);
  let required = 0;
  let crashedCount = 0;
  const classOf = new Int32Array(n);
  const rankOf = new Int32Array(n);
  const classIds = new Map<string, number>();
  const classSizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = calls[i]!;
    if (c.returnAt === Infinity) {
      infoId[i] = crashedCount++;
      const key = model.inputKey(c.input);
      let cls = classIds.get(key);
      if (cls === undefined) {
        cls = classSizes.length;
        classIds.set(key, cls);
        classSizes.push(0);
      }
      classOf[i] = cls;
      rankOf[i] = classSizes[cls]!++;
    } else reqId[i] = required++;
  }
  const usedInClass = new Int32Array(classSizes.length);
  // Tokens of observed and written values (model.needs / provides), to try first the calls that
  // write what the stuck call observed.
  const needsOf = calls.map((c) => model.needs?.(c.input, c.output) ?? []);
  const providesOf = calls.map((c) => model.provides?.(c.input, c.output) ?? []);
  const isPure = new Uint8Array(n);
  for (let i = 0; i < n; i++) isPure[i] = reqId[i]! >= 0 && model.isPure?.(calls[i]!.input, calls[i]!.output) === true ? 1 : 0;

  // --- the event list: node 2i = call of i, 2i+1 = its return; HEAD = 2n; -1 = end.
  const HEAD = 2 * n;
  const next = new Int32Array(2 * n + 1).fill(-1);
  const prev = new Int32Array(2 * n + 1).fill(-1);
  const events: { at: number; node: number }[] = [];
  for (let i = 0; i < n; i++) {
    events.push({ at: calls[i]!.callAt, node: 2 * i });
    if (reqId[i]! >= 0) events.push({ at: calls[i]!.returnAt, node: 2 * i + 1 });
  }
  events.sort((a, b) => a.at - b.at || (a.node & 1) - (b.node & 1));
  let last = HEAD;
  for (const e of events) {
    next[last] = e.node;
    prev[e.node] = last;
    last = e.node;
  }
  const unlink = (node: number): void => {
    const p = prev[node]!;
    const q = next[node]!;
    next[p] = q;
    if (q >= 0) prev[q] = p;
  };
  const relink = (node: number): void => {
    const p = prev[node]!;
    const q = next[node]!;
    next[p] = node;
    if (q >= 0) prev[q] = node;
  };
  const lift = (i: number): void => {
    unlink(2 * i);
    if (reqId[i]! >= 0) unlink(2 * i + 1);
  };
  const unlift = (i: number): void => {
    if (reqId[i]! >= 0) relink(2 * i + 1);
    relink(2 * i);
  };

  // --- the configuration: completed calls as bits (all below `firstOpen` are set), crashed as bits.
  const reqBits = new Uint32Array((required >>> 5) + 1);
  const infoBits = crashedCount > 0 ? new Uint32Array((crashedCount >>> 5) + 1) : undefined;
  let firstOpen = 0;
  const maxReqAt: number[] = [-1];
  let state: unknown = model.init();
  let requiredDone = 0;

  const setBit = (i: number): void => {
    const r = reqId[i]!;
    if (r >= 0) {
      reqBits[r >>> 5]! |= 1 << (r & 31);
      requiredDone++;
      if (r === firstOpen) while (firstOpen < required && reqBits[firstOpen >>> 5]! & (1 << (firstOpen & 31))) firstOpen++;
    } else {
      const k = infoId[i]!;
      infoBits![k >>> 5]! |= 1 << (k & 31);
      usedInClass[classOf[i]!]!++;
    }
  };
  const clearBit = (i: number): void => {
    const r = reqId[i]!;
    if (r >= 0) {
      reqBits[r >>> 5]! &= ~(1 << (r & 31));
      requiredDone--;
      if (r < firstOpen) firstOpen = r;
    } else {
      const k = infoId[i]!;
      infoBits![k >>> 5]! &= ~(1 << (k & 31));
      usedInClass[classOf[i]!]!--;
    }
  };

  // --- the cache of explored configurations, with dominance over crashed calls.
  const cache = new ConfigCache(infoBits ? infoBits.length : 0, (a, b) => model.equal(a, b));
  /** True when an explored configuration dominates the current one; else records the current one. */
  const seenOrRecord = (maxReq: number, s: unknown): boolean => {
    // The completed calls are all ids below firstOpen plus the words from its word to maxReq's.
    const startWord = firstOpen >>> 5;
    const length = maxReq >= firstOpen ? (maxReq >>> 5) - startWord + 1 : 0;
    let h = mixHash(firstOpen, model.hash(s));
    for (let w = 0; w < length; w++) h = mixHash(h, reqBits[startWord + w]!);
    return cache.seenOrRecord(h, firstOpen, reqBits, startWord, length, infoBits, s);
  };

  // --- the best partial linearization (most completed calls), copied lazily from the stack.
  const stack: Frame[] = [];
  let best: Frame[] = [];
  let bestRequired = 0;
  let lowWater = 0;
  let blocker: number | undefined;
  const noteProgress = (): void => {
    if (stack.length < lowWater) lowWater = stack.length;
    if (requiredDone > bestRequired) {
      bestRequired = requiredDone;
      best.length = Math.min(lowWater, best.length);
      for (let d = best.length; d < stack.length; d++) best.push({ ...stack[d]! });
      lowWater = stack.length;
      blocker = undefined;
    }
  };
  const partial = (): PartialLinearization => ({
    order: best.map((f) => f.call),
    states: best.map((f) => f.nexts[f.alt]),
  });

  /** Index of the first next-state of call i from `state` worth trying (not explored), or -1. */
  const firstFreshAlternative = (i: number, nexts: unknown[], from: number, maxReq: number): number => {
    for (let k = from; k < nexts.length; k++) {
      setBit(i);
      const seen = seenOrRecord(maxReq, nexts[k]);
      if (!seen) return k;
      clearBit(i);
    }
    return -1;
  };

  /**
   * Opens the current configuration: finds the call whose return ends the just-in-time window
   * (`stuck`: it must come before anything invoked later, so it is tried first), and a forced
   * move if there is one. A completed pure call (a read, a cas that returned false: no legal
   * step of it changes the state) that is legal here is the only move worth making: in any
   * successful continuation it can be moved to the front (it is legal now, changes nothing
   * where it was, and being available now, no call that must precede it is pending).
   */
  const expand = (): void => {
    let node = next[HEAD]!;
    let forced = -1;
    while (node >= 0 && (node & 1) === 0) {
      const i = node >>> 1;
      if (forced < 0 && isPure[i] === 1 && model.step(state, calls[i]!.input, calls[i]!.output).length > 0) forced = i;
      node = next[node]!;
    }
    // Level objects are reused by depth: the search makes millions, the garbage collector need not.
    let level = levelPool[levelCount];
    if (!level) levelPool[levelCount] = level = { forced: -1, stuck: -1, phase: 0, cursor: -1 };
    levelCount++;
    level.forced = forced;
    level.stuck = node >= 0 ? node >>> 1 : -1;
    level.phase = forced >= 0 ? 0 : 1;
    level.cursor = next[HEAD]!;
  };

  /**
   * The next move to try from a configuration, or -1: the forced move alone; else the stuck
   * call, then the other completed calls of the window in invoke order, then crashed ones (so
   * crashed calls are used only when needed).
   */
  const nextCandidate = (level: Level): number => {
    if (level.phase === 0) {
      level.phase = 5;
      return level.forced;
    }
    if (level.phase === 1) {
      level.phase = 2;
      if (level.stuck >= 0) return level.stuck;
    }
    const stuckNeeds = level.stuck >= 0 ? needsOf[level.stuck] : undefined;
    const helps = (i: number): boolean => stuckNeeds !== undefined && stuckNeeds.length > 0 && providesOf[i]!.some((t) => stuckNeeds.includes(t));
    while (level.phase >= 2 && level.phase <= 4) {
      const node = level.cursor;
      if (node < 0 || (node & 1) === 1) {
        // End of the window: scan it again for the next kind of call, or stop.
        level.phase++;
        level.cursor = next[HEAD]!;
        continue;
      }
      level.cursor = next[node]!;
      const i = node >>> 1;
      if (i === level.stuck) continue;
      const crashed = reqId[i]! < 0;
      // Phase 2: completed calls that write a value the stuck call observed; 3: other
      // completed calls; 4: crashed calls.
      if (level.phase === 2 ? !crashed && helps(i) : level.phase === 3 ? !crashed && !helps(i) : crashed) return i;
    }
    return -1;
  };

  // Monotone stretches (model.extendsOnly: appends and reads make the value longer): a state that
  // a pending completed read can no longer see, while only such calls can run before it, leads
  // nowhere. The event list is walked from the front: the first few returns of completed pure
  // calls are checked, until the call of some other pending call (a write could reset the value
  // before the reads after it).
  const extendsOnly = new Uint8Array(n);
  if (model.extendsOnly && model.canPrecede) for (let i = 0; i < n; i++) extendsOnly[i] = model.extendsOnly(calls[i]!.input, calls[i]!.output) ? 1 : 0;
  // Only worth it when something extends the value (an append), not for reads alone.
  let monotone = false;
  for (let i = 0; i < n && !monotone; i++) monotone = extendsOnly[i] === 1 && model.isPure?.(calls[i]!.input, calls[i]!.output) !== true;
  const pendingReadsAllow = (s: unknown, moved: number): boolean => {
    let seen = 0;
    let walked = 0;
    for (let node = next[HEAD]!; node >= 0 && seen < 8 && walked < 256; node = next[node]!, walked++) {
      const j = node >>> 1;
      if (j === moved) continue;
      if ((node & 1) === 0) {
        if (extendsOnly[j] !== 1) return true;
        continue;
      }
      if (isPure[j] !== 1) continue;
      seen++;
      if (!model.canPrecede!(s, calls[j]!.input, calls[j]!.output)) return false;
    }
    return true;
  };

  const levelPool: Level[] = [];
  let levelCount = 0;
  const framePool: Frame[] = [];
  /** Applies call i from the current configuration if it leads somewhere unexplored. */
  const tryMove = (i: number): boolean => {
    const crashed = reqId[i]! < 0;
    if (crashed && rankOf[i] !== usedInClass[classOf[i]!]) return false;
    const c = calls[i]!;
    let nexts = model.step(state, c.input, c.output);
    // A crashed call that changes nothing leads to a configuration dominated by this one.
    if (crashed) nexts = nexts.filter((t) => !model.equal(t, state));
    if (monotone && nexts.length > 0) nexts = nexts.filter((t) => pendingReadsAllow(t, i));
    if (nexts.length === 0) return false;
    const depth = stack.length;
    const maxReq = crashed ? maxReqAt[depth]! : Math.max(maxReqAt[depth]!, reqId[i]!);
    const k = firstFreshAlternative(i, nexts, 0, maxReq);
    if (k < 0) return false;
    let frame = framePool[depth];
    if (!frame) framePool[depth] = frame = { call: i, prevState: state, nexts, alt: k };
    frame.call = i;
    frame.prevState = state;
    frame.nexts = nexts;
    frame.alt = k;
    stack.push(frame);
    maxReqAt[depth + 1] = maxReq;
    state = nexts[k];
    lift(i);
    noteProgress();
    expand();
    return true;
  };

  let steps = 0;
  seenOrRecord(-1, state);
  expand();
  for (;;) {
    if (requiredDone === required) {
      return { verdict: true, order: stack.map((f) => f.call), configurations: cache.size };
    }
    if (++steps % CHECK_EVERY === 0) {
      const stopped = limits.stopFlag !== undefined && Atomics.load(limits.stopFlag, 0) !== 0;
      if (stopped || performance.now() > limits.deadlineMs) {
        return { verdict: 'unknown', reason: stopped ? 'stopped' : 'time', best: partial(), configurations: cache.size };
      }
    }
    if (cache.size > limits.maxCacheEntries) {
      return { verdict: 'unknown', reason: 'memory', best: partial(), configurations: cache.size };
    }
    const level = levelPool[levelCount - 1]!;
    let moved = false;
    for (let i = nextCandidate(level); !moved && i >= 0; i = moved ? -1 : nextCandidate(level)) moved = tryMove(i);
    if (moved) continue;
    // Every move from this configuration failed: it fails. Undo the move that led here.
    if (blocker === undefined && requiredDone === bestRequired && level.stuck >= 0) blocker = level.stuck;
    levelCount--;
    const frame = stack.at(-1);
    if (!frame) {
      return { verdict: false, best: partial(), blocker, configurations: cache.size };
    }
    const i = frame.call;
    clearBit(i);
    unlift(i);
    state = frame.prevState;
    const k = firstFreshAlternative(i, frame.nexts, frame.alt + 1, maxReqAt[stack.length]!);
    if (k >= 0) {
      frame.alt = k;
      // The top frame changed in place: `best` may share only the frames below it now.
      if (stack.length - 1 < lowWater) lowWater = stack.length - 1;
      state = frame.nexts[k];
      lift(i);
      expand();
      continue;
    }
    stack.pop();
    if (stack.length < lowWater) lowWater = stack.length;
  }
}
