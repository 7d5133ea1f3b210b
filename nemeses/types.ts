// The nemesis contract: a small module per fault family that handles a few `f` values, completes
// each op as `info` carrying what it actually did (nodes, offsets, rules), and can heal everything
// it injected. Nemeses talk to the cluster only through the Runtime interface.

import type { Op } from '../src/core/op.js';
import type { NodeHandle, Progress, Runtime } from '../src/runtime/types.js';
import type { Rng } from '../src/core/rng.js';

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

export function handleOf(ctx: NemesisContext, name: string): NodeHandle {
  const h = ctx.nodes.find((n) => n.name === name);
  if (!h) throw new Error(`unknown node ${name}`);
  return h;
}
