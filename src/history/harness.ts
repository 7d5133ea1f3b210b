// Which process a run belongs to, and noticing runs whose harness died. A harness killed with
// SIGKILL never writes its run's end, so the row said `running` for ever (issue 11, item 9). Each
// run records its harness (host, pid, process start time) when its sink opens; every command that
// opens the database then marks `crashed` the running runs whose harness is provably dead: same
// host, and no process with that pid and start time. Runs of other hosts are never touched (we
// cannot see their processes); a pid reused by another program does not count as the harness.

import type { Sql } from 'postgres';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface Harness {
  host: string;
  pid: number;
  /** Process start, in clock ticks since boot (Linux /proc/PID/stat field 22); absent elsewhere. */
  start?: number;
}

/** The start time of a process in clock ticks since boot (Linux), or undefined. */
export function processStart(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after its closing ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(rest[19]);
    return Number.isFinite(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

export function thisHarness(): Harness {
  const start = processStart(process.pid);
  return { host: hostname(), pid: process.pid, ...(start === undefined ? {} : { start }) };
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True only when the harness provably no longer runs: it was on this host and its process is gone. */
export function harnessDead(h: Harness | null | undefined): boolean {
  if (!h || typeof h !== 'object' || h.host !== hostname() || !Number.isInteger(h.pid) || h.pid <= 0) return false;
  if (h.pid === process.pid) return h.start !== undefined && h.start !== processStart(process.pid);
  if (!pidExists(h.pid)) return true;
  // The pid lives: it is our harness unless its start time proves it is another process now.
  if (h.start === undefined) return false;
  const start = processStart(h.pid);
  return start !== undefined && start !== h.start;
}

/** Records this process as the harness of the run (once; a second claim does not move it). */
export async function claimRun(sql: Sql, runId: number, h: Harness = thisHarness()): Promise<void> {
  await sql`update runs set harness = ${sql.json(h as never)} where id = ${runId} and harness is null`;
}

export interface ReapedRun {
  id: number;
  name: string;
  harness: Harness;
}

/**
 * Marks `crashed` every `running` run whose harness is provably dead (see harnessDead) and
 * returns them. Their verdict is cleared: a crashed run is never judged valid.
 */
export async function reapDeadRuns(sql: Sql): Promise<ReapedRun[]> {
  const rows = await sql<{ id: string; name: string; harness: Harness | null }[]>`
    select id, name, harness from runs where status = 'running' and harness is not null`;
  const dead = rows.filter((r) => harnessDead(r.harness));
  const reaped: ReapedRun[] = [];
  for (const r of dead) {
    const done = await sql`
      update runs set status = 'crashed', valid = null, finished_at = coalesce(finished_at, now())
      where id = ${Number(r.id)} and status = 'running'`;
    if (done.count > 0) reaped.push({ id: Number(r.id), name: r.name, harness: r.harness! });
  }
  return reaped;
}
