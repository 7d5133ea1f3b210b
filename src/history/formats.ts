// Reading a history file of any supported format (Jepsen EDN or our JSONL), by extension or,
// failing that, by its first character. Checks the result is a well-formed history.

import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../core/errors.js';
import { parseEdnHistory, opToEdn } from './edn.js';
import { opToJsonl, parseJsonlHistory } from './jsonl.js';
import type { Op } from '../core/op.js';
import { OpColumns, type AnyHistory } from '../core/op-columns.js';
import { validateHistory } from './validate.js';

export const HISTORY_FORMATS = ['edn', 'jsonl'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

export interface LoadedHistory {
  format: HistoryFormat;
  ops: Op[];
}

/** Guesses the format: `.edn` / `.jsonl` / `.json` by extension, else `{"` means JSONL and `{:`/`[` EDN. */
export function detectFormat(path: string, text: string): HistoryFormat | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.edn') return 'edn';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  const head = text.trimStart();
  if (/^\{\s*"/.test(head)) return 'jsonl';
  if (/^(\{\s*:|\[|\()/.test(head) || head.startsWith(';')) return 'edn';
  return undefined;
}

/** Reads text from a file, turning fs errors into one-line UserErrors naming the path. */
export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`, { cause: err });
  }
}

/** Parses history text in a given format and checks it is well formed. */
export function parseHistory(text: string, format: HistoryFormat, source: string): Op[] {
  const ops = format === 'edn' ? parseEdnHistory(text, source) : parseJsonlHistory(text, source);
  const problem = validateHistory(ops);
  if (problem) throw new UserError(`${source}: op ${problem.index} (the ${ordinal(problem.position + 1)} op): ${problem.reason}`);
  return ops;
}

/** Loads a Jepsen EDN or JSONL history file; throws UserError (exit 254) naming the line on bad input. */
export async function loadHistoryFile(path: string): Promise<LoadedHistory> {
  const text = await readTextFile(path);
  const format = detectFormat(path, text);
  if (!format) {
    throw new UserError(`${path}: unknown history format (expected Jepsen EDN .edn or JSON Lines .jsonl)`);
  }
  return { format, ops: parseHistory(text, format, path) };
}

/** Renders one op in the given format (one line, no newline). */
export function formatOp(op: Op, format: HistoryFormat): string {
  return format === 'edn' ? opToEdn(op) : opToJsonl(op);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** What kind of operations a history holds, for choosing (or refusing) a checker. */
export type HistoryKind = 'empty' | 'txn' | 'register' | 'other';

export function historyKind(ops: AnyHistory): HistoryKind {
  // One pass without copies (a 1M-op history is 2M ops).
  let fs = new Set<string>();
  if (ops instanceof OpColumns) fs = ops.clientFs();
  else for (const o of ops) if (o.process !== 'nemesis') fs.add(o.f);
  if (fs.size === 0) return 'empty';
  if (fs.has('txn')) return 'txn';
  if ([...fs].every((f) => f === 'read' || f === 'write' || f === 'cas')) return 'register';
  return 'other';
}

/**
 * Said plainly wherever an Elle-style `:txn` history meets a register model: it imported
 * fine, but only the list-append workload's checker can check it.
 */
export const TXN_HISTORY_HINT =
  'this is an Elle-style :txn history (transactions of :append/:r micro-ops); it imports, but register ' +
  'models cannot check it: check it with the list-append workload (`faultline history import FILE`, then ' +
  '`faultline analyze RUN --workload list-append`)';

export { EMPTY_HISTORY_REASON } from '../core/gate.js';
