// Rejects malformed histories with the index of the first bad op and the reason, so every
// checker can assume well-formed input — and histories Postgres cannot hold as they are (a NUL
// or a lone surrogate in a string, an index or a time outside its column, a value nested deeper
// than the JSON parsers' stacks), so an import fails at once with one line instead of crashing
// the store after its retries and leaving a half-written run behind.

import { isOpType, type Op, type Process } from '../core/op.js';

export interface HistoryProblem {
  /** Position in the array (0-based). */
  position: number;
  /** The op's own `index` field. */
  index: number;
  reason: string;
}

/** Returns the first problem found, or undefined when the history is well formed. */
export function validateHistory(history: readonly Op[]): HistoryProblem | undefined {
  const inFlight = new Map<Process, Op>();
  const retired = new Set<Process>();
  let lastIndex = -Infinity;
  for (let i = 0; i < history.length; i++) {
    const op = history[i]!;
    const bad = (reason: string): HistoryProblem => ({ position: i, index: op.index, reason });
    if (!isOpType(op.type)) return bad(`unknown type ${JSON.stringify(op.type)} (expected invoke, ok, fail or info)`);
    if (!Number.isInteger(op.index)) return bad(`index ${JSON.stringify(op.index)} is not an integer`);
    if (op.index <= lastIndex) return bad(`index ${op.index} does not increase (previous ${lastIndex})`);
    lastIndex = op.index;
    if (typeof op.f !== 'string' || op.f === '') return bad(`f ${JSON.stringify(op.f)} is not a non-empty string`);
    if (!(op.process === 'nemesis' || Number.isInteger(op.process))) {
      return bad(`process ${JSON.stringify(op.process)} is neither an integer nor "nemesis"`);
    }
    if (typeof op.timeNs !== 'number' || !Number.isFinite(op.timeNs)) return bad(`timeNs ${JSON.stringify(op.timeNs)} is not a number`);
    const unstorable = storeProblem(op);
    if (unstorable) return bad(unstorable);
    const open = inFlight.get(op.process);
    if (op.type === 'invoke') {
      if (open) return bad(`process ${op.process} invokes ${op.f} while its ${open.f} (index ${open.index}) is still in flight`);
      if (retired.has(op.process) && op.process !== 'nemesis') {
        return bad(`process ${op.process} invokes again after an info completion retired it`);
      }
      inFlight.set(op.process, op);
      continue;
    }
    if (!open) return bad(`${op.type} ${op.f} on process ${op.process} has no invoke in flight`);
    if (open.f !== op.f) return bad(`completion f ${op.f} differs from its invoke's f ${open.f} (index ${open.index})`);
    inFlight.delete(op.process);
    if (op.type === 'info') retired.add(op.process);
  }
  return undefined;
}

/** Columns `ops.index` and `ops.process` are Postgres integers; `ops.time_ns` is a bigint. */
const INT4_MAX = 2 ** 31 - 1;
const INT8_LIMIT = 2 ** 63;
/** Deepest nesting of arrays and objects in a value; far beyond any real op, far within every parser's stack. */
export const MAX_VALUE_DEPTH = 1000;

/** A NUL (Postgres text and jsonb refuse it) or a UTF-16 surrogate without its pair (not UTF-8). */
const BAD_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function stringProblem(s: string): string | undefined {
  const m = BAD_CHAR.exec(s);
  if (!m) return undefined;
  const what = m[0] === '\u0000' ? 'a NUL character (\\u0000)' : `a lone surrogate (\\u${m[0].charCodeAt(0).toString(16)})`;
  return `contains ${what} at character ${m.index}, which Postgres cannot store`;
}

/** Why the op cannot be stored as it is, or undefined. */
export function storeProblem(op: Op): string | undefined {
  if (op.index < 0 || op.index > INT4_MAX) return `index ${op.index} is outside 0…${INT4_MAX}`;
  if (op.process !== 'nemesis' && ((op.process as number) < 0 || (op.process as number) > INT4_MAX)) {
    return `process ${op.process} is outside 0…${INT4_MAX}`;
  }
  if (!Number.isInteger(op.timeNs) || Math.abs(op.timeNs) >= INT8_LIMIT) return `timeNs ${op.timeNs} is not an integer within ±2^63`;
  for (const [field, v] of [['f', op.f], ['node', op.node], ['error', op.error]] as const) {
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) return `${field} ${p}`;
    }
  }
  for (const [field, v] of [['value', op.value], ['ext', op.ext]] as const) {
    const p = valueProblem(v);
    if (p) return `${field} ${p}`;
  }
  return undefined;
}

/** Walks a value without recursion (so depth cannot overflow our own stack). */
function valueProblem(root: unknown): string | undefined {
  // Fast path for the common values (a primitive, or a flat array of numbers and short
  // strings): no stack, no allocation; anything else takes the walk below.
  if (root === null || root === undefined || typeof root === 'boolean') return undefined;
  if (typeof root === 'number' && Number.isFinite(root)) return undefined;
  if (Array.isArray(root) && root.every((x) => x === null || (typeof x === 'number' && Number.isFinite(x)) || (typeof x === 'string' && !BAD_CHAR.test(x)))) return undefined;
  const stack: [unknown, number, string][] = [[root, 0, '']];
  while (stack.length > 0) {
    const [v, depth, path] = stack.pop()!;
    const at = path ? ` at ${path}` : '';
    if (typeof v === 'string') {
      const p = stringProblem(v);
      if (p) return `${p.replace(/^contains/, `contains${at}`)}`;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `holds ${v}${at}, which JSON cannot represent`;
    } else if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') {
      return `holds a ${typeof v}${at}, which JSON cannot represent`;
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_VALUE_DEPTH) return `is nested deeper than ${MAX_VALUE_DEPTH} levels${at}`;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], depth + 1, depth < 8 ? `${path}[${i}]` : path]);
      } else {
        for (const [k, x] of Object.entries(v)) {
          const p = stringProblem(k);
          if (p) return `has a key that ${p}`;
          stack.push([x, depth + 1, depth < 8 ? `${path}.${k.slice(0, 40)}` : path]);
        }
      }
    }
  }
  return undefined;
}
