// Reads Porcupine's test data (github.com/anishathalye/porcupine, test_data/): the etcd logs of
// Jepsen's text output (a cas register) and the kv logs (get / put / append per key), into ops.
// Neither format has timestamps: line order is real-time order, and timeNs is the line number.

import { UserError } from '../core/errors.js';
import type { Op, OpType } from '../core/op.js';

export type PorcupineFormat = 'porcupine-etcd' | 'porcupine-kv';

export interface PorcupineHistory {
  format: PorcupineFormat;
  ops: Op[];
  /** The model the format describes. */
  model: 'cas-register' | 'kv';
  /** The initial value Porcupine's model assumes (kv: a missing key reads as ""). */
  initial: unknown;
  /**
   * Functions whose `fail` means "completed and returned false": Porcupine's etcd tests read
   * `:fail :cas` as a cas whose compare did not match, and we follow them to match its verdicts.
   */
  failMeansFalse: string[];
}

const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*?)\s*$/;
const KV_LINE = /^\{:process (\d+), :type :(invoke|ok|fail|info), :f :(get|put|append), :key "((?:[^"\\]|\\.)*)", :value (nil|"((?:[^"\\]|\\.)*)")\}\s*$/;

/** Which Porcupine format `text` is in, judged by its first non-empty line, or undefined. */
export function detectPorcupine(text: string): PorcupineFormat | undefined {
  const first = text.split('\n').find((l) => l.trim() !== '');
  if (first === undefined) return undefined;
  if (/^INFO\s+jepsen\.util\s+-/.test(first)) return 'porcupine-etcd';
  if (/^\{:process \d+, :type :\w+, :f :\w+, :key "/.test(first)) return 'porcupine-kv';
  return undefined;
}

function etcdValue(raw: string, where: string): unknown {
  if (raw === 'nil' || raw === ':timed-out') return null;
  if (/^-?\d+$/.test(raw)) return Number(raw);
  const pair = /^\[(-?\d+)\s+(-?\d+)\]$/.exec(raw);
  if (pair) return [Number(pair[1]), Number(pair[2])];
  throw new UserError(`${where}: cannot read value ${JSON.stringify(raw)} (expected nil, a number or [from to])`);
}

/**
 * Gives each process a fresh id after an info completion: Porcupine's logs let a process go on
 * after a timed-out read, while our histories retire a process whose op ended info.
 */
class ProcessIds {
  private readonly current = new Map<number, number>();
  private nextFresh = 1_000_000;
  of(logProcess: number): number {
    return this.current.get(logProcess) ?? logProcess;
  }
  retire(logProcess: number): void {
    this.current.set(logProcess, this.nextFresh++);
  }
}

function parseEtcd(lines: string[], path: string): Op[] {
  const ops: Op[] = [];
  const ids = new ProcessIds();
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const where = `${path}:${i + 1}`;
    const m = ETCD_LINE.exec(line);
    if (!m) throw new UserError(`${where}: not a Jepsen etcd log line: ${JSON.stringify(line.slice(0, 80))}`);
    const logProcess = Number(m[1]);
    let type = m[2] as OpType;
    const f = m[3]!;
    // A read that failed with :timed-out returned nothing we know: it is a crashed read.
    if (type === 'fail' && f === 'read') type = 'info';
    ops.push({ index: ops.length, type, process: ids.of(logProcess), f, value: etcdValue(m[4]!, where), timeNs: i + 1 });
    if (type === 'info') ids.retire(logProcess);
  });
  return ops;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

function parseKv(lines: string[], path: string): Op[] {
  const ops: Op[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const m = KV_LINE.exec(line);
    if (!m) throw new UserError(`${path}:${i + 1}: not a Porcupine kv log line: ${JSON.stringify(line.slice(0, 80))}`);
    const value = m[5] === 'nil' ? null : unescape(m[6]!);
    ops.push({
      index: ops.length,
      type: m[2] as OpType,
      process: Number(m[1]),
      f: m[3]!,
      value: [unescape(m[4]!), value],
      timeNs: i + 1,
    });
  });
  return ops;
}

/** Parses a Porcupine test-data file; throws UserError naming the line of a malformed one. */
export function parsePorcupine(text: string, path: string, format = detectPorcupine(text)): PorcupineHistory {
  const lines = text.split('\n');
  if (format === 'porcupine-etcd') {
    return { format, ops: parseEtcd(lines, path), model: 'cas-register', initial: null, failMeansFalse: ['cas'] };
  }
  if (format === 'porcupine-kv') {
    return { format, ops: parseKv(lines, path), model: 'kv', initial: '', failMeansFalse: [] };
  }
  throw new UserError(`${path}: not a Porcupine etcd or kv log`);
}
