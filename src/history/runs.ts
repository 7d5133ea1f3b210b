// Runs, results and node logs: the rows around a history.

import { checkRunRef } from '../core/bounds.js';
import { hostname, userInfo } from 'node:os';
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
  /** Where and by whom the run was made (null for runs stored before this was recorded). */
  host: string | null;
  user: string | null;
  /** The CI job that made it, e.g. `github owner/repo run 123 job test` (null outside CI). */
  ci: string | null;
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
  host?: string | null;
  username?: string | null;
  ci?: string | null;
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
    host: r.host ?? null,
    user: r.username ?? null,
    ci: r.ci ?? null,
  };
}

/** The CI job described by the usual CI environment variables, or null outside CI. */
export function ciJob(env: NodeJS.ProcessEnv = process.env): string | null {
  const parts = (...xs: [string, string | undefined][]) => xs.filter(([, v]) => v).map(([k, v]) => (k ? `${k} ${v}` : v)).join(' ');
  if (env.GITHUB_ACTIONS) return parts(['github', env.GITHUB_REPOSITORY], ['run', env.GITHUB_RUN_ID], ['job', env.GITHUB_JOB]) || 'github';
  if (env.GITLAB_CI) return parts(['gitlab', env.CI_PROJECT_PATH], ['pipeline', env.CI_PIPELINE_ID], ['job', env.CI_JOB_ID]) || 'gitlab';
  if (env.BUILDKITE) return parts(['buildkite', env.BUILDKITE_PIPELINE_SLUG], ['build', env.BUILDKITE_BUILD_NUMBER], ['job', env.BUILDKITE_JOB_ID]) || 'buildkite';
  if (env.CIRCLECI) return parts(['circleci', env.CIRCLE_PROJECT_REPONAME], ['build', env.CIRCLE_BUILD_NUM], ['job', env.CIRCLE_JOB]) || 'circleci';
  if (env.JENKINS_URL) return parts(['jenkins', env.JOB_NAME], ['build', env.BUILD_NUMBER]) || 'jenkins';
  if (env.CI_JOB_ID || env.CI_PIPELINE_ID) return parts(['ci', env.CI_PIPELINE_ID], ['job', env.CI_JOB_ID]);
  if (env.CI && env.CI !== 'false' && env.CI !== '0') return 'ci';
  return null;
}

/** This process's user name (USER / LOGNAME, else the OS account), or null when unknown. */
export function currentUser(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.USER) return env.USER;
  if (env.LOGNAME) return env.LOGNAME;
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}

/** Host, user and CI job of this process, recorded with each run. */
export function runOrigin(env: NodeJS.ProcessEnv = process.env): { host: string; user: string | null; ci: string | null } {
  return { host: hostname(), user: currentUser(env), ci: ciJob(env) };
}

/** Narrows `runs`, `serve` and `latest` to some runs. Every field set must match. */
export interface RunFilter {
  host?: string;
  user?: string;
  /** A part of the CI job description, e.g. a run id or a repository. */
  ci?: string;
  status?: RunStatus;
}

/** `--mine`: this user on this host. */
export function mineFilter(env: NodeJS.ProcessEnv = process.env): RunFilter {
  const o = runOrigin(env);
  return { host: o.host, ...(o.user ? { user: o.user } : {}) };
}

export function describeFilter(f: RunFilter): string {
  const parts = [f.user && `user ${f.user}`, f.host && `host ${f.host}`, f.ci && `CI job ~ ${f.ci}`, f.status && `status ${f.status}`].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

function whereFilter(sql: Sql, f: RunFilter = {}) {
  return sql`
    ${f.host !== undefined ? sql`and host = ${f.host}` : sql``}
    ${f.user !== undefined ? sql`and username = ${f.user}` : sql``}
    ${f.ci !== undefined ? sql`and strpos(ci, ${f.ci}) > 0` : sql``}
    ${f.status !== undefined ? sql`and status = ${f.status}` : sql``}`;
}

export { gatedVerdict, incompleteReason } from '../core/gate.js';

/** Writes the run row (before anything else happens) and returns its id. */
export async function createRun(
  sql: Sql,
  run: { name: string; source?: string; spec?: Record<string, unknown>; seed?: string | number | bigint },
): Promise<number> {
  const origin = runOrigin();
  const [row] = await sql<{ id: string }[]>`
    insert into runs (name, source, spec, seed, host, username, ci)
    values (${run.name}, ${run.source ?? 'test'}, ${sql.json((run.spec ?? {}) as never)}, ${run.seed === undefined ? null : String(run.seed)},
            ${origin.host}, ${origin.user}, ${origin.ci})
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
export async function listRuns(sql: Sql, limit = 50, filter: RunFilter = {}): Promise<RunRow[]> {
  const rows = await sql<RawRun[]>`select * from runs where true ${whereFilter(sql, filter)} order by id desc limit ${limit}`;
  return rows.map(toRun);
}

export async function getRun(sql: Sql, runId: number): Promise<RunRow | undefined> {
  const [row] = await sql<RawRun[]>`select * from runs where id = ${runId}`;
  return row ? toRun(row) : undefined;
}

/** `latest`, a run id, or a run name (its newest run) → the run; UserError when there is none. */
export async function resolveRun(sql: Sql, ref: string, where: string, filter: RunFilter = {}): Promise<RunRow> {
  let row: RawRun | undefined;
  checkRunRef(ref);
  if (ref === 'latest') [row] = await sql<RawRun[]>`select * from runs where true ${whereFilter(sql, filter)} order by id desc limit 1`;
  else if (/^\d+$/.test(ref)) [row] = await sql<RawRun[]>`select * from runs where id = ${Number(ref)}`;
  else [row] = await sql<RawRun[]>`select * from runs where name = ${ref} ${whereFilter(sql, filter)} order by id desc limit 1`;
  if (!row) {
    const what = (ref === 'latest' ? 'no runs yet' : `no run ${JSON.stringify(ref)}`) + describeFilter(filter);
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
