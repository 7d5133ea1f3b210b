// Loading a history file for `faultline check`: JSONL is read by the fast columnar reader
// (jsonl-columns.ts), every other format as loadHistoryFile reads it.

import { readFile } from 'node:fs/promises';
import type { OpColumns } from '../core/op-columns.js';
import type { Op } from '../core/op.js';
import { UserError } from '../core/errors.js';
import { detectFormat, parseHistory, type HistoryFormat } from './formats.js';
import { parseJsonlColumns } from './jsonl-columns.js';

export interface LoadedColumns {
  format: HistoryFormat;
  ops: Op[] | OpColumns;
}

/** Reads bytes from a file, turning fs errors into one-line UserErrors naming the path (as readTextFile). */
async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new UserError(`cannot read ${path}: ${why}`, { cause: err });
  }
}

/** Like loadHistoryFile, but a JSONL history comes back as columns (no op objects). */
export async function loadHistoryColumns(path: string): Promise<LoadedColumns> {
  const buf = await readBytes(path);
  // detectFormat looks at the extension, else at the first non-blank characters.
  let head = buf.subarray(0, 65_536).toString('utf8');
  if (head.trim() === '' && buf.length > 65_536) head = buf.toString('utf8');
  const format = detectFormat(path, head);
  if (!format) {
    throw new UserError(`${path}: unknown history format (expected Jepsen EDN .edn or JSON Lines .jsonl)`);
  }
  if (format === 'jsonl') return { format, ops: parseJsonlColumns(buf, path) };
  return { format, ops: parseHistory(buf.toString('utf8'), format, path) };
}
