// What a report is made of: the run row, its history, its checkers' results and its node logs.
// Built by src/serve/load.ts from Postgres, or by `faultline test` from what it has in memory;
// every field but `history` and `results` may be missing (imported histories have no spec).

import type { CheckResult, Validity } from '../src/core/validity.js';
import type { Op } from '../src/core/op.js';

export interface ReportRun {
  id?: number;
  name: string;
  /** 'test' for runs of `faultline test`, 'import' for imported histories. */
  source?: string;
  status?: string;
  valid: Validity | null;
  seed?: string | number | null;
  /** ISO timestamps. */
  startedAt?: string;
  finishedAt?: string;
  /** The TestSpec (db, bugs, nodes, workload, nemesis, rateHz, concurrency …) or { importedFrom }. */
  spec?: Record<string, unknown>;
  /** The exact command line that reruns this test with the same schedule. */
  rerun?: string;
  /** The runtime that was actually used (docker | local). */
  runtime?: string;
  /** Why the run crashed or was aborted. */
  error?: string;
  /** Set by the page model: why the verdict shown is not the checkers' (incomplete run, empty history). */
  verdictReason?: string;
  /** Set by the page model: what the checkers said, when the gate changed it. */
  checkedValid?: Validity | null;
  /** Who made the run, where (host, user, CI job). */
  host?: string | null;
  user?: string | null;
  ci?: string | null;
}

export interface ReportData {
  run: ReportRun;
  history: readonly Op[];
  results: Record<string, CheckResult>;
  nodeLogs?: readonly { node: string; text: string }[];
}
