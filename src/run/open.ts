// Stage 1 — open: everything that can refuse the run is checked before anything starts (the
// runtime, the faults it can inject on this machine, the cluster size each fault needs); then the
// run folder, the history database, the run row and the sink are opened, in that order. If any
// of those fails after the run row exists, the row is closed as crashed before the error goes on.

import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { unavailableFaults } from '../../nemeses/index.js';
import { FAULTS, familyOf } from '../../nemeses/registry.js';
import { buildWorkload } from '../../workloads/index.js';
import { UserError } from '../core/errors.js';
import { faultlineHome } from '../core/home.js';
import type { Op } from '../core/op.js';
import { createRng } from '../core/rng.js';
import { loadDb } from '../db/load.js';
import { openDb } from '../history/db.js';
import { createRun, finishRun } from '../history/runs.js';
import { openSink } from '../history/sink.js';
import { chooseRuntime } from '../runtime/index.js';
import { progress } from '../runtime/types.js';

/** How long making the database's image may take before the run is refused (a first mmdebstrap build takes minutes). */
const IMAGE_TIMEOUT_MS = 30 * 60_000;
import type { RunContext } from './context.js';
import { historyFileReporter, multiplex, resultsReporter, type Reporter } from './reporters.js';
import type { TestSpec } from './spec.js';

export interface RunOptions {
  databaseUrl?: string;
  /** Reporters beyond the ones every run writes (history.jsonl, results.json): terminal, HTML, JUnit. */
  reporters?: Reporter[];
  /** Log lines for the user (stderr). */
  log?: (line: string) => void;
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

export async function openRun(spec: TestSpec, o: RunOptions): Promise<RunContext> {
  const log = o.log ?? (() => {});
  // --- refusals, before anything starts
  // The database first: a wrong adapter module is refused before a runtime is even asked.
  const loaded = await loadDb(spec);
  const unsupported = loaded.db.unsupportedFaults ?? {};
  for (const fault of Object.keys(unsupported)) {
    if (!(FAULTS as readonly string[]).includes(fault)) throw new UserError(`${loaded.db.name}: unsupportedFaults names an unknown fault ${JSON.stringify(fault)} (known: ${FAULTS.join(', ')})`);
  }
  const refused = spec.nemesis.filter((f) => unsupported[f] !== undefined);
  if (refused.length > 0) throw new UserError(`--nemesis ${refused.join(',')} cannot run on ${loaded.db.name}: ${refused.map((f) => unsupported[f]).join('; ')}`);
  // A fault the cluster size cannot take is known now: refuse it before a minutes-long image build.
  for (const fault of spec.nemesis) {
    const gap = familyOf(fault).sizeGap?.(spec.nodes);
    if (gap) throw new UserError(`--nemesis ${fault} cannot run here: ${gap}`);
  }
  // --leave-running: nodes that outlive the harness (local: own session; docker: persistent label).
  const { runtime, reason } = await chooseRuntime(spec.runtime, { persistent: spec.leaveRunning });
  // The runtime sees the Db: an image it cannot have is refused, one it can is built now (outside
  // the run's time limit: the first build of a Debian image takes minutes), faults it cannot
  // inject on this Db are known.
  await runtime.preflight?.(loaded.db, loaded.dir, progress(IMAGE_TIMEOUT_MS, log));
  const missing = unavailableFaults(spec.nemesis, runtime);
  if (missing.length > 0) {
    throw new UserError(`--nemesis ${missing.map((m) => m.fault).join(',')} cannot run on the ${runtime.kind} runtime: ${missing.map((m) => m.reason).join('; ')}`);
  }
  const workload = buildWorkload(spec.workload);
  const db = loaded.db;
  log(reason);
  if (loaded.module) log(`database: ${db.name} (adapter ${loaded.module})`);

  // --- resources, in order; a failure after the run row closes it
  const dir = makeRunDir(spec.name);
  const historyDb = await openDb({ databaseUrl: o.databaseUrl });
  let runId: number | undefined;
  try {
    runId = await createRun(historyDb.sql, { name: spec.name, spec: { ...spec, runtimeUsed: runtime.kind }, seed: spec.seed });
    log(`run ${runId}: history → ${historyDb.where}; files → ${dir}`);
    const sink = openSink(historyDb, runId);
    const root = createRng(spec.seed);
    const errors: string[] = [];
    const reporter = multiplex([historyFileReporter(dir), ...(o.reporters ?? []), resultsReporter(dir)], (name, err) => {
      errors.push(`the ${name} reporter failed: ${(err as Error).message ?? String(err)}`);
    });
    const history: Op[] = [];
    const ctx: RunContext = {
      spec,
      runId,
      dir,
      historyDb,
      sink,
      runtime,
      db,
      dbDir: loaded.dir,
      workload,
      // Independent streams: client threads, the schedule and the nemesis never shift each other.
      streams: { workload: root.fork(), scheduleSeed: spec.seed, nemesis: root.fork() },
      reporter,
      log,
      startedAt: new Date(),
      nodes: [],
      history,
      nodeLogs: [],
      status: 'finished',
      errors,
      record(op) {
        history.push(op);
        reporter.onOp(op);
        sink.append(op);
        if (sink.full) return sink.drain();
      },
    };
    return ctx;
  } catch (err) {
    if (runId !== undefined) await finishRun(historyDb.sql, runId, 'crashed', null).catch(() => {});
    await historyDb.close().catch(() => {});
    throw err;
  }
}
