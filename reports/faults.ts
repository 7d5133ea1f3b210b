// Fault windows from the nemesis ops of a history: each start op paired with the op that undoes
// it (start-x/stop-x, kill/restart, pause/resume, clock ops/reset-clock), a `heal` closing
// everything still open, and the end of the history closing what nothing closed.

import type { Op } from '../src/core/op.js';

export interface FaultWindow {
  /** partition | kill | pause | clock | loss | delay */
  kind: string;
  /** What was done and to which nodes, e.g. "partition n1 | n2 n3", "kill n2 n3". */
  label: string;
  /** From the start op's invoke to the undoing op's completion: every moment the fault may have been in effect. */
  startMs: number;
  endMs: number;
  /** True when nothing undid the fault before the history ended. */
  open: boolean;
}

const STARTS: Record<string, string> = {
  'start-partition': 'partition',
  kill: 'kill',
  pause: 'pause',
  'bump-clock': 'clock',
  'strobe-clock': 'clock',
  'start-loss': 'loss',
  'start-delay': 'delay',
};
const STOPS: Record<string, string> = {
  'stop-partition': 'partition',
  restart: 'kill',
  resume: 'pause',
  'reset-clock': 'clock',
  'stop-loss': 'loss',
  'stop-delay': 'delay',
};

export const toMs = (ns: number): number => Math.round(ns / 1e3) / 1e3;

function nodesOf(value: unknown): string[] {
  const v = value as Record<string, unknown> | null;
  if (v && Array.isArray(v.nodes)) return v.nodes.map(String);
  return [];
}

/** Short words for what a nemesis op did: "n1 | n2 n3", "n2 n3", "n1 +250ms". */
export function describeFault(kind: string, value: unknown): string {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, any>;
  if (kind === 'partition') {
    if (Array.isArray(v.components)) return v.components.map((c: unknown) => (Array.isArray(c) ? c.join(' ') : String(c))).join(' | ');
    if (typeof v.kind === 'string') return v.kind;
  }
  if (kind === 'clock' && v.offsetsMs && typeof v.offsetsMs === 'object' && !Array.isArray(v.offsetsMs)) {
    return Object.entries(v.offsetsMs as Record<string, number>).map(([n, ms]) => `${n} ${ms >= 0 ? '+' : ''}${ms}ms`).join(' ');
  }
  const nodes = nodesOf(value).join(' ');
  if (kind === 'loss' && typeof v.lossPct === 'number') return `${nodes} ${v.lossPct}%`;
  if (kind === 'delay' && typeof v.delayMs === 'number') return `${nodes} ${v.delayMs}ms`;
  if (kind === 'clock' && Array.isArray(v.offsetsMs)) return `${nodes} strobe ${v.offsetsMs.join('/')}ms`;
  if (nodes) return nodes;
  if (value === null || value === undefined) return '';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** The fault windows of a history, in order of start. */
export function faultWindows(history: readonly Op[]): FaultWindow[] {
  const open = new Map<string, FaultWindow>();
  const done: FaultWindow[] = [];
  const invokeNs = new Map<string, number>();
  let lastNs = 0;
  const close = (kind: string, atMs: number) => {
    const w = open.get(kind);
    if (!w) return;
    w.endMs = atMs;
    w.open = false;
    done.push(w);
    open.delete(kind);
  };
  for (const op of history) {
    lastNs = Math.max(lastNs, op.timeNs);
    if (op.process !== 'nemesis') continue;
    if (op.type === 'invoke') {
      invokeNs.set(op.f, op.timeNs);
      continue;
    }
    const startedNs = invokeNs.get(op.f) ?? op.timeNs;
    const start = STARTS[op.f];
    const stop = STOPS[op.f];
    if (start) {
      // A second start of the same fault replaces the first (a new grudge, more nodes killed).
      close(start, toMs(startedNs));
      const what = describeFault(start, op.value);
      open.set(start, { kind: start, label: what ? `${start} ${what}` : start, startMs: toMs(startedNs), endMs: NaN, open: true });
    } else if (stop) close(stop, toMs(op.timeNs));
    else if (op.f === 'heal') for (const kind of [...open.keys()]) close(kind, toMs(op.timeNs));
  }
  for (const w of open.values()) done.push({ ...w, endMs: toMs(lastNs) });
  return done.sort((a, b) => a.startMs - b.startMs);
}
