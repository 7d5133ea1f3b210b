// `faultline check FILE... --model M`: checks history files for linearizability against a model.
// Reads Jepsen EDN, our JSONL, and Porcupine's etcd and kv logs; exit code is the worst verdict.

import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { exitCodeFor, UserError } from '../core/errors.js';
import { databaseUrlFlag, runFilterFlags, runFilterOf } from '../cli/flags.js';
import { loadHistoryColumns } from '../history/load-columns.js';
import { opsOf, type AnyHistory } from '../core/op-columns.js';
import { gatedVerdict, incompleteReason, resolveRun, type RunFilter } from '../history/runs.js';
import { parseDuration } from '../core/duration.js';
import { readHistory } from '../history/source.js';
import type { Op } from '../core/op.js';
import { detectPorcupine, parsePorcupine } from '../history/porcupine.js';
import { humanTime, type Explanation } from '../../checkers/explain.js';
import { contextLines, counterexampleContext, type CounterexampleContext } from '../../reports/context.js';
import { checkLinearizable, DEFAULT_MAX_CACHE_ENTRIES, type LinearizabilityResult } from '../../checkers/linearizable.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../checkers/models/index.js';
import { describeUnknownKey } from '../../checkers/unknown.js';
import { mergeValidity, type Validity } from '../core/validity.js';
import { EMPTY_HISTORY_REASON, historyKind, TXN_HISTORY_HINT } from '../history/formats.js';
import { CONSISTENCY_MODELS, isConsistencyModel } from '../../checkers/txn/models.js';
import type { ListAppendResult } from '../../checkers/txn/list-append.js';

export interface CheckedFile {
  path: string;
  format: string;
  /** Null for an empty file (nothing to check, whatever the model). */
  model: ModelName | null;
  valid: Validity;
  ops: number;
  keys: number;
  /** Time of the check alone, parsing excluded. */
  ms: number;
  explanation?: Explanation & { key: string; context?: CounterexampleContext };
  unknown?: LinearizabilityResult['unknownKeys'];
  /** Why the verdict is unknown when nothing could be checked (e.g. an empty history). */
  reason?: string;
  /** For unknown: every key left undecided (first 100). */
  undecidedKeys?: string[];
}

/** `check --json`, schema version 1 (docs/json.md). */
export interface CheckCommandResult {
  schemaVersion: 1;
  valid: Validity;
  files: CheckedFile[];
}

export type TxnCheckedFile = ListAppendResult & { path: string; format: string };
export interface TxnCheckCommandResult {
  valid: Validity;
  workload: 'list-append';
  files: TxnCheckedFile[];
}

interface LoadedFile {
  format: string;
  ops: AnyHistory;
  model?: ModelName;
  initial?: unknown;
  failMeansFalse?: string[];
  /** A stored run's status: a run that did not finish is never valid. */
  status?: string;
}

/** Reads the first bytes of a file to tell Porcupine's logs (and empty files) from EDN / JSONL. */
async function sniff(path: string): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`, { cause: err });
  } finally {
    await handle?.close();
  }
}

/** `latest`, a run id, or a bare run name (no '/' or '.') that is not a file: a stored run. */
function isRunRef(arg: string): boolean {
  return !existsSync(arg) && (arg === 'latest' || /^\d+$/.test(arg) || /^[^/.]+$/.test(arg));
}

async function loadRun(ref: string, databaseUrl: string | undefined, filter: RunFilter): Promise<LoadedFile> {
  // Imported here, not at the top: Postgres and the embedded server's modules cost start-up
  // time that `check FILE` never needs.
  const { withDb } = await import('../history/db.js');
  return withDb({ databaseUrl }, async (db) => {
    const run = await resolveRun(db.sql, ref, db.where, filter);
    const spec = run.spec as { workload?: string };
    // A run of the register workload is a cas-register; of kv, a kv map (one register per key).
    const model = spec.workload === 'register' ? 'cas-register' : spec.workload === 'kv' ? 'kv' : undefined;
    return { format: `run ${run.id}`, ops: await readHistory(db, run.id), status: run.status, ...(model ? { model } : {}) };
  });
}

async function loadFile(path: string, databaseUrl?: string, filter: RunFilter = {}): Promise<LoadedFile> {
  if (isRunRef(path)) return loadRun(path, databaseUrl, filter);
  const head = await sniff(path);
  if (head.trim() === '' && (await readFile(path, 'utf8')).trim() === '') return { format: 'empty', ops: [] };
  const porcupine = detectPorcupine(head);
  if (porcupine) {
    const h = parsePorcupine(await readFile(path, 'utf8'), path, porcupine);
    return { format: h.format, ops: h.ops, model: h.model, initial: h.initial, failMeansFalse: h.failMeansFalse };
  }
  const { format, ops } = await loadHistoryColumns(path);
  return { format, ops };
}

function verdictWord(v: Validity): string {
  return v === true ? 'linearizable' : v === false ? 'NOT linearizable' : 'unknown';
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
    if (flags.model !== undefined && !isModelName(flags.model)) {
      throw new UserError(`--model ${JSON.stringify(flags.model)} is not a model; use one of: ${MODEL_NAMES.join(', ')}`);
    }
    const budgetMs = parseDuration('budget', flags.budget);
    const nilReads = flags['nil-reads'];
    if (nilReads !== 'value' && nilReads !== 'any') {
      throw new UserError(`--nil-reads ${JSON.stringify(nilReads)} is not one of: value, any`);
    }
    let initial: unknown;
    if (flags.initial !== undefined) {
      try {
        initial = JSON.parse(flags.initial);
      } catch (err) {
        throw new UserError(`--initial ${JSON.stringify(flags.initial)} is not JSON; use e.g. 0, null, "x", []`, { cause: err });
      }
    }
    const showProgress = paths.length > 1 && process.stderr.isTTY === true && !this.jsonEnabled();
    const files: CheckedFile[] = [];
    for (const [i, path] of paths.entries()) {
      if (showProgress) process.stderr.write(`\r\x1b[K[${i + 1}/${paths.length}] ${path}`);
      const loaded = await loadFile(path, flags['database-url'], runFilterOf(flags));
      const model = (flags.model as ModelName | undefined) ?? loaded.model;
      const kind = historyKind(loaded.ops);
      if (kind === 'empty') {
        // An empty history (a cluster that never started) proves nothing: unknown, never valid.
        files.push({ path, format: loaded.format, model: model ?? null, valid: 'unknown', ops: 0, keys: 0, ms: 0, reason: EMPTY_HISTORY_REASON });
        if (showProgress) process.stderr.write('\r\x1b[K');
        this.say(this.describe(files.at(-1)!));
        continue;
      }
      if (kind === 'txn') throw new UserError(`${path}: ${TXN_HISTORY_HINT}`);
      if (!model) {
        throw new UserError(`${path}: --model is required for ${loaded.format} files; use one of: ${MODEL_NAMES.join(', ')}`);
      }
      const started = performance.now();
      let result: LinearizabilityResult;
      try {
        result = await checkLinearizable(
          loaded.ops,
          { name: model, initial: initial ?? (model === loaded.model ? loaded.initial : undefined), nilReads },
          { budgetMs, maxCacheEntries: flags['max-configurations'], failMeansFalse: loaded.failMeansFalse ?? [] },
        );
      } catch (err) {
        if ((err as Error).name === 'UnsupportedOpError') throw new UserError(`${path}: ${(err as Error).message}`, { cause: err });
        throw err;
      }
      const file: CheckedFile = {
        path,
        format: loaded.format,
        model,
        valid: result.valid,
        ops: result.ops,
        keys: result.keys,
        ms: Math.round((performance.now() - started) * 10) / 10,
      };
      if (result.failure?.explanation) {
        const ex = result.failure.explanation;
        file.explanation = { key: result.failure.key, ...ex, context: counterexampleContext(opsOf(loaded.ops), ex.minimalOps) };
      }
      if (result.unknownKeys) file.unknown = result.unknownKeys;
      const gated = gatedVerdict(loaded.status, file.valid);
      if (gated !== file.valid) {
        file.valid = gated;
        file.reason = `incomplete: ${incompleteReason(loaded.status)}; no violation in its partial history`;
      }
      if (result.undecidedKeys) file.undecidedKeys = result.undecidedKeys;
      files.push(file);
      if (showProgress) process.stderr.write('\r\x1b[K');
      this.say(this.describe(file));
    }
    const valid = mergeValidity(...files.map((f) => f.valid));
    if (paths.length > 1) this.say(`${files.length} files: ${verdictWord(valid)}`);
    const out: CheckCommandResult = { schemaVersion: 1, valid, files };
    const code = exitCodeFor(valid);
    if (code !== 0) {
      // oclif prints a returned result under --json only on success; print it before exiting.
      if (this.jsonEnabled()) this.logJson(out);
      this.exit(code);
    }
    return out;
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
      const result = checkListAppend(opsOf(loaded.ops), { consistencyModel: model, budgetMs });
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

  /** The human report of one file: verdict line, then why (violation) or how far (unknown). */
  private describe(f: CheckedFile): string {
    const head = `${f.valid === true ? '✓' : f.valid === false ? '✗' : '?'} ${f.path}: ${verdictWord(f.valid)} (${f.model ?? 'empty'}, ${f.ops} ops, ${f.keys} key${f.keys === 1 ? '' : 's'}, ${f.ms} ms)`;
    const lines = [head];
    if (f.reason) lines.push(`  ${f.reason}`);
    if (f.explanation) {
      const e = f.explanation;
      if (e.key !== '') lines.push(`  key ${e.key}`);
      if (e.diedAt) lines.push(`  every linearization died at op ${e.diedAt.index}: ${e.diedAt.description} by process ${e.diedAt.process}`);
      lines.push(`  longest linearizable prefix: ${e.partialLinearization.length} ops`);
      lines.push(`  ${e.minimal ? 'minimal' : 'small (shrinking ran out of time)'} non-linearizable sub-history:`);
      if (e.context) lines.push(...contextLines(e.context).map((l) => `  ${l}`));
      else {
        for (const op of e.minimalOps) {
          const done = op.completedAtNs === undefined ? 'never completed' : `completed t=${humanTime(op.completedAtNs)}`;
          lines.push(`    op ${op.index}  process ${op.process}  ${op.description}  (invoked t=${humanTime(op.invokedAtNs)}, ${done})`);
        }
      }
      lines.push(`  ${e.text}`);
    }
    for (const u of f.unknown ?? []) lines.push(`  ${describeUnknownKey(u)}`);
    if (f.valid === 'unknown' && f.undecidedKeys && f.keys > 1) {
      const rest = f.undecidedKeys.filter((k) => !(f.unknown ?? []).some((u) => u.key === k));
      if (rest.length > 0) lines.push(`  never reached: ${rest.length} key${rest.length === 1 ? '' : 's'} (${rest.slice(0, 10).map((k) => JSON.stringify(k)).join(', ')}${rest.length > 10 ? ', …' : ''})`);
    }
    return lines.join('\n');
  }
}
