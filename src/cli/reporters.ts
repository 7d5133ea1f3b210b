// The reporters a `faultline test` command hands to the run loop (src/run/reporters.ts has the
// interface and the ones the loop always writes): the live terminal line, report.html and
// junit.xml in the run folder.

import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { junitXml } from '../../reports/junit.js';
import { writeReport } from '../../reports/write.js';
import type { Reporter } from '../run/reporters.js';
import { testReportData } from '../serve/from-test.js';
import type { RunProgress } from './progress.js';

/** The live progress line (phase, op counts, active faults) and log lines. */
export function terminalReporter(ui: RunProgress): Reporter {
  return { name: 'terminal', onPhase: (p) => ui.phase(p), onOp: (op) => ui.op(op) };
}

/** report.html: the self-contained HTML report. Sets outcome.report. */
export function htmlReporter(): Reporter {
  return {
    name: 'report.html',
    onEnd(end) {
      end.outcome.report = writeReport(
        testReportData({ spec: end.spec, outcome: end.outcome, history: end.history, nodeLogs: end.nodeLogs, startedAt: end.startedAt }),
        join(end.outcome.runDir, 'report.html'),
      );
    },
  };
}

/** junit.xml in the run folder (the command's --junit file aggregates runs). */
export function junitReporter(): Reporter {
  return {
    name: 'junit.xml',
    onEnd: ({ spec, outcome, startedAt, history }) =>
      writeFileSync(
        join(outcome.runDir, 'junit.xml'),
        junitXml(spec.name, outcome.verdict?.results ?? {}, {
          timeS: (Date.now() - startedAt.getTime()) / 1000,
          ...(outcome.error ? { error: outcome.error } : {}),
          history,
        }),
      ),
  };
}
