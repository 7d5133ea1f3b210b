// The human summary of a list-append check (for `faultline check` and the terminal reporter).
// Pure: a result in, text out.

import type { ListAppendResult } from './list-append.js';

/** Lines describing one checked file: verdict, counts, then the shortest example of each anomaly. */
export function describeListAppend(label: string, r: ListAppendResult, maxPerKind = 1): string {
  const mark = r.valid === true ? '✓' : r.valid === false ? '✗' : '?';
  const word = r.valid === true ? r.consistencyModel : r.valid === false ? `NOT ${r.consistencyModel}` : 'unknown';
  const s = r.stats;
  const lines = [`${mark} ${label}: ${word} (list-append, ${s.txns} txns: ${s.ok} ok, ${s.fail} failed, ${s.info} indeterminate; ${s.keys} keys; ${s.ms} ms)`];
  const kinds = r.anomalyTypes;
  if (kinds.length > 0) {
    lines.push(`  anomalies: ${kinds.map((k) => `${k} ×${r.counts[k]}${r.forbidden.includes(k) ? '' : ' (allowed)'}`).join(', ')}`);
  }
  for (const k of kinds) {
    for (const a of r.anomalies.filter((x) => x.kind === k).slice(0, maxPerKind)) {
      lines.push(`  ${a.text}`);
      for (const t of a.txns) lines.push(`    ${t.name} (process ${t.process}, ${t.status}): ${t.mops}`);
    }
  }
  for (const u of r.unknownReasons) lines.push(`  unknown: ${u}`);
  for (const n of r.notes) lines.push(`  note: ${n}`);
  const skipped = Object.entries(s.skipped);
  if (skipped.length > 0) lines.push(`  skipped (not transactions): ${skipped.map(([f, n]) => `${n} ${f}`).join(', ')}`);
  return lines.join('\n');
}
