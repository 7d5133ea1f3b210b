// `faultline check FILE... --model M`: checks history files for linearizability against a model.
// Reads Jepsen EDN, our JSONL, and Porcupine's etcd and kv logs; exit code is the worst verdict.

import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { Args, Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { exitCodeFor, UserError } from '../core/errors.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { loadHistoryFile } from '../history/formats.js';
import type { Op } from '../core/op.js';
import { detectPorcupine, parsePorcupine } from '../history/porcupine.js';
import type { Explanation } from '../../checkers/explain.js';
import { checkLinearizable, DEFAULT_MAX_CACHE_ENTRIES, type LinearizabilityResult } from '../../checkers/linearizable.js';
import { isModelName, MODEL_NAMES, type ModelName } from '../../checkers/models/index.js';
import { describeUnknownKey } from '../../checkers/unknown.js';
import { mergeValidity, type Validity } from '../core/validity.js';

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
  explanation?: Explanation & { key: string };
  unknown?: LinearizabilityResult['unknownKeys'];
  /** For unknown: every key left undecided (first 100). */
  undecidedKeys?: string[];
}

export interface CheckCommandResult {
  valid: Validity;
  files: CheckedFile[];
}

interface LoadedFile {
  format: string;
  ops: Op[];
  model?: ModelName;
  initial?: unknown;
  failMeansFalse?: string[];
}

/**
 * "500ms", "60s", "2m", a bare number of seconds → ms. The same grammar and message as
 * parseDuration in src/run/spec.ts, which is not imported: that module pulls in the runtimes,
 * workloads and the database client, ~0.3 s of start-up every `faultline check` would pay.
 * (Lead: moving parseDuration to src/core would let both share it.)
 */
function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new UserError(`--${flag} "${text}" is not a duration (e.g. 500ms, 30s, 2m; a bare number means seconds)`);
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!);
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

async function loadRun(ref: string, databaseUrl: string | undefined): Promise<LoadedFile> {
  // Imported here: the database client (postgres, the embedded server, execa) costs start-up
  // time every file check would pay for nothing.
  const [{ withDb }, { resolveRun }, { readHistory }] = await Promise.all([import('../history/db.js'), import('../history/runs.js'), import('../history/source.js')]);
  return withDb({ databaseUrl }, async (db) => {
    const run = await resolveRun(db.sql, ref, db.where);
    const spec = run.spec as { workload?: string };
    // A run of the register workload is a cas-register; of kv, a kv map (one register per key).
    const model = spec.workload === 'register' ? 'cas-register' : spec.workload === 'kv' ? 'kv' : undefined;
    return { format: `run ${run.id}`, ops: await readHistory(db, run.id), ...(model ? { model } : {}) };
  });
}

async function loadFile(path: string, databaseUrl?: string): Promise<LoadedFile> {
  if (isRunRef(path)) return loadRun(path, databaseUrl);
  const head = await sniff(path);
  if (head.trim() === '' && (await readFile(path, 'utf8')).trim() === '') return { format: 'empty', ops: [] };
  const porcupine = detectPorcupine(head);
  if (porcupine) {
    const h = parsePorcupine(await readFile(path, 'utf8'), path, porcupine);
    return { format: h.format, ops: h.ops, model: h.model, initial: h.initial, failMeansFalse: h.failMeansFalse };
  }
  const { format, ops } = await loadHistoryFile(path);
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
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<CheckCommandResult> {
    const { argv, flags } = await this.parse(Check);
    const paths = argv.map(String);
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
      const loaded = await loadFile(path, flags['database-url']);
      const model = (flags.model as ModelName | undefined) ?? loaded.model;
      if (loaded.ops.length === 0) {
        // An empty history (a cluster that never started) is trivially linearizable.
        files.push({ path, format: loaded.format, model: model ?? null, valid: true, ops: 0, keys: 0, ms: 0 });
        if (showProgress) process.stderr.write('\r\x1b[K');
        this.say(this.describe(files.at(-1)!));
        continue;
      }
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
      if (result.failure?.explanation) file.explanation = { key: result.failure.key, ...result.failure.explanation };
      if (result.unknownKeys) file.unknown = result.unknownKeys;
      if (result.undecidedKeys) file.undecidedKeys = result.undecidedKeys;
      files.push(file);
      if (showProgress) process.stderr.write('\r\x1b[K');
      this.say(this.describe(file));
    }
    const valid = mergeValidity(...files.map((f) => f.valid));
    if (paths.length > 1) this.say(`${files.length} files: ${verdictWord(valid)}`);
    const out: CheckCommandResult = { valid, files };
    const code = exitCodeFor(valid);
    if (code !== 0) {
      // oclif prints a returned result under --json only on success; print it before exiting.
      if (this.jsonEnabled()) this.logJson(out);
      this.exit(code);
    }
    return out;
  }

  /** The human report of one file: verdict line, then why (violation) or how far (unknown). */
  private describe(f: CheckedFile): string {
    const head = `${f.valid === true ? '✓' : f.valid === false ? '✗' : '?'} ${f.path}: ${verdictWord(f.valid)} (${f.model ?? 'empty'}, ${f.ops} ops, ${f.keys} key${f.keys === 1 ? '' : 's'}, ${f.ms} ms)`;
    const lines = [head];
    if (f.explanation) {
      const e = f.explanation;
      if (e.key !== '') lines.push(`  key ${e.key}`);
      if (e.diedAt) lines.push(`  every linearization died at op ${e.diedAt.index}: ${e.diedAt.description} by process ${e.diedAt.process}`);
      lines.push(`  longest linearizable prefix: ${e.partialLinearization.length} ops`);
      lines.push(`  ${e.minimal ? 'minimal' : 'small (shrinking ran out of time)'} non-linearizable sub-history:`);
      for (const op of e.minimalOps) {
        const done = op.completedAtNs === undefined ? 'never completed' : `completed t=${op.completedAtNs}`;
        lines.push(`    op ${op.index}  process ${op.process}  ${op.description}  (invoked t=${op.invokedAtNs}, ${done})`);
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
