// Healing is guaranteed: `withFaults` runs a body that injects faults and, whatever happens (the
// body returns or throws, the time limit passes, SIGINT or SIGTERM arrives), heals every fault and
// takes the cluster down before it returns. A second Ctrl-C does not skip that: it only says the
// harness is still healing and exits as soon as healing and teardown are done.

import type { Progress, Runtime } from './types.js';
import { has, progress } from './types.js';

export interface GuardOptions {
  /** Aborts the body after this long (the run's --time-limit). */
  timeLimitMs?: number;
  /** Budget for healing + teardown. */
  healTimeoutMs?: number;
  /** Heals faults kept by nemeses (clock strobes, killed nodes) before the runtime-wide heal. */
  healNemeses?: (p: Progress) => Promise<void>;
  /** Leave the (healed) cluster running instead of taking it down. */
  keepUp?: boolean;
  /** Runs after healing and before the cluster goes down (e.g. collecting node logs). */
  beforeDown?: () => Promise<void>;
  /** After an abort, how long the body gets to finish recording what was in flight (default 0: not waited for). */
  settleMs?: number;
  log?: (message: string) => void;
  /** On SIGINT/SIGTERM, exit the process after healing (default true; tests of the guard pass false). */
  exitOnSignal?: boolean;
}

export class Interrupted extends Error {
  constructor(readonly signalName: string) {
    super(`interrupted by ${signalName}`);
    this.name = 'Interrupted';
  }
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** Heals every fault and takes the cluster down; errors are collected, never stop the rest. */
export async function healAll(runtime: Runtime, o: GuardOptions = {}): Promise<void> {
  const log = o.log ?? (() => {});
  const p = progress(o.healTimeoutMs ?? 60_000, log);
  const errors: string[] = [];
  const step = async (what: string, f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (err) {
      errors.push(`${what}: ${(err as Error).message ?? String(err)}`);
    }
  };
  if (o.healNemeses) await step('nemeses', () => o.healNemeses!(p));
  await step('heal', () => runtime.heal(p));
  if (has(runtime, 'clock')) await step('clocks', () => runtime.resetClocks(p));
  if (o.beforeDown) await step('before down', o.beforeDown);
  if (!o.keepUp) await step('down', () => runtime.down(p));
  if (errors.length > 0) throw new Error(`healing was incomplete: ${errors.join('; ')}`);
}

/**
 * Runs `body(signal)`; the signal aborts on time limit or SIGINT/SIGTERM. Then heals and takes the
 * cluster down, always. Resolves to the body's result; rejects with Interrupted after a signal
 * (when exitOnSignal is false) or with the body's error.
 */
export async function withFaults<T>(runtime: Runtime, body: (signal: AbortSignal) => Promise<T>, o: GuardOptions = {}): Promise<T> {
  const log = o.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const controller = new AbortController();
  let signalName: string | undefined;
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      signalName = name;
      log(`faultline: ${name}: healing every fault and stopping the cluster (Ctrl-C again exits right after healing)`);
      controller.abort(new Interrupted(name));
    } else {
      log('faultline: still healing; will exit as soon as every fault is healed');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const timer = o.timeLimitMs !== undefined ? setTimeout(() => controller.abort(new Error('time limit reached')), o.timeLimitMs) : undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });
  aborted.catch(() => {});
  let result: { ok: true; value: T } | { ok: false; error: unknown };
  let running: Promise<T> | undefined;
  try {
    // On a signal, heal at once rather than wait for a body that may be stuck in a fault.
    running = body(controller.signal);
    result = { ok: true, value: await Promise.race([running, aborted]) };
  } catch (error) {
    result = { ok: false, error };
  }
  try {
    await healAll(runtime, { ...o, log });
    if (controller.signal.aborted && running && (o.settleMs ?? 0) > 0) {
      // The body was told to stop: give it a bounded moment to record what it had in flight.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([running.then(() => {}, () => {}), new Promise<void>((r) => (timer = setTimeout(r, o.settleMs)))]);
      clearTimeout(timer);
    }
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (signalName !== undefined) {
    if (o.exitOnSignal !== false) process.exit(SIGNAL_EXIT[signalName] ?? 1);
    throw new Interrupted(signalName);
  }
  if (!result.ok) throw result.error;
  return result.value;
}
