// Our own op records as JSON Lines: one Op per line, fields exactly as in src/core/op.ts.

import { UserError } from '../core/errors.js';
import { NEMESIS, isOpType, type Op } from '../core/op.js';

/** One op → one JSON line (no trailing newline). Field order is stable. */
export function opToJsonl(op: Op): string {
  const rec: Record<string, unknown> = {
    index: op.index,
    type: op.type,
    process: op.process,
    f: op.f,
    value: op.value ?? null,
    timeNs: op.timeNs,
  };
  if (op.node !== undefined) rec.node = op.node;
  if (op.error !== undefined) rec.error = op.error;
  if (op.ext !== undefined) rec.ext = op.ext;
  return JSON.stringify(rec);
}

function fieldError(where: string, field: string, got: unknown, want: string): UserError {
  return new UserError(`${where}: "${field}" is ${JSON.stringify(got)?.slice(0, 60)}; expected ${want}`);
}

const PLAIN_FIELDS = ['index', 'type', 'process', 'f', 'value', 'timeNs'];

/** True when the record has exactly opToJsonl's six fields, value not null-ish-undefined. */
function isPlainOpRecord(r: Record<string, unknown>): boolean {
  let n = 0;
  for (const k in r) {
    if (k !== PLAIN_FIELDS[n]) return false;
    n++;
  }
  return n === PLAIN_FIELDS.length && r.value !== undefined;
}

/** Parses one JSONL record, naming the line and field on any problem. */
export function opFromJsonl(line: string, where: string): Op {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch (err) {
    throw new UserError(`${where}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) {
    throw new UserError(`${where}: expected an op object like {"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}`);
  }
  const r = rec as Record<string, unknown>;
  if (!Number.isInteger(r.index)) throw fieldError(where, 'index', r.index, 'an integer');
  if (!isOpType(r.type)) throw fieldError(where, 'type', r.type, 'one of invoke, ok, fail, info');
  if (!(r.process === NEMESIS || Number.isInteger(r.process))) throw fieldError(where, 'process', r.process, 'an integer or "nemesis"');
  if (typeof r.f !== 'string' || r.f === '') throw fieldError(where, 'f', r.f, 'a non-empty string');
  if (typeof r.timeNs !== 'number' || !Number.isFinite(r.timeNs)) throw fieldError(where, 'timeNs', r.timeNs, 'a number of nanoseconds');
  // The common record (the six fields opToJsonl writes, in its order) is the op itself: no copy.
  if (isPlainOpRecord(r)) return r as unknown as Op;
  const op: Op = {
    index: r.index as number,
    type: r.type,
    process: r.process as Op['process'],
    f: r.f,
    value: r.value ?? null,
    timeNs: r.timeNs,
  };
  if (r.node !== undefined) {
    if (typeof r.node !== 'string') throw fieldError(where, 'node', r.node, 'a string');
    op.node = r.node;
  }
  if (r.error !== undefined) {
    if (typeof r.error !== 'string') throw fieldError(where, 'error', r.error, 'a string');
    op.error = r.error;
  }
  if (r.ext !== undefined) {
    if (typeof r.ext !== 'object' || r.ext === null || Array.isArray(r.ext)) throw fieldError(where, 'ext', r.ext, 'an object');
    op.ext = r.ext as Record<string, unknown>;
  }
  return op;
}

/** Parses a whole JSONL text; blank lines are skipped. */
export function parseJsonlHistory(text: string, source = 'history.jsonl'): Op[] {
  // One line at a time without splitting the text into an array of lines first: a 1M-op
  // history is 2M lines, and the array and its copies cost seconds of garbage collection.
  const ops: Op[] = [];
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    ops.push(opFromJsonl(line, `${source}:${lineNo}`));
  }
  return ops;
}
