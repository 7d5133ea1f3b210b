// Runs, results and node logs: the rows around a history.

import type { Sql } from 'postgres';
import { UserError } from '../core/errors.js';
import type { Validity } from '../core/validity.js';

export type RunStatus = 'running' | 'finished' | 'crashed' | 'aborted';

export interface RunRow {
  id: number;
  name: string;
  source: string;
  spec: Record<string, unknown>;
  seed: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  valid: Validity | null;
  ops: number;
}

export function parseValidity(v: string | null): Validity | null {
  return v === null ? null : v === 'true' ? true : v === 'false' ? false : 'unknown';
}

interface RawRun {
  id: string;
  name: string;
  source: string;
  spec: Record<string, unknown>;
  seed: string | null;
  started_at: Date;
  finished_at: Date | null;
  status: RunStatus;
  valid: string | null;
  op_count: string;
}

function toRun(r: RawRun): RunRow {
  return {
    id: Number(r.id),
    name: r.name,
    source: r.source,
    spec: r.spec,
    seed: r.seed,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    status: r.status,
    valid: parseValidity(r.valid),
    ops: Number(r.op_count),
  };
}

/** Writes the run row (before anything else happens) and returns its id. */
export async function createRun(
  sql: Sql,
  run: { name: string; source?: string; spec?: Record<string, unknown>; seed?: string | number | bigint },
): Promise<number> {
  const [row] = await sql<{ id: string }[]>`
    insert into runs (name, source, spec, seed)
    values (${run.name}, ${run.source ?? 'test'}, ${sql.json((run.spec ?? {}) as never)}, ${run.seed === undefined ? null : String(run.seed)})
    returning id`;
  return Number(row!.id);
}

export async function finishRun(sql: Sql, runId: number, status: RunStatus, valid: Validity | null): Promise<void> {
  await sql`update runs set status = ${status}, valid = ${valid === null ? null : String(valid)}, finished_at = now() where id = ${runId}`;
}

export async function setRunValidity(sql: Sql, runId: number, valid: Validity): Promise<void> {
  await sql`update runs set valid = ${String(valid)} where id = ${runId}`;
}

/** Runs newest first. */
export async function listRuns(sql: Sql, limit = 50): Promise<RunRow[]> {
  const rows = await sql<RawRun[]>`select * from runs order by id desc limit ${limit}`;
  return rows.map(toRun);
}

export async function getRun(sql: Sql, runId: number): Promise<RunRow | undefined> {
  const [row] = await sql<RawRun[]>`select * from runs where id = ${runId}`;
  return row ? toRun(row) : undefined;
}

/** `latest`, a run id, or a run name (its newest run) → the run; UserError when there is none. */
export async function resolveRun(sql: Sql, ref: string, where: string): Promise<RunRow> {
  let row: RawRun | undefined;
  if (ref === 'latest') [row] = await sql<RawRun[]>`select * from runs order by id desc limit 1`;
  else if (/^\d+$/.test(ref)) [row] = await sql<RawRun[]>`select * from runs where id = ${Number(ref)}`;
  else [row] = await sql<RawRun[]>`select * from runs where name = ${ref} order by id desc limit 1`;
  if (!row) {
    const what = ref === 'latest' ? 'no runs yet' : `no run ${JSON.stringify(ref)}`;
    throw new UserError(`${what} in ${where}; \`faultline runs\` lists the stored runs`);
  }
  return toRun(row);
}

export async function saveResult(sql: Sql, runId: number, checker: string, valid: Validity, detail: unknown): Promise<void> {
  await sql`
    insert into results (run_id, checker, valid, detail) values (${runId}, ${checker}, ${String(valid)}, ${sql.json(detail as never)})
    on conflict (run_id, checker) do update set valid = excluded.valid, detail = excluded.detail`;
}

export async function readResults(sql: Sql, runId: number): Promise<{ checker: string; valid: Validity; detail: unknown }[]> {
  const rows = await sql<{ checker: string; valid: string; detail: unknown }[]>`
    select checker, valid, detail from results where run_id = ${runId} order by checker`;
  return rows.map((r) => ({ checker: r.checker, valid: parseValidity(r.valid)!, detail: r.detail }));
}

export async function saveNodeLog(sql: Sql, runId: number, node: string, text: string): Promise<void> {
  await sql`
    insert into node_logs (run_id, node, text) values (${runId}, ${node}, ${text})
    on conflict (run_id, node) do update set text = excluded.text`;
}

export async function readNodeLogs(sql: Sql, runId: number): Promise<{ node: string; text: string }[]> {
  return sql<{ node: string; text: string }[]>`select node, text from node_logs where run_id = ${runId} order by node`;
}
