import { Args, Flags } from '@oclif/core';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { isModelName, MODEL_NAMES } from '../../checkers/models/index.js';
import { checkStats } from '../../checkers/stats.js';
import { mergeValidity, type CheckResult, type Validity } from '../core/validity.js';
import { withWitnessContext } from '../../reports/context.js';
import { reasonOf } from '../../reports/junit.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../../workloads/index.js';
import { FaultlineCommand } from '../cli/base.js';
import { EXIT, exitCodeFor, UserError } from '../core/errors.js';
import { printable } from '../core/text.js';
import { databaseUrlFlag, runFilterFlags, runFilterOf } from '../cli/flags.js';
import { colorEnabled } from '../cli/color.js';
import { countOps, opsText, runJson, type RunJson } from '../cli/json.js';
import { verdictText } from '../cli/verdict.js';
import { EMPTY_HISTORY_REASON, historyKind, TXN_HISTORY_HINT } from '../history/formats.js';
import { withDb } from '../history/db.js';
import { gatedVerdict, incompleteReason, resolveRun, saveResult, setRunValidity } from '../history/runs.js';
import { readHistory } from '../history/source.js';
import { validateHistory } from '../history/validate.js';
import { checkHistory } from '../run/check.js';
import { parseDuration } from '../run/spec.js';

/** `analyze --json`, schema version 1 (docs/json.md). */
export interface AnalyzeResult {
  schemaVersion: 1;
  run: RunJson;
  /** The verdict: never `true` for a run that did not finish, unless --accept-partial. */
  valid: Validity;
  /** Why the verdict is `unknown` although no checker said so (incomplete run, empty history), or null. */
  reason: string | null;
  /** Whether the history is incomplete (the run did not finish). */
  incomplete: boolean;
  /** Client operations (an invocation and its completion count as one op). */
  ops: number;
  /** History entries: invocations and completions, nemesis included. */
  events: number;
  checkers: Record<string, { valid: Validity; reason?: string }>;
}

export default class Analyze extends FaultlineCommand {
  static override summary = 'Re-run the checkers on a stored history (no cluster, no Docker).';
  static override description =
    'Reads a run\'s history from Postgres and checks it again with its workload\'s checkers, stores the ' +
    'results and the verdict, and exits 0 valid, 1 invalid, 2 unknown. A run that did not finish (running, ' +
    'crashed, aborted) is never valid: its verdict is unknown (exit 2) unless --accept-partial accepts its ' +
    'partial history; a violation found in it still exits 1. An empty history is unknown. Imported ' +
    'histories need --workload or --model.';
  static override examples = [
    '<%= config.bin %> analyze latest',
    '<%= config.bin %> analyze latest --mine',
    '<%= config.bin %> analyze 12 --json',
    '<%= config.bin %> analyze 12 --accept-partial',
    '<%= config.bin %> analyze etcd.edn --model cas-register',
  ];
  static override enableJsonFlag = true;
  static override args = { run: Args.string({ description: 'Run id, run name, or `latest` (narrowed by --mine, --host, --user, --ci).', required: true }) };
  static override flags = {
    workload: Flags.string({ description: 'Check as this workload (default: the run\'s own).', options: [...WORKLOAD_NAMES] }),
    model: Flags.string({ description: 'Check linearizability against this model (for imported histories).', options: [...MODEL_NAMES] }),
    budget: Flags.string({ description: 'Time budget of each checker.', default: '60s' }),
    'accept-partial': Flags.boolean({ description: 'Accept the history of a run that did not finish: a valid check then counts as valid.', default: false }),
    ...runFilterFlags,
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<AnalyzeResult> {
    const { args, flags } = await this.parse(Analyze);
    const budgetMs = parseDuration('budget', flags.budget);
    const result = await withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const run = await resolveRun(db.sql, args.run, db.where, runFilterOf(flags));
      // Never a verdict beside `running`: the history is still growing (a run whose harness died
      // on this host was already marked crashed when the database opened; src/history/harness.ts).
      if (run.status === 'running' && !flags['accept-partial']) {
        throw new UserError(`run ${run.id} (${printable(run.name)}) is still running, so its history is not complete: analyze it once it has ended (\`faultline cleanup\` marks a dead harness's run crashed)`, { exitCode: EXIT.unknown });
      }
      const history = await readHistory(db, run.id);
      const problem = validateHistory(history);
      if (problem) throw new UserError(`run ${run.id} has a malformed history: op ${problem.index}: ${problem.reason}`);
      const workload = (flags.workload ?? (run.spec as { workload?: string }).workload) as WorkloadName | undefined;
      const kind = historyKind(history);
      if (kind === 'txn' && (flags.model !== undefined || !workload || workload === 'register' || workload === 'kv')) {
        throw new UserError(`run ${run.id} (${run.name}): ${TXN_HISTORY_HINT.replace(/ \(`faultline history import.*$/, ` (\`faultline analyze ${run.id} --workload list-append\`)`)}`);
      }
      let results: Record<string, CheckResult>;
      if (kind === 'empty') {
        results = { stats: checkStats(history) };
      } else if (flags.model && isModelName(flags.model)) {
        results = { stats: checkStats(history), linearizable: await checkLinearizable(history, { name: flags.model }, { budgetMs }) };
      } else if (workload) {
        results = (await checkHistory(workload, history, { budgetMs })).results;
      } else {
        throw new UserError(`run ${run.id} (${run.name}) was imported, so it has no workload: pass --workload (${WORKLOAD_NAMES.join(', ')}) or --model (${MODEL_NAMES.join(', ')})`);
      }
      results = withWitnessContext(results, history);
      const checked = mergeValidity(...Object.values(results).map((r) => r.valid));
      const incomplete = incompleteReason(run.status);
      let valid = gatedVerdict(run.status, checked, flags['accept-partial']);
      let reason: string | null = valid === checked ? null : `incomplete: ${incomplete}; \`--accept-partial\` accepts its partial history`;
      if (kind === 'empty') {
        valid = 'unknown';
        reason = `${EMPTY_HISTORY_REASON}${incomplete ? ` (${incomplete})` : ''}`;
      }
      for (const [checker, r] of Object.entries(results)) await saveResult(db.sql, run.id, checker, r.valid, r);
      await setRunValidity(db.sql, run.id, valid);
      const color = colorEnabled(process.stdout);
      const ops = countOps(history);
      const status = run.status === 'finished' ? '' : ` [${run.status}${flags['accept-partial'] ? ', partial history accepted' : ''}]`;
      this.say(`run ${run.id} ${run.name}: ${verdictText(valid, color)}${status} (${opsText(ops, history.length)})`);
      if (reason) this.say(`  ${reason}`);
      else if (incomplete) this.say(`  ${incomplete}${valid === false ? ' — the violation below stands whatever the missing ops did' : ''}`);
      for (const [name, r] of Object.entries(results)) this.say(`  ${name}: ${verdictText(r.valid, color)}${r.valid === true ? '' : ` — ${reasonOf(name, r).split('\n').join('\n      ')}`}`);
      const out: AnalyzeResult = {
        schemaVersion: 1,
        run: runJson(run),
        valid,
        reason,
        incomplete: incomplete !== undefined,
        ops,
        events: history.length,
        checkers: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.valid === true ? { valid: r.valid } : { valid: r.valid, reason: reasonOf(k, r) }])),
      };
      return out;
    });
    if (this.jsonEnabled()) {
      this.logJson(result);
      this.exit(exitCodeFor(result.valid));
    }
    if (result.valid !== true) this.exit(exitCodeFor(result.valid));
    return result;
  }
}
