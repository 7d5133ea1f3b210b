// The work of `faultline check FILE…` without oclif: options checked, files loaded and checked,
// one report line per file, the worst verdict. src/commands/check.ts (oclif) and the start-up
// fast path (src/cli/check-fast.ts, which skips loading oclif: about 0.3 s of CPU per process,
// measured) both call checkHistories, so their verdicts and messages are the same code.

import { existsSync, readFileSync } from 'node:fs';
import { exitCodeFor, UserError } from '../core/errors.js';
import { detectFormat, parseHistory } from '../history/formats.js';
import { gatedVerdict, incompleteReason, resolveRun, type RunFilter } from '../history/runs.js';
import { parseDuration } from '../core/duration.js';
import { readHistory } from '../history/source.js';
import { opsOf, type AnyHistory } from '../core/op-columns.js';
import { parseJsonlColumns } from '../history/jsonl-columns.js';
import { detectPorcupine, parsePorcupine } from '../history/porcupine.js';
import { humanTime, type Explanation } from '../../checkers/explain.js';
import { contextLines, counterexampleContext, type CounterexampleContext } from '../../reports/context.js';
import { checkLinearizable, type LinearizabilityResult } from '../../checkers/linearizable.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../checkers/models/index.js';
import { describeUnknownKey } from '../../checkers/unknown.js';
import { mergeValidity, type Validity } from '../core/validity.js';
import { EMPTY_HISTORY_REASON, historyKind, TXN_HISTORY_HINT } from '../history/formats.js';

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

export interface LoadedFile {
  format: string;
  ops: AnyHistory;
  model?: ModelName;
  initial?: unknown;
  failMeansFalse?: string[];
  /** A stored run's status: a run that did not finish is never valid. */
  status?: string;
}

/**
 * Reads a history file whole, once (it is parsed whole anyway): synchronously, which costs less
 * than async opens per file when a corpus of small files is checked. fs errors → one line. Bytes,
 * not text: a JSONL history goes to the columnar reader as they are.
 */
function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`, { cause: err });
  }
}

/** `latest`, a run id, or a bare run name (no '/' or '.') that is not a file: a stored run. */
export function isRunRef(arg: string): boolean {
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

export async function loadFile(path: string, databaseUrl?: string, filter: RunFilter = {}): Promise<LoadedFile> {
  if (isRunRef(path)) return loadRun(path, databaseUrl, filter);
  const buf = readBytes(path);
  // The first 64 KiB tell the format (detectFormat: the extension, else the first non-blank
  // characters); a blank start means reading on, and a blank file is an empty history.
  let head = buf.subarray(0, 65_536).toString('utf8');
  if (head.trim() === '' && buf.length > 65_536) head = buf.toString('utf8');
  if (head.trim() === '') return { format: 'empty', ops: [] };
  // Porcupine's logs are told by their first lines (as before: the first 4 KiB).
  const porcupine = detectPorcupine(buf.subarray(0, 4096).toString('utf8'));
  if (porcupine) {
    const h = parsePorcupine(buf.toString('utf8'), path, porcupine);
    return { format: h.format, ops: h.ops, model: h.model, initial: h.initial, failMeansFalse: h.failMeansFalse };
  }
  const format = detectFormat(path, head);
  if (!format) throw new UserError(`${path}: unknown history format (expected Jepsen EDN .edn or JSON Lines .jsonl)`);
  // JSONL: the columnar reader (no op objects; src/history/jsonl-columns.ts).
  if (format === 'jsonl') return { format, ops: parseJsonlColumns(buf, path) };
  return { format, ops: parseHistory(buf.toString('utf8'), format, path) };
}

/** A stored run that did not finish is never valid: its verdict is gated, and the reason said. */
export function gateIncomplete(file: { valid: Validity; reason?: string }, status: string | undefined): void {
  const gated = gatedVerdict(status, file.valid);
  if (gated !== file.valid) {
    file.valid = gated;
    file.reason = `incomplete: ${incompleteReason(status)}; no violation in its partial history`;
  }
}

export function verdictWord(v: Validity): string {
  return v === true ? 'linearizable' : v === false ? 'NOT linearizable' : 'unknown';
}


/** check's options for the linearizability checkers, as given on the command line. */
export interface CheckFlags {
  model?: string;
  budget: string;
  initial?: string;
  'nil-reads': string;
  'max-configurations': number;
  'database-url'?: string;
}

/** Where the report goes: `say` prints a line for humans (nothing under --json). */
export interface CheckOutput {
  say(message: string): void;
  /** Show `[i/n] path` progress on stderr (a TTY, several files, not --json). */
  progress: boolean;
}

/**
 * Checks each history (files or stored runs) against the model: validates the options first
 * (bad input → UserError, exit 254, before anything is read), prints one report per file, and
 * returns the result with its exit code (0, 1 or 2: the worst verdict).
 */
export async function checkHistories(paths: string[], flags: CheckFlags, filter: RunFilter, out: CheckOutput): Promise<{ result: CheckCommandResult; code: number }> {
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
  const showProgress = out.progress && paths.length > 1;
  const files: CheckedFile[] = [];
  for (const [i, path] of paths.entries()) {
    if (showProgress) process.stderr.write(`\r\x1b[K[${i + 1}/${paths.length}] ${path}`);
    const loaded = await loadFile(path, flags['database-url'], filter);
    const model = (flags.model as ModelName | undefined) ?? loaded.model;
    const kind = historyKind(loaded.ops);
    if (kind === 'empty') {
      // An empty history (a cluster that never started) proves nothing: unknown, never valid.
      files.push({ path, format: loaded.format, model: model ?? null, valid: 'unknown', ops: 0, keys: 0, ms: 0, reason: EMPTY_HISTORY_REASON });
      if (showProgress) process.stderr.write('\r\x1b[K');
      out.say(describeChecked(files.at(-1)!));
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
    gateIncomplete(file, loaded.status);
    if (result.undecidedKeys) file.undecidedKeys = result.undecidedKeys;
    files.push(file);
    if (showProgress) process.stderr.write('\r\x1b[K');
    out.say(describeChecked(file));
  }
  const valid = mergeValidity(...files.map((f) => f.valid));
  if (paths.length > 1) out.say(`${files.length} files: ${verdictWord(valid)}`);
  return { result: { schemaVersion: 1, valid, files }, code: exitCodeFor(valid) };
}

/** The human report of one file: verdict line, then why (violation) or how far (unknown). */
export function describeChecked(f: CheckedFile): string {
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
