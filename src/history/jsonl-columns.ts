// The fast JSONL reader: our own op lines read byte by byte straight into columns
// (src/core/op-columns.ts), with no JSON.parse and no object per op, and a well-formedness check
// on the columns that gives exactly validateHistory's verdicts and messages.
//
// Why hand-written: on the 1M-op kv history of issue 14 (2M lines, 200 MB), the general path —
// a string of the whole file, JSON.parse of each line, an Op object and value array(s) per line,
// then validation, pairing and packing for the workers over those objects — took ~16 s of the
// ~23 s of CPU of `faultline check FILE --model kv`, a third of it garbage collection of ~1 GB of
// live records (node --cpu-prof; figures in bench/checker-1m.ts's header and the commit log).
// This reader takes well under a second for the same file and keeps ~60 bytes an op in typed
// arrays.
//
// It understands only the exact shape opToJsonl writes — `{"index":I,"type":"T","process":P,
// "f":"S","value":V,"timeNs":I}` with no whitespace, integers of at most 15 digits (exact in a
// double), strings of printable ASCII without escapes, and V one of null, I, "S", [I,I],
// ["S",null], ["S",I], ["S","S"], ["S",[I,I]] (where an I inside [I,I] may also be null). Any other line (extra fields, another order,
// whitespace, escapes, non-ASCII, fractions, exponents, deeper values, bad JSON) is handed to
// the general parser (opFromJsonl) as it is, so it is read exactly as before — or refused with
// exactly the same message. A differential test (test/history/jsonl-columns.test.ts) checks both
// readers agree on generated lines, odd ones included.

import { UserError } from '../core/errors.js';
import { NEMESIS, OP_TYPES } from '../core/op.js';
import {
  OpColumns,
  VALUE_KEY_NULL,
  VALUE_KEY_NUM,
  VALUE_KEY_PAIR,
  VALUE_KEY_STR,
  VALUE_NULL,
  VALUE_NUM,
  VALUE_OTHER,
  VALUE_PAIR,
  VALUE_STR,
} from '../core/op-columns.js';
import { opFromJsonl } from './jsonl.js';
import { storeProblem, type HistoryProblem } from './validate.js';

const ch = (s: string): number => s.charCodeAt(0);
const QUOTE = ch('"');
const BACKSLASH = ch('\\');
const COMMA = ch(',');
const OPEN = ch('[');
const CLOSE = ch(']');
const BRACE_CLOSE = ch('}');
const MINUS = ch('-');
const ZERO = ch('0');
const NINE = ch('9');
const NEWLINE = 10;

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const P_INDEX = bytes('{"index":');
const P_TYPE = bytes(',"type":"');
const P_PROCESS = bytes('","process":');
const P_NEMESIS = bytes('"nemesis"');
const P_F = bytes(',"f":"');
const P_VALUE = bytes(',"value":');
const P_TIME = bytes(',"timeNs":');
const P_NULL = bytes('null');
const TYPE_BYTES = OP_TYPES.map(bytes);

/** Interns strings read as byte ranges: one string per distinct content, looked up without decoding. */
class ByteInterner {
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  // A small direct-mapped cache from a hash of the bytes to the last id seen with that hash.
  private readonly cacheId = new Int32Array(4096).fill(-1);
  private readonly cacheHash = new Int32Array(4096);

  constructor(private readonly buf: Uint8Array) {}

  id(start: number, end: number, hash: number): number {
    const slot = hash & 4095;
    const cached = this.cacheId[slot]!;
    if (cached >= 0 && this.cacheHash[slot] === hash && this.same(cached, start, end)) return cached;
    const s = latin1(this.buf, start, end);
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    this.cacheId[slot] = id;
    this.cacheHash[slot] = hash;
    return id;
  }

  /** The id of a string that did not come from the bytes (a line the general parser read). */
  idOf(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  private same(id: number, start: number, end: number): boolean {
    const s = this.strings[id]!;
    if (s.length !== end - start) return false;
    for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== this.buf[start + i]) return false;
    return true;
  }
}

function latin1(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1');
}

// The readers below take the buffer and a position and return the position after what they
// read, or -1; a number or string read is left in these two variables (no object per read).
let numRead = 0;
let strHash = 0;

/** The literal `lit` at p. */
function lit(buf: Uint8Array, p: number, lit: Uint8Array): number {
  const n = lit.length;
  if (p + n > buf.length) return -1;
  for (let i = 0; i < n; i++) if (buf[p + i] !== lit[i]) return -1;
  return p + n;
}

/** -?(0|[1-9][0-9]{0,14}) not followed by a digit, '.', 'e' or 'E' (those go the general way). */
function int(buf: Uint8Array, p: number): number {
  let neg = false;
  if (buf[p] === MINUS) {
    neg = true;
    p++;
  }
  const first = buf[p]!;
  if (!(first >= ZERO && first <= NINE)) return -1;
  let n = first - ZERO;
  p++;
  if (first !== ZERO) {
    let digits = 1;
    for (let c = buf[p]!; c >= ZERO && c <= NINE; c = buf[p]!) {
      if (++digits > 15) return -1;
      n = n * 10 + (c - ZERO);
      p++;
    }
  }
  const next = buf[p];
  if ((next !== undefined && next >= ZERO && next <= NINE) || next === 46 /* . */ || next === 101 /* e */ || next === 69 /* E */) return -1;
  numRead = neg ? -n : n;
  return p;
}

/** An integer, or null (read as NaN: no integer read here is NaN). */
function intOrNull(buf: Uint8Array, p: number): number {
  if (buf[p] === 110 /* n */) {
    numRead = NaN;
    return lit(buf, p, P_NULL);
  }
  return int(buf, p);
}

/** The body of a string from just after its opening quote: printable ASCII, no escapes; returns the position past the closing quote. */
function str(buf: Uint8Array, p: number): number {
  let h = 0;
  for (;;) {
    const c = buf[p];
    if (c === undefined || c < 0x20 || c > 0x7e || c === BACKSLASH) return -1;
    if (c === QUOTE) break;
    h = (Math.imul(h, 31) + c) | 0;
    p++;
  }
  strHash = h;
  return p + 1;
}

/**
 * Reads a JSONL history (as bytes) into columns. Lines the fast path does not fully understand
 * go through opFromJsonl, so the result (and any UserError) is the general parser's.
 */
export function scanJsonlColumns(buf: Uint8Array, source = 'history.jsonl'): OpColumns {
  const len = buf.length;
  let cols = OpColumns.allocate(Math.max(16, Math.ceil(len / 80)));
  const strings = new ByteInterner(buf);
  const fs = new ByteInterner(buf);

  /** One line of the compact shape at p into row r; returns its end (a newline or the end of the text), or -1. */
  const readLine = (r: number, p: number): number => {
    p = lit(buf, p, P_INDEX);
    if (p < 0 || (p = int(buf, p)) < 0) return -1;
    const index = numRead;
    if ((p = lit(buf, p, P_TYPE)) < 0) return -1;
    let type = -1;
    for (let t = 0; t < TYPE_BYTES.length; t++) {
      const q = lit(buf, p, TYPE_BYTES[t]!);
      if (q >= 0) {
        type = t;
        p = q;
        break;
      }
    }
    if (type < 0 || (p = lit(buf, p, P_PROCESS)) < 0) return -1;
    let process: number;
    if (buf[p] === QUOTE) {
      if ((p = lit(buf, p, P_NEMESIS)) < 0) return -1;
      process = NaN;
    } else {
      if ((p = int(buf, p)) < 0) return -1;
      process = numRead;
    }
    if ((p = lit(buf, p, P_F)) < 0) return -1;
    const fStart = p;
    if ((p = str(buf, p)) < 0 || p - 1 === fStart) return -1;
    const fEnd = p - 1;
    const fHash = strHash;
    if ((p = lit(buf, p, P_VALUE)) < 0) return -1;
    // The value.
    const c = buf[p];
    if (c === 110 /* n */) {
      if ((p = lit(buf, p, P_NULL)) < 0) return -1;
      cols.vkind[r] = VALUE_NULL;
    } else if (c === QUOTE) {
      const start = p + 1;
      if ((p = str(buf, start)) < 0) return -1;
      cols.vkind[r] = VALUE_STR;
      cols.vkey[r] = strings.id(start, p - 1, strHash);
    } else if (c === OPEN) {
      p++;
      if (buf[p] === QUOTE) {
        const start = p + 1;
        if ((p = str(buf, start)) < 0) return -1;
        cols.vkey[r] = strings.id(start, p - 1, strHash);
        if (buf[p++] !== COMMA) return -1;
        const d = buf[p];
        if (d === 110) {
          if ((p = lit(buf, p, P_NULL)) < 0) return -1;
          cols.vkind[r] = VALUE_KEY_NULL;
        } else if (d === QUOTE) {
          const start2 = p + 1;
          if ((p = str(buf, start2)) < 0) return -1;
          cols.vkind[r] = VALUE_KEY_STR;
          cols.va[r] = strings.id(start2, p - 1, strHash);
        } else if (d === OPEN) {
          if ((p = intOrNull(buf, p + 1)) < 0 || buf[p++] !== COMMA) return -1;
          const a = numRead;
          if ((p = intOrNull(buf, p)) < 0 || buf[p++] !== CLOSE) return -1;
          cols.vkind[r] = VALUE_KEY_PAIR;
          cols.va[r] = a;
          cols.vb[r] = numRead;
        } else {
          if ((p = int(buf, p)) < 0) return -1;
          cols.vkind[r] = VALUE_KEY_NUM;
          cols.va[r] = numRead;
        }
        if (buf[p++] !== CLOSE) return -1;
      } else {
        if ((p = intOrNull(buf, p)) < 0 || buf[p++] !== COMMA) return -1;
        const a = numRead;
        if ((p = intOrNull(buf, p)) < 0 || buf[p++] !== CLOSE) return -1;
        cols.vkind[r] = VALUE_PAIR;
        cols.va[r] = a;
        cols.vb[r] = numRead;
      }
    } else {
      if ((p = int(buf, p)) < 0) return -1;
      cols.vkind[r] = VALUE_NUM;
      cols.va[r] = numRead;
    }
    if ((p = lit(buf, p, P_TIME)) < 0 || (p = int(buf, p)) < 0) return -1;
    const timeNs = numRead;
    if (buf[p++] !== BRACE_CLOSE || (p < len && buf[p] !== NEWLINE)) return -1;
    cols.index[r] = index;
    cols.type[r] = type;
    cols.process[r] = process;
    cols.f[r] = fs.id(fStart, fEnd, fHash);
    cols.timeNs[r] = timeNs;
    return p;
  };
  /** The general parser's reading of one line (or its UserError), stored whole; false for a blank line. */
  const general = (r: number, start: number, end: number, lineNo: number): boolean => {
    const line = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8').trim();
    if (line === '') return false;
    const op = opFromJsonl(line, `${source}:${lineNo}`);
    cols.index[r] = op.index;
    cols.type[r] = OP_TYPES.indexOf(op.type);
    cols.process[r] = op.process === NEMESIS ? NaN : op.process;
    cols.f[r] = fs.idOf(op.f);
    cols.timeNs[r] = op.timeNs;
    cols.vkind[r] = VALUE_OTHER;
    cols.extra.set(r, op);
    return true;
  };

  let lineNo = 0;
  let r = 0;
  for (let start = 0; start < len; ) {
    lineNo++;
    if (r === cols.index.length) cols = cols.resized(r * 2);
    let end: number;
    let stored: boolean;
    if (buf[start] === NEWLINE) {
      end = start;
      stored = false;
    } else if ((end = readLine(r, start)) >= 0) {
      stored = true;
    } else {
      end = buf.indexOf(NEWLINE, start);
      if (end < 0) end = len;
      stored = general(r, start, end, lineNo);
    }
    if (stored) r++;
    start = end + 1;
  }
  cols.length = r;
  cols.fNames = fs.strings;
  cols.strings = strings.strings;
  return r * 2 < cols.index.length ? cols.resized(r) : cols;
}

/** Columns `ops.index` and `ops.process` are Postgres integers; `ops.time_ns` is a bigint. */
const INT4_MAX = 2 ** 31 - 1;
const INT8_LIMIT = 2 ** 63;

/**
 * validateHistory (src/history/validate.ts) over columns: the same checks in the same order,
 * the same first problem and message. Compact rows hold only integers and printable ASCII
 * strings, so of storeProblem's checks only the ranges apply to them; rows kept whole get
 * storeProblem itself.
 */
export function validateColumns(h: OpColumns): HistoryProblem | undefined {
  const inFlight = new Map<number, number>();
  const retired = new Set<number>();
  let lastIndex = -Infinity;
  const show = (p: number): string => (Number.isNaN(p) ? NEMESIS : String(p));
  for (let i = 0; i < h.length; i++) {
    const index = h.index[i]!;
    const bad = (reason: string): HistoryProblem => ({ position: i, index, reason });
    // type, index's integrality, f and timeNs's type were checked by the reader.
    if (index <= lastIndex) return bad(`index ${index} does not increase (previous ${lastIndex})`);
    lastIndex = index;
    const process = h.process[i]!;
    const nemesis = Number.isNaN(process);
    const timeNs = h.timeNs[i]!;
    if (h.vkind[i] === VALUE_OTHER) {
      const unstorable = storeProblem(h.extra.get(i)!);
      if (unstorable) return bad(unstorable);
    } else {
      if (index < 0 || index > INT4_MAX) return bad(`index ${index} is outside 0…${INT4_MAX}`);
      if (!nemesis && (process < 0 || process > INT4_MAX)) return bad(`process ${process} is outside 0…${INT4_MAX}`);
      if (!Number.isInteger(timeNs) || Math.abs(timeNs) >= INT8_LIMIT) return bad(`timeNs ${timeNs} is not an integer within ±2^63`);
    }
    const open = inFlight.get(process);
    const f = h.f[i]!;
    if (h.type[i] === 0) {
      if (open !== undefined) return bad(`process ${show(process)} invokes ${h.fNames[f]} while its ${h.fAt(open)} (index ${h.index[open]}) is still in flight`);
      if (!nemesis && retired.has(process)) return bad(`process ${show(process)} invokes again after an info completion retired it`);
      inFlight.set(process, i);
      continue;
    }
    if (open === undefined) return bad(`${h.typeAt(i)} ${h.fNames[f]} on process ${show(process)} has no invoke in flight`);
    if (h.f[open] !== f) return bad(`completion f ${h.fNames[f]} differs from its invoke's f ${h.fAt(open)} (index ${h.index[open]})`);
    inFlight.delete(process);
    if (h.type[i] === 3) retired.add(process);
  }
  return undefined;
}

/** A problem as parseHistory words it. */
export function problemError(source: string, problem: HistoryProblem): UserError {
  return new UserError(`${source}: op ${problem.index} (the ${ordinal(problem.position + 1)} op): ${problem.reason}`);
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/** Reads and validates a JSONL history held as bytes; throws UserError (exit 254) like parseHistory. */
export function parseJsonlColumns(buf: Uint8Array, source: string): OpColumns {
  const cols = scanJsonlColumns(buf, source);
  const problem = validateColumns(cols);
  if (problem) throw problemError(source, problem);
  return cols;
}

