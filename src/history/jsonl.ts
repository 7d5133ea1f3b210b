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
  const ops: Op[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    ops.push(opFromJsonl(line, `${source}:${i + 1}`));
  }
  return ops;
}
