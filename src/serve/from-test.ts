// ReportData of a run `faultline test` just finished, from what it holds in memory (no database
// round trip): what src/run/run.ts passes to writeReport at the end of a run.

import type { ReportData } from '../../reports/data.js';
import type { Op } from '../core/op.js';
import type { RunOutcome } from '../run/run.js';
import type { TestSpec } from '../run/spec.js';

export function testReportData(o: {
  spec: TestSpec;
  outcome: RunOutcome;
  history: readonly Op[];
  nodeLogs?: readonly { node: string; text: string }[];
  startedAt?: Date;
  /** Default: now (the report is written as the run ends). */
  finishedAt?: Date;
}): ReportData {
  const { spec, outcome } = o;
  return {
    run: {
      id: outcome.runId,
      name: outcome.name,
      source: 'test',
      status: outcome.status,
      // A run that did not finish was never judged: the header says unknown, with its error.
      valid: outcome.status === 'finished' ? outcome.valid : null,
      seed: outcome.seed,
      ...(o.startedAt ? { startedAt: o.startedAt.toISOString() } : {}),
      finishedAt: (o.finishedAt ?? new Date()).toISOString(),
      spec: { ...spec },
      rerun: outcome.rerun,
      runtime: outcome.runtime,
      ...(outcome.error ? { error: outcome.error } : {}),
    },
    history: o.history,
    results: outcome.verdict?.results ?? {},
    nodeLogs: o.nodeLogs ?? [],
  };
}
