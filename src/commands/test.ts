import { Flags } from '@oclif/core';
import { accessSync, constants, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FAULTS } from '../../nemeses/schedule.js';
import { junitXml } from '../../reports/junit.js';
import type { Op } from '../core/op.js';
import { mergeValidity, type Validity } from '../core/validity.js';
import { WORKLOAD_NAMES } from '../../workloads/index.js';
import { FaultlineCommand } from '../cli/base.js';
import { EXIT, exitCodeFor, UserError } from '../core/errors.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { silentProgress, terminalProgress } from '../cli/progress.js';
import { verdictText } from '../cli/verdict.js';
import { htmlReporter, junitReporter, terminalReporter } from '../cli/reporters.js';
import { RUNTIME_CHOICES } from '../runtime/index.js';
import { BUGS } from '../store/bugs.js';
import { runTest, type RunOutcome } from '../run/run.js';
import { buildSpec, DBS, type TestSpec } from '../run/spec.js';
import { reasonOf } from '../../reports/junit.js';

/** One run in `test --json` (docs/json.md): always inside `runs`, whatever --test-count. */
export interface TestRunJson {
  runId: number;
  name: string;
  status: string;
  valid: Validity;
  seed: number;
  runDir: string;
  report: string | null;
  rerun: string;
  ops: number;
  /** Each checker's verdict. */
  checkers: Record<string, Validity>;
  /** Each failing checker's explanation (the counterexample, in words). */
  counterexamples: { checker: string; text: string }[];
  unknownBecause?: string;
  faultsNeverTookEffect?: string[];
  error?: string;
}

/** `faultline test --json`, schema version 1: the worst run's fields at the top, every run in `runs`. */
export interface TestResult {
  valid: Validity;
  runId: number;
  seed: number;
  runDir: string;
  report: string | null;
  runs: TestRunJson[];
}

function runJsonOf(o: RunOutcome): TestRunJson {
  const results = o.verdict?.results ?? {};
  return {
    runId: o.runId,
    name: o.name,
    status: o.status,
    valid: o.valid,
    seed: o.seed,
    runDir: o.runDir,
    report: o.report ?? null,
    rerun: o.rerun,
    ops: o.ops,
    checkers: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.valid])),
    counterexamples: Object.entries(results).filter(([, r]) => r.valid === false).map(([checker, r]) => ({ checker, text: reasonOf(checker, r) })),
    ...(o.unknownBecause ? { unknownBecause: o.unknownBecause } : {}),
    ...(o.faultsNeverTookEffect ? { faultsNeverTookEffect: o.faultsNeverTookEffect } : {}),
    ...(o.error ? { error: o.error } : {}),
  };
}

export default class Test extends FaultlineCommand {
  static override summary = 'Run a fault-injection test: cluster up, workload + nemesis, heal, final reads, check.';
  static override description =
    'Starts the database under test (the bundled store, or your own through an adapter module: --db ./adapter.mjs) on a cluster (Docker containers, or local processes when no Docker daemon answers), ' +
    'drives concurrent clients through a workload while the nemesis injects faults, heals everything, runs final ' +
    'reads, stores the history in Postgres and checks it. Exit 0 valid, 1 invalid, 2 unknown or interrupted, ' +
    '254 bad arguments, 255 the harness or cluster crashed. The seed fixes the workload values and the fault ' +
    'schedule; real clocks, networks and thread timing are not deterministic, so a rerun reproduces the schedule, ' +
    'not necessarily the exact history.';
  static override examples = [
    '<%= config.bin %> test --workload register --nemesis partition,kill --time-limit 30s',
    '<%= config.bin %> test --bug stale-read --nemesis partition --time-limit 30s --json',
    '<%= config.bin %> test --workload set --bug no-fsync --nemesis kill --runtime local --nodes 3',
    '<%= config.bin %> test --db ./examples/redis/adapter.mjs --db-opt reads=replica --workload register --nemesis partition',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    db: Flags.string({
      description: `The database under test: a protocol of the bundled store (${DBS.join(', ')}) or the path of an adapter module (./adapter.mjs; see docs/adapters.md).`,
      default: 'raft',
    }),
    'db-opt': Flags.string({ description: "An adapter module's option, key=value (repeatable): given to its default export when that is a function.", multiple: true, default: [] }),
    bug: Flags.string({ description: `Bug switches of the bundled store to turn on (${BUGS.join(', ')}); comma-separated or repeated.`, multiple: true, default: [] }),
    nodes: Flags.integer({ description: 'Cluster size.', default: 5 }),
    runtime: Flags.string({ description: 'Where nodes run: docker, local, or auto (docker when a daemon answers).', options: [...RUNTIME_CHOICES], default: 'auto' }),
    workload: Flags.string({ description: 'What the clients do.', options: [...WORKLOAD_NAMES], default: 'register' }),
    nemesis: Flags.string({ description: `Faults to inject: comma-separated from ${FAULTS.join(', ')}, or none, or all.`, default: 'partition' }),
    'nemesis-interval': Flags.string({ description: 'Time between fault changes (default 5s, or shorter so every requested fault is injected within the time limit).' }),
    'time-limit': Flags.string({ description: 'How long clients run while faults are injected.', default: '30s' }),
    rate: Flags.integer({ description: 'Client ops per second, over all clients.', default: 100 }),
    concurrency: Flags.string({ description: 'Client threads: a number, or N per node like 2n.', default: '1n' }),
    seed: Flags.string({ description: 'Seed of the workload values and the fault schedule (default: random, printed).' }),
    'op-timeout': Flags.string({ description: 'An op still running after this completes as info (unknown outcome).', default: '1s' }),
    recovery: Flags.string({ description: 'How long the healed cluster gets to elect a leader before final reads.', default: '15s' }),
    'check-budget': Flags.string({ description: 'Time budget of each checker; beyond it the verdict is unknown.', default: '60s' }),
    'test-count': Flags.integer({ description: 'Run the test this many times; the worst verdict wins.', default: 1, min: 1 }),
    junit: Flags.string({ description: 'Write JUnit XML results to this file.' }),
    'leave-running': Flags.boolean({ description: 'Leave the healed cluster running after the test.', default: false }),
    name: Flags.string({ description: 'Run name (default: from db, workload, nemesis and bugs).' }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<TestResult> {
    const { flags } = await this.parse(Test);
    const spec = specOf(flags);
    if (flags.junit) checkOutputPath('--junit', flags.junit);
    if (flags['test-count'] > 1 && flags.seed !== undefined) this.note('note: --seed with --test-count runs the same schedule every time');
    const outcomes: RunOutcome[] = [];
    const histories: (readonly Op[])[] = [];
    for (let i = 0; i < flags['test-count']; i++) {
      const thisSpec = i === 0 ? spec : { ...spec, seed: flags.seed !== undefined ? spec.seed : Math.floor(Math.random() * 2 ** 32) };
      const ui = this.jsonEnabled() ? silentProgress : terminalProgress({ timeLimitMs: spec.timeLimitMs });
      let outcome: RunOutcome;
      try {
        const reporters = [terminalReporter(ui), htmlReporter(), junitReporter(), { name: 'keep', onEnd: (e: { history: readonly Op[] }) => void histories.push(e.history) }];
        outcome = await runTest(thisSpec, { databaseUrl: flags['database-url'], reporters, log: (l) => ui.log(l) });
      } finally {
        ui.stop();
      }
      outcomes.push(outcome);
      this.summarize(outcome, flags['test-count'] > 1 ? `${i + 1}/${flags['test-count']}` : '');
      if (outcome.status === 'aborted') break;
    }
    const worst = outcomes.reduce((w, o) => (rank(o) > rank(w) ? o : w));
    const valid = mergeValidity(...outcomes.map((o) => o.valid));
    if (flags.junit) {
      const path = resolve(flags.junit);
      const results = Object.fromEntries(outcomes.flatMap((o, i) => Object.entries(o.verdict?.results ?? {}).map(([k, r]) => [outcomes.length > 1 ? `${k} #${i + 1}` : k, r])));
      try {
        // One run: its history gives each witness op's node and the faults active around it.
        const history = outcomes.length === 1 ? histories[0] : undefined;
        writeFileSync(path, junitXml(spec.name, results, { timeS: 0, ...(worst.error ? { error: worst.error } : {}), ...(history ? { history } : {}) }));
      } catch (err) {
        throw new UserError(`cannot write --junit ${flags.junit}: ${(err as Error).message}`, { cause: err });
      }
      this.note(`JUnit results: ${path}`);
    }
    const result: TestResult = { valid, runId: worst.runId, seed: worst.seed, runDir: worst.runDir, report: worst.report ?? null, runs: outcomes.map(runJsonOf) };
    const code = worst.status === 'crashed' ? EXIT.crashed : worst.status === 'aborted' ? EXIT.unknown : exitCodeFor(valid);
    if (this.jsonEnabled()) {
      this.logJson(result);
      this.exit(code);
    }
    if (code !== 0) this.exit(code);
    return result;
  }

  private summarize(o: RunOutcome, label: string): void {
    if (this.jsonEnabled()) return;
    const color = Boolean(process.stdout.isTTY);
    const head = o.status === 'finished' ? verdictText(o.valid, color) : o.status === 'aborted' ? 'interrupted (unknown)' : 'CRASHED';
    this.log(`${label ? `[${label}] ` : ''}run ${o.runId} ${o.name}: ${head} — ${o.ops} client ops on ${o.runtime}`);
    for (const [name, r] of Object.entries(o.verdict?.results ?? {})) {
      const line = r.valid === true ? '' : ` — ${reasonOf(name, r).split('\n').join('\n      ')}`;
      this.log(`  ${name}: ${verdictText(r.valid, color)}${line}`);
    }
    if (o.unknownBecause) this.log(`  unknown because ${o.unknownBecause}`);
    if (o.error) this.log(`  error: ${o.error}`);
    if (o.report) this.log(`  report: ${o.report}`);
    this.log(`  files: ${o.runDir}`);
    if (o.valid !== true || o.status !== 'finished') {
      this.log(`  rerun with --seed ${o.seed}: ${o.rerun}`);
      this.log('  (the seed fixes the workload values and the fault schedule; real clocks, networks and timing are not deterministic)');
    }
  }
}

/** An output file the run will write: its folder is created now, and a path we could not write is refused before the run. */
export function checkOutputPath(flag: string, file: string): void {
  const path = resolve(file);
  try {
    mkdirSync(dirname(path), { recursive: true });
    if (existsSync(path) && statSync(path).isDirectory()) throw new Error('it is a folder');
    accessSync(dirname(path), constants.W_OK);
  } catch (err) {
    throw new UserError(`${flag} ${file}: cannot write there (${(err as Error).message})`, { cause: err });
  }
}

/** The spec of parsed `faultline test` flags (the rerun line parses back to the same spec). */
export function specOf(flags: Record<string, unknown>): TestSpec {
  const f = flags as Record<string, string | undefined> & { bug: string[]; 'db-opt'?: string[]; nodes: number; rate: number; 'leave-running': boolean };
  return buildSpec({
    name: f.name,
    db: f.db!,
    dbOpt: f['db-opt'] ?? [],
    bug: f.bug,
    nodes: f.nodes,
    runtime: f.runtime!,
    workload: f.workload!,
    nemesis: f.nemesis!,
    nemesisInterval: f['nemesis-interval'],
    timeLimit: f['time-limit']!,
    rate: f.rate,
    concurrency: f.concurrency!,
    seed: f.seed,
    opTimeout: f['op-timeout']!,
    recovery: f.recovery!,
    checkBudget: f['check-budget']!,
    leaveRunning: f['leave-running'],
  });
}

function rank(o: RunOutcome): number {
  if (o.status === 'crashed') return 4;
  if (o.valid === false) return 3;
  if (o.status === 'aborted' || o.valid === 'unknown') return 2;
  return 1;
}
