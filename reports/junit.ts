// JUnit XML of a run: one testcase per checker, its explanation as the failure message, so CI
// systems show which checker failed and why.

import type { Op } from '../src/core/op.js';
import type { CheckResult } from '../src/core/validity.js';
import { contextLines, withWitnessContext, type CounterexampleContext } from './context.js';

function xml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

/** A one-paragraph reason for a checker's verdict, from whatever detail it gives. */
export function reasonOf(name: string, r: CheckResult): string {
  const d = r as Record<string, any>;
  if (typeof d.error === 'string') return d.error;
  const failure = d.failure?.explanation;
  if (failure) {
    const key = d.failure.key ? `key ${d.failure.key}: ` : '';
    // With the witness context (node of each op, faults in effect), else the bare ops.
    const context = failure.context as CounterexampleContext | undefined;
    const ops = context
      ? contextLines(context)
      : (failure.minimalOps ?? []).map((o: { index: number; process: unknown; description: string }) => `  op ${o.index} (process ${String(o.process)}): ${o.description}`);
    return [`${key}${failure.text}`, ...(ops.length ? ['minimal non-linearizable sub-history:', ...ops] : [])].join('\n');
  }
  if (d.valid === false && d.failure) return `key ${d.failure.key} is not linearizable`;
  // list-append (checkers/txn): the forbidden anomalies, then the first example in words.
  if (Array.isArray(d.anomalies) && Array.isArray(d.forbidden) && d.forbidden.length) {
    const first = d.anomalies.find((a: { forbidden: boolean }) => a.forbidden) as { text: string } | undefined;
    return [`${d.consistencyModel} forbids ${d.forbidden.map((k: string) => `${k} ×${d.counts?.[k] ?? 0}`).join(', ')}`, ...(first ? [first.text] : [])].join('\n');
  }
  // bank and lock: their first error in words.
  if (Array.isArray(d.errors) && d.errors.length && typeof d.errors[0]?.text === 'string') {
    const n = d.counts && typeof d.counts === 'object' ? Object.values(d.counts as Record<string, number>).reduce((a, b) => a + b, 0) : d.errors.length;
    return `${n} violation${n === 1 ? '' : 's'}, first: ${d.errors[0].text}`;
  }
  if (Array.isArray(d.unknownReasons) && d.unknownReasons.length && d.valid !== true) return `undecided: ${d.unknownReasons.join('; ')}`;
  if (Array.isArray(d.lost) && d.lost.length) return `${d.lost.length} acknowledged elements lost: ${JSON.stringify(d.lost.slice(0, 20))}`;
  if (Array.isArray(d.unexpected) && d.unexpected.length) return `${d.unexpected.length} unexpected elements: ${JSON.stringify(d.unexpected.slice(0, 20))}`;
  if (Array.isArray(d.errors) && d.errors.length) return `${d.errors.length} reads out of bounds, first: ${JSON.stringify(d.errors[0])}`;
  if (Array.isArray(d.unknownKeys) && d.unknownKeys.length) return `undecided: ${d.unknownKeys.map((k: { key: string; reason: string }) => `${k.key || 'the register'} (${k.reason})`).join('; ')}`;
  return `${name}: ${String(r.valid)}`;
}

/** One line for a JUnit message: each witness op's node, and the faults in effect (or none). */
export function contextSummary(r: CheckResult): string {
  const context = (r as { failure?: { explanation?: { context?: CounterexampleContext } } }).failure?.explanation?.context;
  if (!context) return '';
  const ops = context.ops.map((o) => `op ${o.index} on ${o.node ?? 'an unrecorded node'}`).join(', ');
  const faults = context.faults.length ? `faults active: ${context.faults.map((f) => f.label).join('; ')}` : 'no fault was active';
  return ` [${ops}; ${faults}]`;
}

/** `history`, when given, adds each counterexample's node and fault context to the message. */
export function junitXml(suite: string, results: Record<string, CheckResult>, o: { timeS?: number; error?: string; history?: readonly Op[] } = {}): string {
  if (o.history) results = withWitnessContext(results, o.history);
  const cases = Object.entries(results).map(([name, r]) => {
    const body = r.valid === true ? '' : r.valid === false ? `<failure message="${xml(reasonOf(name, r).split('\n')[0]! + contextSummary(r))}">${xml(reasonOf(name, r))}</failure>` : `<error message="unknown: ${xml(reasonOf(name, r).split('\n')[0]!)}">${xml(reasonOf(name, r))}</error>`;
    return `    <testcase classname="${xml(suite)}" name="${xml(name)}">${body}</testcase>`;
  });
  if (o.error) cases.push(`    <testcase classname="${xml(suite)}" name="harness"><error message="${xml(o.error)}"/></testcase>`);
  const failures = Object.values(results).filter((r) => r.valid === false).length;
  const errors = Object.values(results).filter((r) => r.valid === 'unknown').length + (o.error ? 1 : 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${(o.timeS ?? 0).toFixed(1)}">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
}
