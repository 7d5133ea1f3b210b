// runTest: one faulted test from spec to verdict.
//
//   run row (spec, seed) → cluster up → wait for a leader → one generator, run by the interpreter:
//     phases( clients (time limit, rate) ∥ nemesis schedule,
//             nemesis: heal everything,  nemesis: wait for a leader,  clients: final reads )
//   → node logs → heal + cluster down (always: success, error, Ctrl-C) → history stored →
//   checkers → results → verdict.
//
// Everything the run did lands in the history as it happens (the nemesis included), so a run
// that crashes or is interrupted halfway still has its history in Postgres for `analyze`.

import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compose, unavailableFaults } from '../../nemeses/index.js';
import { findLeader } from '../../nemeses/leader.js';
import { schedule, type ScheduledOp } from '../../nemeses/schedule.js';
import type { NemesisContext } from '../../nemeses/types.js';
import { buildWorkload } from '../../workloads/index.js';
import type { Validity } from '../core/validity.js';
import { UserError } from '../core/errors.js';
import { faultlineHome } from '../core/home.js';
import type { RunProgress } from '../cli/progress.js';
import {
  any, onClients, onNemesis, once, phases, stagger, timeLimit, type Generator, type GenContext, type Invocation,
} from '../generator/index.js';
import { openDb } from '../history/db.js';
import { opToJsonl } from '../history/jsonl.js';
import type { Op } from '../core/op.js';
import { createRun, finishRun, saveNodeLog, saveResult } from '../history/runs.js';
import { openSink } from '../history/sink.js';
import { interpret, type Completion, type Worker } from '../interpreter/index.js';
import { chooseRuntime } from '../runtime/index.js';
import { healAll } from '../runtime/guard.js';
import { progress as deadline, type Runtime } from '../runtime/types.js';
import { createRng } from '../core/rng.js';
import { writeReport } from '../../reports/write.js';
import { testReportData } from '../serve/from-test.js';
import { checkHistory, type HistoryVerdict } from './check.js';
import { rerunCommand, type TestSpec } from './spec.js';

export interface RunOutcome {
  runId: number;
  name: string;
  valid: Validity;
  seed: number;
  runDir: string;
  status: 'finished' | 'crashed' | 'aborted';
  verdict?: HistoryVerdict;
  error?: string;
  rerun: string;
  runtime: string;
  ops: number;
  /** The HTML report (absent only if writing it failed; `error` then says why). */
  report?: string;
}

const LEADER_WAIT_MS = 30_000;
const FINAL_PHASE_MS = 30_000;

/** The scheduled nemesis ops as a generator on the nemesis thread; atMs counts from startNs. */
function nemesisGenerator(ops: readonly ScheduledOp[], startNs: number): Generator {
  const at = (i: number, startNs: number): Generator => ({
    op(ctx) {
      const next = ops[i];
      if (!next) return { kind: 'done' };
      if (!ctx.free.includes('nemesis')) return { kind: 'pending', next: at(i, startNs) };
      const { atMs, ...inv } = next;
      return { kind: 'op', thread: 'nemesis', op: { ...(inv as Invocation), timeNs: startNs + atMs * 1e6 }, next: at(i + 1, startNs) };
    },
    update: () => at(i, startNs),
  });
  return at(0, startNs);
}

/** The run folder: $FAULTLINE_HOME/runs/<name>/<timestamp>/, with `latest` links. */
function makeRunDir(name: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '').replace('T', '-').slice(0, 17);
  const base = join(faultlineHome(), 'runs');
  const dir = join(base, name.replace(/[^\w.+-]/g, '_'), stamp);
  mkdirSync(dir, { recursive: true });
  for (const link of [join(base, 'latest'), join(dir, '..', 'latest')]) {
    rmSync(link, { force: true });
    symlinkSync(dir, link);
  }
  return dir;
}

export interface RunOptions {
  databaseUrl?: string;
  ui: RunProgress;
}

export async function runTest(spec: TestSpec, o: RunOptions): Promise<RunOutcome> {
  const ui = o.ui;
  const rng = createRng(spec.seed);
  const workload = buildWorkload(spec.workload);
  const { runtime, reason } = await chooseRuntime(spec.runtime);
  ui.log(reason);
  const runDir = makeRunDir(spec.name);
  const db = await openDb({ databaseUrl: o.databaseUrl });
  const runId = await createRun(db.sql, { name: spec.name, spec: { ...spec, runtimeUsed: runtime.kind }, seed: spec.seed });
  ui.log(`run ${runId}: history → ${db.where}; files → ${runDir}`);
  const sink = openSink(db, runId);
  const history: Op[] = [];
  const record = (op: Op) => {
    history.push(op);
    ui.op(op);
    sink.append(op);
    if (sink.full) return sink.drain();
  };

  const controller = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      ui.log(`${name}: stopping — healing every fault and taking the cluster down (Ctrl-C again only exits sooner after healing)`);
      controller.abort(new Error(`interrupted by ${name}`));
    } else ui.log('still healing; the run exits as soon as every fault is healed');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  const nodeLogs: { node: string; text: string }[] = [];
  const nemesis = compose();
  let status: RunOutcome['status'] = 'finished';
  let error: string | undefined;
  let nodes: Awaited<ReturnType<Runtime['up']>> = [];
  const clients: (Worker & { close(): Promise<void> })[] = [];
  const nemesisCtx = (signal: AbortSignal): NemesisContext => ({
    runtime,
    nodes,
    rng: rng.fork(),
    findLeader: () => findLeader(nodes),
    progress: deadline(60_000, (m) => ui.log(m), signal),
  });
  try {
    ui.phase('setup');
    const up = deadline(120_000, (m) => ui.log(m), controller.signal);
    nodes = await runtime.up({ runId: `run${runId}-${spec.seed}`, protocol: spec.db, nodeCount: spec.nodes, bugs: spec.bugs, runDir: join(runDir, 'cluster') }, up);
    const missing = unavailableFaults(spec.nemesis, runtime.mechanisms());
    if (missing.length > 0) {
      throw new UserError(`--nemesis ${missing.map((m) => m.fault).join(',')} cannot run on the ${runtime.kind} runtime: ${missing.map((m) => m.reason).join('; ')}`);
    }
    ui.log(`cluster: ${nodes.map((n) => `${n.name}@${n.clientAddr}`).join(' ')}`);
    const leader = await waitForLeader(nodes, LEADER_WAIT_MS, controller.signal);
    if (!leader) throw new Error(`no leader was elected within ${LEADER_WAIT_MS / 1000} s of starting the cluster (node logs: ${runDir}/cluster)`);

    const wctx = { nodes: Object.fromEntries(nodes.map((n) => [n.name, n.clientAddr])), opTimeoutMs: spec.opTimeoutMs };
    const nemesisWorker: Worker = {
      async invoke(inv, signal): Promise<Completion> {
        const ctx = nemesisCtx(signal);
        if (inv.f === 'heal') {
          await nemesis.heal(ctx);
          await runtime.heal(ctx.progress);
          await runtime.resetClocks(ctx.progress);
          return { type: 'info', value: 'healed' };
        }
        if (inv.f === 'await-leader') {
          const started = Date.now();
          const l = await waitForLeader(nodes, spec.recoveryMs, signal);
          return { type: 'info', value: { leader: l ?? null, afterMs: Date.now() - started }, ...(l ? {} : { error: 'no leader after healing' }) };
        }
        const done = await nemesis.invoke(ctx, { index: -1, type: 'invoke', process: 'nemesis', f: inv.f, value: inv.value, timeNs: 0 });
        return { type: 'info', value: done.value, ...(done.error ? { error: done.error } : {}) };
      },
    };
    const plan = spec.nemesis.length
      ? schedule({ faults: spec.nemesis, nodes: nodes.map((n) => n.name), intervalMs: spec.nemesisIntervalMs, durationMs: spec.timeLimitMs, seed: spec.seed })
      : [];
    const main = any([
      onClients(timeLimit(spec.timeLimitMs * 1e6, stagger(1e9 / spec.rateHz, workload.generator))),
      onNemesis(nemesisGenerator(plan, 0)), // the main phase starts when the interpreter's clock does
    ]);
    const generator = phases(
      phaseMarker(ui, 'main', main),
      onNemesis(once({ f: 'heal', value: null })),
      onNemesis(once({ f: 'await-leader', value: spec.recoveryMs })),
      phaseMarker(ui, 'final', timeLimit(FINAL_PHASE_MS * 1e6, workload.final)),
    );
    const hardStop = setTimeout(
      () => controller.abort(new Error('the run overran its time limit by 2 minutes')),
      spec.timeLimitMs + spec.recoveryMs + FINAL_PHASE_MS + 120_000,
    );
    try {
      const result = await interpret({
        generator,
        concurrency: spec.concurrency,
        client: (thread) => {
          const c = workload.client(thread, wctx);
          clients.push(c);
          return c;
        },
        nemesis: nemesisWorker,
        record,
        rng,
        opTimeoutMs: spec.opTimeoutMs + 1000,
        // A fault's op has its own deadline: above the nemesis's own 60 s per-action deadline, so
        // a stuck fault reports what it did rather than a client's "timeout after 2000 ms".
        nemesisTimeoutMs: 120_000,
        signal: controller.signal,
      });
      if (result.aborted) {
        status = signals > 0 ? 'aborted' : 'crashed';
        error = String((controller.signal.reason as Error)?.message ?? controller.signal.reason);
      }
    } finally {
      clearTimeout(hardStop);
    }
  } catch (err) {
    status = controller.signal.aborted && signals > 0 ? 'aborted' : 'crashed';
    error = (err as Error).message ?? String(err);
    if (err instanceof UserError) {
      await teardown();
      throw err;
    }
  }
  await teardown();
  writeFileSync(join(runDir, 'history.jsonl'), history.map(opToJsonl).join('\n') + (history.length ? '\n' : ''));

  let verdict: HistoryVerdict | undefined;
  let valid: Validity = 'unknown';
  if (status === 'finished') {
    ui.phase('check');
    verdict = await checkHistory(spec.workload, history, { budgetMs: spec.checkBudgetMs });
    valid = verdict.valid;
    for (const [checker, r] of Object.entries(verdict.results)) await saveResult(db.sql, runId, checker, r.valid, r);
  }
  await finishRun(db.sql, runId, status, status === 'finished' ? valid : null);
  await db.close();
  const outcome: RunOutcome = {
    runId,
    name: spec.name,
    valid,
    seed: spec.seed,
    runDir,
    status,
    ...(verdict ? { verdict } : {}),
    ...(error ? { error } : {}),
    rerun: rerunCommand(spec),
    runtime: runtime.kind,
    ops: history.filter((op) => op.type === 'invoke' && op.process !== 'nemesis').length,
  };
  try {
    outcome.report = writeReport(testReportData({ spec, outcome, history, nodeLogs, startedAt }), join(runDir, 'report.html'));
  } catch (err) {
    outcome.error = `${outcome.error ? `${outcome.error}; ` : ''}the HTML report could not be written: ${(err as Error).message}`;
  }
  writeFileSync(join(runDir, 'results.json'), JSON.stringify(outcome, null, 2) + '\n');
  return outcome;

  /** Node logs, then heal + down (unless --leave-running), then the last ops into Postgres. */
  async function teardown(): Promise<void> {
    ui.phase('teardown');
    for (const n of nodes) {
      try {
        const text = await runtime.logs(n);
        writeFileSync(join(runDir, `${n.name}.log`), text);
        nodeLogs.push({ node: n.name, text });
        await saveNodeLog(db.sql, runId, n.name, text);
      } catch (err) {
        ui.log(`could not read the log of ${n.name}: ${(err as Error).message}`);
      }
    }
    await Promise.all(clients.map((c) => c.close().catch(() => {})));
    try {
      await healAll(runtime, { healNemeses: (p) => nemesis.heal({ ...nemesisCtx(p.signal), progress: p }), keepUp: spec.leaveRunning, log: (m) => ui.log(m) });
    } catch (err) {
      status = 'crashed';
      error = `${error ? `${error}; ` : ''}${(err as Error).message}`;
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    try {
      await sink.close();
    } catch (err) {
      status = 'crashed';
      const file = join(runDir, 'unstored-ops.jsonl');
      writeFileSync(file, history.map(opToJsonl).join('\n') + '\n');
      error = `${(err as Error).message}; the whole history is in ${file}`;
    }
  }
}

function phaseMarker(ui: RunProgress, name: string, gen: Generator): Generator {
  let told = false;
  const wrap = (g: Generator): Generator => ({
    op(ctx: GenContext) {
      if (!told) {
        told = true;
        ui.phase(name);
      }
      const s = g.op(ctx);
      return s.kind === 'done' ? s : { ...s, next: wrap(s.next) };
    },
    update: (ctx, e, t) => wrap(g.update(ctx, e, t)),
  });
  return wrap(gen);
}

async function waitForLeader(nodes: Parameters<typeof findLeader>[0], timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end && !signal.aborted) {
    const l = await findLeader(nodes, 500).catch(() => undefined);
    if (l) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

