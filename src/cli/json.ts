// The pieces every command's --json shares (docs/json.md): one spelling of a run, one meaning
// of "ops".
//
// Words: an *op* (operation) is one client invocation with its completion, if any — a history's
// `invoke` line and its `ok`/`fail`/`info` line count as one op. A history *event* is one line
// of the history (invocations and completions, nemesis included).

import type { Op } from '../core/op.js';
import type { Validity } from '../core/validity.js';
import { gatedVerdict } from '../core/gate.js';
import type { RunRow } from '../history/runs.js';

/** Version of every command's --json shape; bump it on an incompatible change. */
export const JSON_SCHEMA_VERSION = 1 as const;

/** A stored run as every command's --json writes it. */
export interface RunJson {
  id: number;
  name: string;
  source: string;
  status: string;
  /** ISO-8601 UTC. */
  startedAt: string;
  finishedAt: string | null;
  /** The verdict (null: never checked); never `true` for a run that did not finish. */
  valid: Validity | null;
  /** History events stored (invocations and completions). */
  events: number;
  host: string | null;
  user: string | null;
  ci: string | null;
}

export function runJson(r: RunRow): RunJson {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    status: r.status,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    valid: r.valid === null ? null : gatedVerdict(r.status, r.valid),
    events: r.ops,
    host: r.host,
    user: r.user,
    ci: r.ci,
  };
}

/** Client operations: invocations by client processes. */
export function countOps(history: readonly Op[]): number {
  let n = 0;
  for (const op of history) if (op.type === 'invoke' && op.process !== 'nemesis') n++;
  return n;
}

export function opsText(ops: number, events: number): string {
  return `${ops.toLocaleString('en')} op${ops === 1 ? '' : 's'}, ${events.toLocaleString('en')} history events`;
}
