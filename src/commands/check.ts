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
import type { LockResult } from '../../checkers/lock.js';
import { checkHistories, gateIncomplete, loadFile, verdictWord, type CheckCommandResult } from '../cli/check-core.js';
import { opsOf } from '../core/op-columns.js';

export type { CheckCommandResult, CheckedFile } from '../cli/check-core.js';

export type TxnCheckedFile = ListAppendResult & { path: string; format: string };
export interface TxnCheckCommandResult {
  valid: Validity;
  workload: 'list-append';
  files: TxnCheckedFile[];
}

export type LockCheckedFile = LockResult & { path: string; format: string; reason?: string };
export interface LockCheckCommandResult {
  valid: Validity;
  workload: 'lock';
  files: LockCheckedFile[];
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
    workload: Flags.string({ description: 'Check as this workload\'s history instead of against a model: list-append (Elle\'s transactional cycles), lock (fencing tokens and the lease-aware mutex).' }),
    'consistency-model': Flags.string({ description: `With --workload list-append: ${CONSISTENCY_MODELS.join(', ')}.`, default: 'strict-serializable' }),
    'lease-ms': Flags.integer({ description: 'With --workload lock: the lease (ms) of an acquire whose value has no leaseMs (default: such leases are not relied on).', min: 1 }),
    'clock-skew-ms': Flags.integer({ description: 'With --workload lock: how far node clocks may disagree with the harness\'s without a clock fault (ms; recorded clock faults add their spread).', default: 25, min: 0 }),
  };

  async run(): Promise<CheckCommandResult | TxnCheckCommandResult | LockCheckCommandResult> {
    const { argv, flags } = await this.parse(Check);
    const paths = argv.map(String);
    if (flags.workload === 'lock') return this.runLock(paths, flags);
    if (flags.workload !== undefined) return this.runWorkload(paths, flags.workload, flags);
    const progress = process.stderr.isTTY === true && !this.jsonEnabled();
    const { result, code } = await checkHistories(paths, flags, runFilterOf(flags), { say: (m) => this.say(m), progress });
    return this.finish(result, code);
  }

  /** Returns the result, or exits with `code` when it is not 0 — after printing it under --json, which oclif does only on success. */
  private finish<T>(out: T, code: number): T {
    if (code !== 0) {
      if (this.jsonEnabled()) this.logJson(out);
      this.exit(code);
    }
    return out;
  }

  // --- transactional histories (helper txn): `--workload list-append [--consistency-model M]` ---
  private async runWorkload(paths: string[], workload: string, flags: { model?: string; budget: string; 'consistency-model': string; 'database-url'?: string }): Promise<TxnCheckCommandResult> {
    if (workload !== 'list-append') throw new UserError(`--workload ${JSON.stringify(workload)} is not checkable here; use list-append or lock`);
    if (flags.model !== undefined) throw new UserError(`--model ${JSON.stringify(flags.model)} does not apply to --workload list-append; use --consistency-model`);
    const model = flags['consistency-model'];
    if (!isConsistencyModel(model)) throw new UserError(`--consistency-model ${JSON.stringify(model)} is not a consistency model; use one of: ${CONSISTENCY_MODELS.join(', ')}`);
    const budgetMs = parseDuration('budget', flags.budget);
    // Imported here: only --workload list-append needs the transactional checker.
    const [{ checkListAppend }, { describeListAppend }] = await Promise.all([import('../../checkers/txn/list-append.js'), import('../../checkers/txn/describe.js')]);
    const files: TxnCheckedFile[] = [];
    for (const path of paths) {
      const loaded = await loadFile(path, flags['database-url']);
      const result = checkListAppend(opsOf(loaded.ops), { consistencyModel: model, budgetMs });
      files.push({ path, format: loaded.format, ...result });
      this.say(describeListAppend(path, result));
    }
    const valid = mergeValidity(...files.map((f) => f.valid));
    const out: TxnCheckCommandResult = { valid, workload: 'list-append', files };
    return this.finish(out, exitCodeFor(valid));
  }

  // --- lock histories: `--workload lock [--lease-ms N] [--clock-skew-ms N]` ---
  private async runLock(paths: string[], flags: { model?: string; budget: string; 'database-url'?: string; 'lease-ms'?: number; 'clock-skew-ms': number }): Promise<LockCheckCommandResult> {
    if (flags.model !== undefined) throw new UserError(`--model ${JSON.stringify(flags.model)} does not apply to --workload lock`);
    const budgetMs = parseDuration('budget', flags.budget);
    const { checkLock } = await import('../../checkers/lock.js');
    const files: LockCheckedFile[] = [];
    for (const path of paths) {
      const loaded = await loadFile(path, flags['database-url']);
      const result = checkLock(opsOf(loaded.ops), { budgetMs, clockSkewMs: flags['clock-skew-ms'], ...(flags['lease-ms'] !== undefined ? { leaseMs: flags['lease-ms'] } : {}) });
      const file: LockCheckedFile = { path, format: loaded.format, ...result };
      gateIncomplete(file, loaded.status);
      files.push(file);
      this.say(describeLock(file));
    }
    const valid = mergeValidity(...files.map((f) => f.valid));
    const out: LockCheckCommandResult = { valid, workload: 'lock', files };
    return this.finish(out, exitCodeFor(valid));
  }

}

/** The human report of a lock history: verdict, counts, the lease-aware mutex's tolerance, then the violations in words. */
function describeLock(f: LockCheckedFile): string {
  const mark = f.valid === true ? '✓' : f.valid === false ? '✗' : '?';
  const m = f.mutex;
  const mutex = m
    ? `lease-aware mutex ${verdictWord(m.valid)}, clock tolerance ${Number.isFinite(m.toleranceMs) ? `${m.toleranceMs} ms` : 'unbounded (a clock fault\'s offsets are not recorded: leases not relied on)'}` +
      (m.leases.unknown > 0 ? `, ${m.leases.unknown} acquire${m.leases.unknown === 1 ? '' : 's'} without a lease (give --lease-ms)` : '')
    : 'mutex not checked';
  const word = f.valid === true ? "valid" : f.valid === false ? "INVALID" : "unknown";
  const lines = [`${mark} ${f.path}: ${word} (lock, ${f.acquires.ok} grants, ${f.writes.accepted} accepted writes; ${mutex})`];
  if (f.reason) lines.push(`  ${f.reason}`);
  const n = Object.values(f.counts).reduce((a, b) => a + (b ?? 0), 0);
  if (n > 0) lines.push(`  ${n} violation${n === 1 ? '' : 's'}: ${Object.entries(f.counts).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  for (const e of f.errors.slice(0, 5)) lines.push(`  ${e.kind}: ${e.text}`);
  for (const u of f.unknownReasons) if (f.valid !== true) lines.push(`  undecided: ${u}`);
  return lines.join('\n');
}
