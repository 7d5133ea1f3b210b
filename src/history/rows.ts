// The mapping between an Op and its row in the `ops` table.

import { NEMESIS, type Op } from '../core/op.js';

/** process column value of the nemesis. */
export const NEMESIS_PROCESS = -1;

export interface OpRow {
  index: number;
  time_ns: number;
  process: number;
  type: string;
  f: string;
  value: unknown;
  node: string | null;
  error: string | null;
  ext: Record<string, unknown> | null;
}

export function opToRow(op: Op): OpRow {
  return {
    index: op.index,
    time_ns: op.timeNs,
    process: op.process === NEMESIS ? NEMESIS_PROCESS : op.process,
    type: op.type,
    f: op.f,
    value: op.value ?? null,
    node: op.node ?? null,
    error: op.error ?? null,
    ext: op.ext ?? null,
  };
}

/** A row as read with value and ext as text (parsed here: faster than the driver's jsonb path). */
export interface RawOpRow {
  index: number;
  time_ns: string | number;
  process: number;
  type: Op['type'];
  f: string;
  value: string | null;
  node: string | null;
  error: string | null;
  ext: string | null;
}

export function rowToOp(r: RawOpRow): Op {
  const op: Op = {
    index: r.index,
    type: r.type,
    process: r.process === NEMESIS_PROCESS ? NEMESIS : r.process,
    f: r.f,
    value: r.value === null ? null : JSON.parse(r.value),
    timeNs: Number(r.time_ns),
  };
  if (r.node !== null) op.node = r.node;
  if (r.error !== null) op.error = r.error;
  if (r.ext !== null) op.ext = JSON.parse(r.ext) as Record<string, unknown>;
  return op;
}
