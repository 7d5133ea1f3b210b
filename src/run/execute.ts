// Stage 3 — execute, all of it inside `withFaults` (the only signal-and-heal path: Ctrl-C,
// SIGTERM, an error, or the hard time limit all end in: heal every fault, collect node logs,
// take the cluster down): cluster up → wait until the database serves → the plan's generator
// run by the interpreter, client threads talking to the database through its Client.

import { compose } from '../../nemeses/index.js';
import type { Nemesis, NemesisContext } from '../../nemeses/types.js';
import { UserError } from '../core/errors.js';
import type { Client } from '../db/types.js';
import { interpret, type Completion, type Worker } from '../interpreter/index.js';
import { unavailableFaults } from '../../nemeses/index.js';
import { Interrupted, withFaults } from '../runtime/guard.js';
import { clientNodeOf, progress, type Progress } from '../runtime/types.js';
import { saveNodeLog } from '../history/runs.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunContext } from './context.js';
import { FINAL_PHASE_MS, type RunPlan } from './plan.js';

const UP_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 30_000;
/** A nemesis op's own deadline: above the nemesis's 60 s per-action deadline, so a stuck fault reports what it did. */
const NEMESIS_OP_TIMEOUT_MS = 120_000;

/**
 * Waits until the database serves, bounded: its `ready` when it has one, then its `leader` when
 * it has one (the leader is returned). A Db with neither is ready once every node listens (up
 * waited for that). Returns false when the bound passed first.
 */
async function waitReady(ctx: RunContext, timeoutMs: number, signal: AbortSignal): Promise<{ leader?: string } | false> {
  const nodes = ctx.nodes.map(clientNodeOf);
  const bounded = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]);
  if (ctx.db.ready) {
    await ctx.db.ready(nodes, bounded).catch(() => {});
    if (bounded.aborted) return false;
  }
  if (!ctx.db.leader) return {};
  while (!bounded.aborted) {
    const l = await ctx.db.leader(nodes, bounded).catch(() => undefined);
    if (l) return { leader: l };
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Why a client's result breaks the contract, or undefined when it keeps it. */
function badResult(r: unknown): string | undefined {
  if (typeof r !== 'object' || r === null) return `returned ${JSON.stringify(r) ?? String(r)} (expected { type: 'ok' | 'fail' | 'info', value?, error? })`;
  const o = r as Record<string, unknown>;
  if (o.type !== 'ok' && o.type !== 'fail' && o.type !== 'info') return `returned type ${JSON.stringify(o.type) ?? String(o.type)} (expected ok, fail or info)`;
  if (o.error !== undefined && typeof o.error !== 'string') return `returned error ${JSON.stringify(o.error)} (expected a string)`;
  if (o.node !== undefined && typeof o.node !== 'string') return `returned node ${JSON.stringify(o.node)} (expected a node name)`;
  return undefined;
}

/**
 * A client thread's worker: its own Client, opened on node t mod n at its first op. A result
 * that breaks the contract is never turned into something valid: `broken` stops the run.
 */
function clientWorker(ctx: RunContext, thread: number, clients: Client[], broken: (e: UserError) => void): Worker {
  const nodes = ctx.nodes.map(clientNodeOf);
  let client: Promise<Client> | undefined;
  const opened = (signal: AbortSignal) =>
    (client ??= (async () => {
      const c = ctx.db.client({ workload: ctx.spec.workload, nodes, opTimeoutMs: ctx.spec.opTimeoutMs });
      clients.push(c);
      await c.open(nodes[thread % nodes.length]!, signal);
      return c;
    })());
  return {
    async invoke(inv, signal): Promise<Completion> {
      const c = await opened(signal);
      const r = (await c.invoke({ f: inv.f, value: inv.value }, signal)) as unknown;
      const why = badResult(r);
      if (why) {
        const shown = JSON.stringify(inv.value) ?? String(inv.value);
        const e = new UserError(`the ${ctx.db.name} adapter's client broke the contract: invoke({ f: ${JSON.stringify(inv.f)}, value: ${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown} }) ${why}`);
        broken(e);
        return { type: 'info', error: e.message };
      }
      return r as Completion;
    },
  };
}

export async function execute(ctx: RunContext, plan: RunPlan): Promise<void> {
  const { spec, runtime } = ctx;
  const nemesis: Nemesis = compose();
  const clients: Client[] = [];
  const nemesisCtx = (p: Progress): NemesisContext => ({
    runtime,
    nodes: ctx.nodes,
    rng: ctx.streams.nemesis,
    findLeader: async (signal) => ctx.db.leader?.(ctx.nodes.map(clientNodeOf), signal),
    progress: p,
  });
  let contractBroken: UserError | undefined;
  const hardLimitMs = spec.timeLimitMs + spec.recoveryMs + FINAL_PHASE_MS + UP_TIMEOUT_MS + 120_000;

  const collectLogs = async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    for (const n of ctx.nodes) {
      try {
        const text = await runtime.logs(n);
        writeFileSync(join(ctx.dir, `${n.name}.log`), text);
        ctx.nodeLogs.push({ node: n.name, text });
        await saveNodeLog(ctx.historyDb.sql, ctx.runId, n.name, text);
      } catch (err) {
        ctx.log(`could not read the log of ${n.name}: ${(err as Error).message}`);
      }
    }
  };

  try {
    await withFaults(
      runtime,
      async (signal) => {
        ctx.reporter.onPhase('setup');
        const up = progress(UP_TIMEOUT_MS, ctx.log, signal);
        ctx.nodes = await runtime.up({ runId: `run${ctx.runId}-${spec.seed}`, db: ctx.db, dbDir: ctx.dbDir, nodeCount: spec.nodes, runDir: join(ctx.dir, 'cluster') }, up);
        // Some mechanisms are only known once nodes run (netem in a container's kernel).
        const missing = unavailableFaults(spec.nemesis, runtime);
        if (missing.length > 0) {
          throw new UserError(`--nemesis ${missing.map((m) => m.fault).join(',')} cannot run on the ${runtime.kind} runtime: ${missing.map((m) => m.reason).join('; ')}`);
        }
        ctx.log(`cluster: ${ctx.nodes.map((n) => `${n.name}@${n.clientAddr}`).join(' ')}`);
        const ready = await waitReady(ctx, READY_TIMEOUT_MS, signal);
        if (!ready) {
          const what = ctx.db.leader ? 'no leader was elected' : `${ctx.db.name} was not ready`;
          throw new Error(`${what} within ${READY_TIMEOUT_MS / 1000} s of starting the cluster (node logs: ${ctx.dir}/cluster)`);
        }

        const nemesisWorker: Worker = {
          async invoke(inv, opSignal): Promise<Completion> {
            const c = nemesisCtx(progress(60_000, ctx.log, opSignal));
            if (inv.f === 'heal') {
              await nemesis.heal(c);
              await runtime.heal(c.progress);
              return { type: 'info', value: 'healed' };
            }
            if (inv.f === 'await-leader') {
              const started = Date.now();
              const r = await waitReady(ctx, spec.recoveryMs, opSignal);
              return { type: 'info', value: { leader: (r && r.leader) ?? null, afterMs: Date.now() - started }, ...(r ? {} : { error: ctx.db.leader ? 'no leader after healing' : 'not ready after healing' }) };
            }
            const done = await nemesis.invoke(c, { index: -1, type: 'invoke', process: 'nemesis', f: inv.f, value: inv.value, timeNs: 0 });
            return { type: 'info', value: done.value, ...(done.error ? { error: done.error } : {}) };
          },
        };
        // A client that breaks the contract stops the run: its history is never checked as valid.
        const stop = new AbortController();
        const broken = (e: UserError) => {
          if (contractBroken) return;
          contractBroken = e;
          stop.abort(e);
        };
        const result = await interpret({
          generator: plan.generator,
          concurrency: spec.concurrency,
          client: (thread) => clientWorker(ctx, thread, clients, broken),
          nemesis: nemesisWorker,
          record: (op) => ctx.record(op),
          rng: ctx.streams.workload,
          opTimeoutMs: spec.opTimeoutMs + 1000,
          nemesisTimeoutMs: NEMESIS_OP_TIMEOUT_MS,
          signal: AbortSignal.any([signal, stop.signal]),
        });
        if (contractBroken) throw contractBroken;
        if (result.aborted) throw signal.reason ?? new Error('aborted');
      },
      {
        timeLimitMs: hardLimitMs,
        healNemeses: (p) => nemesis.heal(nemesisCtx(p)),
        beforeDown: collectLogs,
        keepUp: spec.leaveRunning,
        exitOnSignal: false,
        // The interpreter completes what was in flight as soon as it is aborted; wait for that.
        settleMs: 15_000,
        log: ctx.log,
      },
    );
  } catch (caught) {
    // A broken contract is the cause, whatever the abort it caused looks like on the way out.
    const err = contractBroken ?? caught;
    if (err instanceof Interrupted) {
      ctx.status = 'aborted';
      ctx.errors.unshift(err.message);
    } else {
      ctx.status = 'crashed';
      const message = (err as Error).message ?? String(err);
      ctx.errors.unshift(message === 'time limit reached' ? `the run overran its time limit by ${(hardLimitMs - spec.timeLimitMs) / 1000} s` : message);
      if (err instanceof UserError) ctx.userError = err;
    }
  }
}
