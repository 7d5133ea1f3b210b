// Loads everything a report shows for one stored run: the run row, its history, its checkers'
// results and its node logs (Postgres or the embedded database, through src/history).

import type { CheckResult } from '../core/validity.js';
import type { ReportData, ReportRun } from '../../reports/data.js';
import type { HistoryDb } from '../history/db.js';
import { readNodeLogs, readResults, resolveRun, type RunRow } from '../history/runs.js';
import { readHistory } from '../history/source.js';
import { rerunCommand, type TestSpec } from '../run/spec.js';

/** The run row as the report header shows it; the rerun command only for runs of `faultline test`. */
export function reportRun(row: RunRow): ReportRun {
  const spec = row.spec ?? {};
  const run: ReportRun = {
    id: row.id,
    name: row.name,
    source: row.source,
    status: row.status,
    valid: row.valid,
    seed: row.seed,
    startedAt: row.startedAt.toISOString(),
    spec,
  };
  if (row.finishedAt) run.finishedAt = row.finishedAt.toISOString();
  if (typeof spec.runtimeUsed === 'string') run.runtime = spec.runtimeUsed;
  if (row.source === 'test' && typeof spec.workload === 'string' && Array.isArray(spec.nemesis) && Array.isArray(spec.bugs)) {
    run.rerun = rerunCommand(spec as unknown as TestSpec);
  }
  return run;
}

/** ReportData of the run `ref` (id, name or `latest`); UserError naming the ref when there is none. */
export async function loadReportData(db: HistoryDb, ref: string): Promise<ReportData> {
  const row = await resolveRun(db.sql, ref, db.where);
  return loadRunReport(db, row);
}

export async function loadRunReport(db: HistoryDb, row: RunRow): Promise<ReportData> {
  const [history, results, nodeLogs] = await Promise.all([readHistory(db, row.id), readResults(db.sql, row.id), readNodeLogs(db.sql, row.id)]);
  return {
    run: reportRun(row),
    history,
    results: Object.fromEntries(results.map((r) => [r.checker, { ...(r.detail as object), valid: r.valid } as CheckResult])),
    nodeLogs,
  };
}
