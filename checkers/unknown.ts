// Words for an undecided check: how far the search got on each undecided key, which keys and ops
// remain, and what budget would likely decide it — instead of "undecided: the register (time)".
// Used by `faultline check`; reports can use describeUndecided for their one-line summaries.

import type { UnknownProgress } from './check-key.js';
import type { LinearizabilityResult } from './linearizable.js';

const n = (x: number): string => x.toLocaleString('en-US');
const secs = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

/** One undecided key in words. */
export function describeUnknownKey(u: { key: string } & UnknownProgress): string {
  const who = u.key === '' ? 'the history' : `key ${JSON.stringify(u.key)}`;
  if (u.reason === 'stopped') return `${who}: stopped (another key failed, or the check was aborted) after placing ${n(u.linearized)} of ${n(u.of)} completed ops`;
  const limit = u.reason === 'time' ? 'time budget' : 'memory bound';
  const parts = [
    `${who}: ${limit} hit after ${secs(u.elapsedMs)} and ${n(u.configurations)} configurations`,
    `the furthest linearization placed ${n(u.linearized)} of ${n(u.of)} completed ops`,
  ];
  if (u.stalledAt) {
    const s = u.stalledAt;
    parts.push(`the first op it could not place: op ${s.index}, ${s.description} by process ${s.process} (invoked t=${s.invokedAtNs})`);
  }
  parts.push(
    u.reason === 'time'
      ? `a budget of about ${secs(u.suggested.budgetMs)} (--budget) would likely decide it (a rough extrapolation)`
      : `--max-configurations ${u.suggested.maxConfigurations} (about ${Math.ceil((u.suggested.maxConfigurations * 60) / 2 ** 20)} MB) would likely decide it (a rough extrapolation)`,
  );
  return parts.join('; ');
}

/** A one-line summary of an unknown result: how many keys are undecided, which, and the first one's progress. */
export function describeUndecided(r: Pick<LinearizabilityResult, 'keys' | 'keysChecked' | 'unknownKeys' | 'undecidedKeys'>): string {
  const undecided = r.undecidedKeys ?? r.unknownKeys?.map((u) => u.key) ?? [];
  const names = undecided.slice(0, 5).map((k) => (k === '' ? 'the history' : JSON.stringify(k)));
  const more = undecided.length > 5 ? ` and ${n(undecided.length - 5)} more` : '';
  const head = r.keys > 1 ? `undecided: ${n(undecided.length)} of ${n(r.keys)} keys (${names.join(', ')}${more})` : 'undecided';
  const first = r.unknownKeys?.[0];
  return first ? `${head}: ${describeUnknownKey(first)}` : `${head}: never reached (the check stopped first)`;
}
