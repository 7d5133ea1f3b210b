import { Args, Flags } from '@oclif/core';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { isModelName, MODEL_NAMES } from '../../checkers/models/index.js';
import { checkStats } from '../../checkers/stats.js';
import { mergeValidity, type CheckResult, type Validity } from '../core/validity.js';
import { reasonOf } from '../../reports/junit.js';
import { WORKLOAD_NAMES, type WorkloadName } from '../../workloads/index.js';
import { FaultlineCommand } from '../cli/base.js';
import { EXIT, exitCodeFor, UserError } from '../core/errors.js';
import { printable } from '../core/text.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { verdictText } from '../cli/verdict.js';
import { withDb } from '../history/db.js';
import { resolveRun, saveResult, setRunValidity } from '../history/runs.js';
import { readHistory } from '../history/source.js';
import { validateHistory } from '../history/validate.js';
import { checkHistory } from '../run/check.js';
import { parseDuration } from '../run/spec.js';

export interface AnalyzeResult {
  runId: number;
  name: string;
  valid: Validity;
  ops: number;
  checkers: Record<string, { valid: Validity; reason?: string }>;
}

export default class Analyze extends FaultlineCommand {
  static override summary = 'Re-run the checkers on a stored history (no cluster, no Docker).';
  static override description =
    'Reads a run\'s history from Postgres and checks it again with its workload\'s checkers, stores the ' +
    'results and the verdict, and exits 0 valid, 1 invalid, 2 unknown. Works on interrupted runs and on ' +
    'imported histories (name the workload or a linearizability model for those).';
  static override examples = [
    '<%= config.bin %> analyze latest',
    '<%= config.bin %> analyze 12 --json',
    '<%= config.bin %> analyze etcd.edn --model cas-register',
  ];
  static override enableJsonFlag = true;
  static override args = { run: Args.string({ description: 'Run id, run name, or `latest`.', required: true }) };
  static override flags = {
    workload: Flags.string({ description: 'Check as this workload (default: the run\'s own).', options: [...WORKLOAD_NAMES] }),
    model: Flags.string({ description: 'Check linearizability against this model (for imported histories).', options: [...MODEL_NAMES] }),
    budget: Flags.string({ description: 'Time budget of each checker.', default: '60s' }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<AnalyzeResult> {
    const { args, flags } = await this.parse(Analyze);
    const budgetMs = parseDuration('budget', flags.budget);
    const result = await withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const run = await resolveRun(db.sql, args.run, db.where);
      // Never a verdict beside `running`: the history is still growing (a run whose harness died
      // on this host was already marked crashed when the database opened; src/history/harness.ts).
      if (run.status === 'running') {
        throw new UserError(`run ${run.id} (${printable(run.name)}) is still running, so its history is not complete: analyze it once it has ended (\`faultline cleanup\` marks a dead harness's run crashed)`, { exitCode: EXIT.unknown });
      }
      const history = await readHistory(db, run.id);
      const problem = validateHistory(history);
      if (problem) throw new UserError(`run ${run.id} has a malformed history: op ${problem.index}: ${problem.reason}`);
      const workload = (flags.workload ?? (run.spec as { workload?: string }).workload) as WorkloadName | undefined;
      let results: Record<string, CheckResult>;
      if (flags.model && isModelName(flags.model)) {
        results = { stats: checkStats(history), linearizable: await checkLinearizable(history, { name: flags.model }, { budgetMs }) };
      } else if (workload) {
        results = (await checkHistory(workload, history, { budgetMs })).results;
      } else {
        throw new UserError(`run ${run.id} (${run.name}) was imported, so it has no workload: pass --workload (${WORKLOAD_NAMES.join(', ')}) or --model (${MODEL_NAMES.join(', ')})`);
      }
      const valid = mergeValidity(...Object.values(results).map((r) => r.valid));
      for (const [checker, r] of Object.entries(results)) await saveResult(db.sql, run.id, checker, r.valid, r);
      await setRunValidity(db.sql, run.id, valid);
      const color = Boolean(process.stdout.isTTY);
      this.say(`run ${run.id} ${run.name}: ${verdictText(valid, color)} (${history.length} history ops)`);
      for (const [name, r] of Object.entries(results)) this.say(`  ${name}: ${verdictText(r.valid, color)}${r.valid === true ? '' : ` — ${reasonOf(name, r).split('\n').join('\n      ')}`}`);
      return {
        runId: run.id,
        name: run.name,
        valid,
        ops: history.length,
        checkers: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r.valid === true ? { valid: r.valid } : { valid: r.valid, reason: reasonOf(k, r) }])),
      };
    });
    if (this.jsonEnabled()) {
      this.logJson(result);
      this.exit(exitCodeFor(result.valid));
    }
    if (result.valid !== true) this.exit(exitCodeFor(result.valid));
    return result;
  }
}
