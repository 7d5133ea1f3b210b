// Consistency models and the anomalies each one forbids, after Adya's isolation levels
// (Adya, Liskov & O'Neil, ICDE 2000; Adya's thesis, 1999) and the Elle paper's additions for
// real-time and per-process (session) order (Kingsbury & Alvaro, VLDB 2020, section 4).
//
//   PL-1  read-uncommitted      G0
//   PL-2  read-committed        G0 G1a G1b G1c
//   PL-2.99 repeatable-read     PL-2 + G-single + G2-item   (Adya's item-level G2)
//   PL-SI snapshot-isolation    PL-2 + G-single              (G-single approximates G-SI)
//   PL-3  serializable          PL-2 + G-single + G2-item
//   strong-session-*            + the same cycles using process-order edges
//   strong-snapshot-isolation, strict-serializable: + the same cycles using real-time edges
//
// Non-cycle anomalies that no model allows (the history cannot come from any list-append
// database): garbage reads, duplicate appends, internal inconsistency, incompatible orders.

import { PROC, RT, RW, WR, WW } from './graph.js';

export const CONSISTENCY_MODELS = [
  'read-uncommitted',
  'read-committed',
  'repeatable-read',
  'snapshot-isolation',
  'serializable',
  'strong-session-snapshot-isolation',
  'strong-session-serializable',
  'strong-snapshot-isolation',
  'strict-serializable',
] as const;
export type ConsistencyModel = (typeof CONSISTENCY_MODELS)[number];

export function isConsistencyModel(x: unknown): x is ConsistencyModel {
  return typeof x === 'string' && (CONSISTENCY_MODELS as readonly string[]).includes(x);
}

export const CYCLE_BASES = ['G0', 'G1c', 'G-single', 'G2-item'] as const;
export type CycleBase = (typeof CYCLE_BASES)[number];
export type CycleKind = CycleBase | `${CycleBase}-process` | `${CycleBase}-realtime`;
export type AnomalyKind = CycleKind | 'G1a' | 'G1b' | 'garbage-read' | 'duplicate-appends' | 'internal' | 'incompatible-order';

const ALWAYS: AnomalyKind[] = ['garbage-read', 'duplicate-appends', 'internal', 'incompatible-order'];

function withSuffix(bases: CycleBase[], suffixes: ('' | '-process' | '-realtime')[]): CycleKind[] {
  return suffixes.flatMap((s) => bases.map((b) => `${b}${s}` as CycleKind));
}

const SER: CycleBase[] = ['G0', 'G1c', 'G-single', 'G2-item'];
const SI: CycleBase[] = ['G0', 'G1c', 'G-single'];

/** The anomalies a model forbids. */
export function forbiddenBy(model: ConsistencyModel): Set<AnomalyKind> {
  const out: AnomalyKind[] = [...ALWAYS];
  switch (model) {
    case 'read-uncommitted':
      out.push('G0');
      break;
    case 'read-committed':
      out.push('G0', 'G1a', 'G1b', 'G1c');
      break;
    case 'repeatable-read':
    case 'serializable':
      out.push('G1a', 'G1b', ...withSuffix(SER, ['']));
      break;
    case 'snapshot-isolation':
      out.push('G1a', 'G1b', ...withSuffix(SI, ['']));
      break;
    case 'strong-session-snapshot-isolation':
      out.push('G1a', 'G1b', ...withSuffix(SI, ['', '-process']));
      break;
    case 'strong-session-serializable':
      out.push('G1a', 'G1b', ...withSuffix(SER, ['', '-process']));
      break;
    case 'strong-snapshot-isolation':
      out.push('G1a', 'G1b', ...withSuffix(SI, ['', '-process', '-realtime']));
      break;
    case 'strict-serializable':
      out.push('G1a', 'G1b', ...withSuffix(SER, ['', '-process', '-realtime']));
      break;
  }
  return new Set(out);
}

/** The edge kinds a model's forbidden cycles may use. */
export function edgeMaskOf(model: ConsistencyModel): number {
  const f = forbiddenBy(model);
  let mask = WW;
  if (f.has('G1c')) mask |= WR;
  if (f.has('G-single')) mask |= RW;
  if (f.has('G0-process')) mask |= PROC;
  if (f.has('G0-realtime')) mask |= RT;
  return mask;
}

/** True when every cycle over the model's edge mask is forbidden (so a non-trivial SCC decides). */
export function everyCycleForbidden(model: ConsistencyModel): boolean {
  return forbiddenBy(model).has('G2-item') || !forbiddenBy(model).has('G-single');
}
