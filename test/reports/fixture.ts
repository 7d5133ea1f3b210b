// The recorded failing run (raft, register, partition + kill, --bug stale-read) as ReportData,
// plus XSS probes planted in an op value and a node log, for the report tests and screenshots.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ReportData } from '../../reports/data.js';
import type { Op } from '../../src/core/op.js';
import { parseJsonlHistory } from '../../src/history/jsonl.js';
import { testReportData } from '../../src/serve/from-test.js';
import type { RunOutcome } from '../../src/run/run.js';
import type { TestSpec } from '../../src/run/spec.js';
import { ROOT } from '../helpers/env.js';

export const FIXTURE_DIR = join(ROOT, 'test', 'fixtures', 'report');
export const SCRIPT_PROBE = '<script>alert(1)</script>';
export const IMG_PROBE = '<img src=x onerror=alert(1)>';

/** The recorded run as `faultline test` wrote it. */
export function recordedRun(): { history: Op[]; outcome: Record<string, any>; logs: { node: string; text: string }[] } {
  const history = parseJsonlHistory(readFileSync(join(FIXTURE_DIR, 'history.jsonl'), 'utf8'));
  const outcome = JSON.parse(readFileSync(join(FIXTURE_DIR, 'results.json'), 'utf8'));
  const logs = ['n1', 'n2', 'n3'].map((node) => ({ node, text: readFileSync(join(FIXTURE_DIR, `${node}-log.txt`), 'utf8') }));
  return { history, outcome, logs };
}

/** ReportData of the recorded run; with `probes`, a write's value and n1's log carry XSS probes. */
export function fixtureReport(o: { probes?: boolean } = {}): ReportData {
  const { history, outcome, logs } = recordedRun();
  if (o.probes) {
    // The last write of the run (its invoke and completion) writes the probe string.
    const last = history.findLast((op) => op.f === 'write' && op.type === 'ok')!;
    const invoke = history.findLast((op) => op.process === last.process && op.type === 'invoke' && op.index < last.index)!;
    invoke.value = last.value = `${SCRIPT_PROBE}${IMG_PROBE}`;
    logs[0]!.text += `2026-11-22T12:00:00.000Z n1 ERROR client sent ${SCRIPT_PROBE} and ${IMG_PROBE}\n`;
  }
  // Built the way `faultline test` builds it at the end of a run.
  return testReportData({ spec: FIXTURE_SPEC, outcome: outcome as RunOutcome, history, nodeLogs: logs, startedAt: new Date('2026-11-22T11:59:25.000Z'), finishedAt: new Date('2026-11-22T11:59:58.000Z') });
}

/** The spec of the recorded run (see its rerun command in results.json). */
export const FIXTURE_SPEC: TestSpec = {
  name: 'raft-register-partition+kill-bug-stale-read',
  db: 'raft',
  bugs: ['stale-read'],
  nodes: 3,
  runtime: 'local',
  workload: 'register',
  nemesis: ['partition', 'kill'],
  nemesisIntervalMs: 2000,
  timeLimitMs: 15000,
  rateHz: 100,
  concurrency: 3,
  seed: 343640388,
  opTimeoutMs: 5000,
  recoveryMs: 15000,
  checkBudgetMs: 60000,
  leaveRunning: false,
};
