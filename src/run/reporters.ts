// Reporters: everything that shows or writes a run — the terminal, history.jsonl, results.json,
// the HTML report, JUnit (the last three in src/cli/reporters.ts, above the run loop) — behind one interface (onPhase, onOp, onEnd). The multiplexer isolates
// each reporter: one that throws is named in the run's errors and never stops the others or the
// run. Every run that has a run row ends through onEnd, crashed and interrupted ones included.

import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Op } from '../core/op.js';
import { opToJsonl } from '../history/jsonl.js';
import type { RunOutcome } from './outcome.js';
import type { TestSpec } from './spec.js';

/** What every reporter gets when the run ends. */
export interface RunEnd {
  spec: TestSpec;
  outcome: RunOutcome;
  history: readonly Op[];
  nodeLogs: readonly { node: string; text: string }[];
  startedAt: Date;
}

export interface Reporter {
  readonly name: string;
  onPhase?(phase: string): void;
  onOp?(op: Op): void;
  onEnd?(end: RunEnd): void | Promise<void>;
}

/** One reporter that forwards to all; a reporter's error goes to `onError` and never further. */
export function multiplex(reporters: readonly Reporter[], onError: (reporter: string, err: unknown) => void): Required<Reporter> {
  const each = async (f: (r: Reporter) => void | Promise<void>) => {
    for (const r of reporters) {
      try {
        await f(r);
      } catch (err) {
        onError(r.name, err);
      }
    }
  };
  const eachSync = (f: (r: Reporter) => void) => {
    for (const r of reporters) {
      try {
        f(r);
      } catch (err) {
        onError(r.name, err);
      }
    }
  };
  return {
    name: reporters.map((r) => r.name).join('+'),
    onPhase: (phase) => eachSync((r) => r.onPhase?.(phase)),
    onOp: (op) => eachSync((r) => r.onOp?.(op)),
    onEnd: (end) => each((r) => r.onEnd?.(end)),
  };
}

/**
 * history.jsonl in the run folder, written as ops happen (batched), so a harness that dies keeps
 * what it recorded up to its last flush on disk as well as in the database.
 */
export function historyFileReporter(dir: string): Reporter {
  const fd = openSync(join(dir, 'history.jsonl'), 'w');
  let buffer: string[] = [];
  let closed = false;
  const flush = () => {
    if (buffer.length === 0 || closed) return;
    writeSync(fd, buffer.join(''));
    buffer = [];
  };
  return {
    name: 'history.jsonl',
    onOp(op) {
      buffer.push(`${opToJsonl(op)}\n`);
      if (buffer.length >= 256) flush();
    },
    onEnd() {
      flush();
      closed = true;
      closeSync(fd);
    },
  };
}

/** results.json: the outcome, as `faultline test --json` callers and CI read it. */
export function resultsReporter(dir: string): Reporter {
  return {
    name: 'results.json',
    onEnd: ({ outcome }) => writeFileSync(join(dir, 'results.json'), JSON.stringify(outcome, null, 2) + '\n'),
  };
}

