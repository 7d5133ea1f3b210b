// The nemesis contract: a small module per fault family that handles a few `f` values, completes
// each op as `info` carrying what it actually did (nodes, offsets, rules), and can heal everything
// it injected. Nemeses talk to the cluster only through the Runtime interface.

import type { Op } from '../src/core/op.js';
import type { NodeHandle, Progress, Runtime } from '../src/runtime/types.js';
import type { Rng } from '../src/core/rng.js';
import { setTimeout as delay } from 'node:timers/promises';

export interface NemesisContext {
  runtime: Runtime;
  nodes: NodeHandle[];
  rng: Rng;
  /** The current leader's name, asked of the store (undefined when none is known). */
  findLeader(signal: AbortSignal): Promise<string | undefined>;
  /** Deadline/abort for the op at hand. */
  progress: Progress;
}

export interface Nemesis {
  readonly name: string;
  readonly fs: ReadonlySet<string>;
  /** Carries out `op` (an invoke) and returns its completion: type `info`, value = what was done. */
  invoke(ctx: NemesisContext, op: Op): Promise<Op>;
  /** Undoes everything this nemesis injected; safe to call at any time, repeatedly. */
  heal(ctx: NemesisContext): Promise<void>;
}

/** The completion of `op`: info (a fault's effect on the system is never a clean ok/fail), with what it did. */
export function completed(op: Op, value: unknown, error?: string): Op {
  const out: Op = { ...op, type: 'info', value };
  if (error !== undefined) out.error = error;
  return out;
}

/** How long a leader-targeted fault waits for a leader to be known (an election in progress, a leader just killed). */
export const LEADER_WAIT_MS = 5000;

/**
 * The current leader, waiting up to LEADER_WAIT_MS (or the op's own deadline) for one to be
 * elected: a fault aimed at "the leader" while an election is under way hits the one elected,
 * instead of doing nothing (a run whose requested fault never took effect is never valid).
 */
export async function awaitLeader(ctx: NemesisContext, waitMs = LEADER_WAIT_MS): Promise<string | undefined> {
  const signal = ctx.progress.signal;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const leader = await ctx.findLeader(signal);
    if (leader !== undefined || signal.aborted || Date.now() >= deadline) return leader;
    await delay(Math.min(250, Math.max(0, deadline - Date.now())), undefined, { signal }).catch(() => {});
  }
}

export function handleOf(ctx: NemesisContext, name: string): NodeHandle {
  const h = ctx.nodes.find((n) => n.name === name);
  if (!h) throw new Error(`unknown node ${name}`);
  return h;
}
