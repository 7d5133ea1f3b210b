// `faultline check FILE... --model M`: checks history files for linearizability against a model.
// Reads Jepsen EDN, our JSONL, and Porcupine's etcd and kv logs; exit code is the worst verdict.
// The work is src/cli/check-core.ts (shared with the start-up fast path, src/cli/check-fast.ts).

import { Args, Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { exitCodeFor, UserError } from '../core/errors.js';
import { databaseUrlFlag, runFilterFlags, runFilterOf } from '../cli/flags.js';
import { parseDuration } from '../core/duration.js';
import { DEFAULT_MAX_CACHE_ENTRIES } from '../../checkers/linearizable.js';
import { MODEL_NAMES } from '../../checkers/models/index.js';
import { mergeValidity, type Validity } from '../core/validity.js';
import { CONSISTENCY_MODELS, isConsistencyModel } from '../../checkers/txn/models.js';
import type { ListAppendResult } from '../../checkers/txn/list-append.js';
import { checkHistories, loadFile, type CheckCommandResult } from '../cli/check-core.js';

export type { CheckCommandResult, CheckedFile } from '../cli/check-core.js';

export type TxnCheckedFile = ListAppendResult & { path: string; format: string };
export interface TxnCheckCommandResult {
  valid: Validity;
  workload: 'list-append';
  files: TxnCheckedFile[];
}

export default class Check extends FaultlineCommand {
  static override summary = 'Check history files for linearizability against a model.';
  static override description = [
    'Decides whether each history is linearizable for the model (Jepsen semantics: fail = did not happen,',
    'info = may or may not have happened). Reads Jepsen EDN, JSON Lines, and Porcupine\'s etcd and kv logs',
    '(for those the model and initial value come from the format; an etcd `:fail :cas` is a cas that returned',
    'false, as in Porcupine\'s tests). A violation is explained with a minimal non-linearizable sub-history.',
    'Exit code: 0 all linearizable, 1 some file is not, 2 some file is unknown (budget hit), 254 bad input.',
  ].join('\n');
  static override examples = [
    '<%= config.bin %> check history.edn --model cas-register',
    '<%= config.bin %> check corpus/jepsen/*.log --budget 60s',
    '<%= config.bin %> check run.jsonl --model kv --json',
    '<%= config.bin %> check latest',
    '<%= config.bin %> check 12 --model cas-register',
  ];
  static override enableJsonFlag = true;
  static override strict = false;
  static override args = {
    file: Args.string({ description: 'History files (EDN, JSONL, Porcupine etcd or kv logs), or stored runs (id, name, latest).', required: true }),
  };
  static override flags = {
    model: Flags.string({ char: 'm', description: `Model: ${MODEL_NAMES.join(', ')}. Implied by Porcupine files.` }),
    budget: Flags.string({ description: 'Time budget per file (e.g. 500ms, 60s, 2m); past it the verdict is unknown.', default: '60s' }),
    initial: Flags.string({ description: 'Initial value of the model as JSON (default nil / empty / free).' }),
    'nil-reads': Flags.string({
      description:
        'register, cas-register, kv: "value" (default) reads nil as a value; "any" reads it as Knossos does, "nothing known", satisfied by any value (for Knossos\'s corpus, with --initial 0).',
      default: 'value',
    }),
    'max-configurations': Flags.integer({
      description: 'Memory bound: most search configurations cached per key; past it the verdict is unknown.',
      default: DEFAULT_MAX_CACHE_ENTRIES,
      min: 1,
    }),
    ...runFilterFlags,
    'database-url': databaseUrlFlag,
    // --- transactional histories (helper txn) ---
    workload: Flags.string({ description: 'Check as this workload\'s history instead of against a model: list-append (Elle\'s transactional cycles).' }),
    'consistency-model': Flags.string({ description: `With --workload list-append: ${CONSISTENCY_MODELS.join(', ')}.`, default: 'strict-serializable' }),
  };

  async run(): Promise<CheckCommandResult | TxnCheckCommandResult> {
    const { argv, flags } = await this.parse(Check);
    const paths = argv.map(String);
    if (flags.workload !== undefined) return this.runWorkload(paths, flags.workload, flags);
    const progress = process.stderr.isTTY === true && !this.jsonEnabled();
    const { result, code } = await checkHistories(paths, flags, runFilterOf(flags), { say: (m) => this.say(m), progress });
    if (code !== 0) {
      // oclif prints a returned result under --json only on success; print it before exiting.
      if (this.jsonEnabled()) this.logJson(result);
      this.exit(code);
    }
    return result;
  }

  // --- transactional histories (helper txn): `--workload list-append [--consistency-model M]` ---
  private async runWorkload(paths: string[], workload: string, flags: { model?: string; budget: string; 'consistency-model': string; 'database-url'?: string }): Promise<TxnCheckCommandResult> {
    if (workload !== 'list-append') throw new UserError(`--workload ${JSON.stringify(workload)} is not checkable here; use list-append`);
    if (flags.model !== undefined) throw new UserError(`--model ${JSON.stringify(flags.model)} does not apply to --workload list-append; use --consistency-model`);
    const model = flags['consistency-model'];
    if (!isConsistencyModel(model)) throw new UserError(`--consistency-model ${JSON.stringify(model)} is not a consistency model; use one of: ${CONSISTENCY_MODELS.join(', ')}`);
    const budgetMs = parseDuration('budget', flags.budget);
    // Imported here: only --workload list-append needs the transactional checker.
    const [{ checkListAppend }, { describeListAppend }] = await Promise.all([import('../../checkers/txn/list-append.js'), import('../../checkers/txn/describe.js')]);
    const files: TxnCheckedFile[] = [];
    for (const path of paths) {
      const loaded = await loadFile(path, flags['database-url']);
      const result = checkListAppend(loaded.ops, { consistencyModel: model, budgetMs });
      files.push({ path, format: loaded.format, ...result });
      this.say(describeListAppend(path, result));
    }
    const valid = mergeValidity(...files.map((f) => f.valid));
    const out: TxnCheckCommandResult = { valid, workload: 'list-append', files };
    const code = exitCodeFor(valid);
    if (code !== 0) {
      if (this.jsonEnabled()) this.logJson(out);
      this.exit(code);
    }
    return out;
  }
}
