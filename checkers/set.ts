// The set checker (Jepsen's set-full, simplified to what a final read can prove): every add is
// attempted, acknowledged (ok), failed, or unknown (info); reads return the whole set.
//   lost       — acknowledged, or seen in a read, yet absent from the final read;
//   unexpected — present in some read but never attempted;
//   recovered  — an add of unknown outcome that the final read shows happened;
//   stale      — absent from a read that began after the element was known present, but not lost.
// Valid when nothing is lost or unexpected; unknown when there is no successful final read.

import type { Op } from '../src/core/op.js';
import type { CheckResult, Validity } from '../src/core/validity.js';

export interface SetResult extends CheckResult {
  valid: Validity;
  attempted: number;
  acknowledged: number;
  lost: unknown[];
  unexpected: unknown[];
  recovered: unknown[];
  stale: unknown[];
  /** Per lost element: when its add completed ok (ns) and the last read that saw it. */
  lostDetail: { element: unknown; addedNs?: number; lastSeenNs?: number }[];
  finalReadNs?: number;
  error?: string;
}

const key = (v: unknown) => JSON.stringify(v);

export function checkSet(history: readonly Op[]): SetResult {
  const attempted = new Map<string, unknown>();
  const ackedNs = new Map<string, number>();
  const infoAdds = new Set<string>();
  const invokeNs = new Map<Op['process'], number>();
  const reads: { startNs: number; endNs: number; elements: Set<string> }[] = [];
  for (const op of history) {
    if (op.process === 'nemesis') continue;
    if (op.type === 'invoke') {
      invokeNs.set(op.process, op.timeNs);
      if (op.f === 'add') attempted.set(key(op.value), op.value);
      continue;
    }
    if (op.f === 'add') {
      if (op.type === 'ok') ackedNs.set(key(op.value), op.timeNs);
      else if (op.type === 'info') infoAdds.add(key(op.value));
    } else if (op.f === 'read' && op.type === 'ok' && Array.isArray(op.value)) {
      reads.push({ startNs: invokeNs.get(op.process) ?? op.timeNs, endNs: op.timeNs, elements: new Set(op.value.map(key)) });
    }
  }
  const base = { attempted: attempted.size, acknowledged: ackedNs.size, lost: [], unexpected: [], recovered: [], stale: [], lostDetail: [] };
  const final = reads.at(-1);
  if (!final) return { valid: 'unknown', ...base, error: 'no read of the set succeeded, so nothing can be said about lost elements' };

  // When each element was first known present: its ack, or the end of the first read showing it.
  const knownNs = new Map<string, number>(ackedNs);
  const lastSeenNs = new Map<string, number>();
  const unexpected = new Map<string, unknown>();
  for (const r of reads) {
    for (const e of r.elements) {
      if (!attempted.has(e)) unexpected.set(e, JSON.parse(e));
      if (!knownNs.has(e) || knownNs.get(e)! > r.endNs) knownNs.set(e, r.endNs);
      lastSeenNs.set(e, r.endNs);
    }
  }
  const lost: string[] = [];
  const stale: string[] = [];
  for (const [e, t] of knownNs) {
    if (!attempted.has(e)) continue;
    if (!final.elements.has(e)) lost.push(e);
    else if (reads.some((r) => r.startNs > t && !r.elements.has(e))) stale.push(e);
  }
  const recovered = [...infoAdds].filter((e) => final.elements.has(e) && !ackedNs.has(e));
  const value = (e: string) => attempted.get(e) ?? JSON.parse(e);
  const sortNum = (xs: string[]) => xs.sort((a, b) => Number(JSON.parse(a)) - Number(JSON.parse(b)) || a.localeCompare(b));
  return {
    valid: lost.length === 0 && unexpected.size === 0,
    ...base,
    lost: sortNum(lost).map(value),
    unexpected: [...unexpected.values()],
    recovered: sortNum(recovered).map(value),
    stale: sortNum(stale).map(value),
    lostDetail: sortNum([...lost]).slice(0, 100).map((e) => ({ element: value(e), addedNs: ackedNs.get(e), lastSeenNs: lastSeenNs.get(e) })),
    finalReadNs: final.endNs,
  };
}
