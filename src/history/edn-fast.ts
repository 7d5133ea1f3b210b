// A specialised reader for the EDN that Jepsen histories are made of, hand-written for speed.
// Why: the general path (edn-data's streaming parser fed line by line, a bracket pre-pass, then
// edn-data values mapped onto ops) reads 70–90k ops/s; on Knossos's cas-register corpus it was
// about half of `faultline check`'s whole-process CPU time (node --cpu-prof, 2026-12-02). This
// one scans the text once, char code by char code, and builds the ops directly.
//
// It understands only the plain subset Jepsen writes: op maps (in a top-level vector or list, or
// one after another) whose keys are simple keywords and whose values are nil, true/false,
// integers, simple keywords, strings (no raw newline, no \uNNNN escape), vectors and keyword-keyed maps
// of those. On anything else — a float, a set, a tag or record, an escape, a symbol, a duplicate
// key, a malformed op, unbalanced brackets, any error at all — it returns undefined and
// parseEdnHistory (edn.ts) reads the text with the general reader, which also produces every
// bad-input error message. So it never decides what a text means on its own: a differential test
// (test/history/edn-fast.test.ts) checks both readers give identical ops on the corpora and on
// generated EDN.

import { NEMESIS, type Op } from '../core/op.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Thrown (and caught below) when the text leaves the subset this reader understands. */
const GIVE_UP = Symbol('give up');

const SPACE = 32, TAB = 9, LF = 10, CR = 13, COMMA = 44, SEMI = 59;
const LBRACK = 91, RBRACK = 93, LBRACE = 123, RBRACE = 125, LPAREN = 40, RPAREN = 41;
const QUOTE = 34, BACKSLASH = 92, COLON = 58, MINUS = 45, ZERO = 48, NINE = 57;

/** Letters, digits and `-_?!*.`: keyword characters this reader accepts (the first a letter). */
function isNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= ZERO && c <= NINE) || c === MINUS || c === 95 || c === 63 || c === 33 || c === 42 || c === 46;
}
function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
/** What may follow an atom: whitespace, a comma, a closer, a comment, or the end. */
function isDelimiter(c: number): boolean {
  return Number.isNaN(c) || c === SPACE || c === TAB || c === LF || c === CR || c === COMMA || c === RBRACK || c === RBRACE || c === RPAREN || c === SEMI;
}

/** String escapes, as edn-data reads them. */
const ESCAPES: Record<string, string> = { t: '\t', r: '\r', n: '\n', b: '\b', f: '\f', '\\': '\\', '"': '"' };

const OP_TYPES: Record<string, Op['type']> = { invoke: 'invoke', ok: 'ok', fail: 'fail', info: 'info' };
const KNOWN = new Set(['type', 'f', 'process', 'index', 'time', 'value', 'node', 'error']);

class Scanner {
  pos = 0;
  constructor(
    readonly text: string,
    /** Prints a value (our JSON form) as EDN text: edn.ts's printEdn. */
    readonly print: (v: Json) => string,
  ) {}

  /** Skips whitespace, commas and `;` comments; returns the next char code (NaN at the end). */
  skip(): number {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.pos);
      if (c === SPACE || c === LF || c === COMMA || c === TAB || c === CR) this.pos++;
      else if (c === SEMI) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl + 1;
      } else return c;
    }
  }

  /** A simple keyword's name (the ':' already seen at pos). */
  keyword(): string {
    const t = this.text;
    const start = ++this.pos;
    if (!isLetter(t.charCodeAt(start))) throw GIVE_UP;
    let i = start + 1;
    while (isNameChar(t.charCodeAt(i))) i++;
    if (!isDelimiter(t.charCodeAt(i))) throw GIVE_UP;
    this.pos = i;
    const name = t.slice(start, i);
    if (name === '__proto__') throw GIVE_UP; // would set a prototype, not a key
    return name;
  }

  value(): Json {
    const t = this.text;
    const c = this.skip();
    if (c === COLON) return `:${this.keyword()}`;
    if ((c >= ZERO && c <= NINE) || c === MINUS) return this.integer();
    if (c === QUOTE) {
      let i = this.pos + 1;
      let from = i;
      let s = '';
      for (;;) {
        const d = t.charCodeAt(i);
        if (d === QUOTE) break;
        if (d === BACKSLASH) {
          // edn-data's escapes, but for \uNNNN (left to it)
          const e = ESCAPES[t[i + 1]!];
          if (e === undefined) throw GIVE_UP;
          s += t.slice(from, i) + e;
          i += 2;
          from = i;
          continue;
        }
        if (d === LF || d === CR || Number.isNaN(d)) throw GIVE_UP;
        i++;
      }
      if (!isDelimiter(t.charCodeAt(i + 1))) throw GIVE_UP;
      this.pos = i + 1;
      s += t.slice(from, i);
      const first = s.charCodeAt(0);
      return first === COLON || first === 126 /* ~ */ ? `~${s}` : s;
    }
    if (c === LBRACK) {
      this.pos++;
      const out: Json[] = [];
      while (this.skip() !== RBRACK) out.push(this.value());
      this.pos++;
      return out;
    }
    if (c === LBRACE) {
      const out: Record<string, Json> = {};
      this.map((k, v) => {
        if (Object.hasOwn(out, k)) throw GIVE_UP;
        out[k] = v;
      });
      return out;
    }
    if (t.startsWith('nil', this.pos)) return this.word(3, null);
    if (t.startsWith('true', this.pos)) return this.word(4, true);
    if (t.startsWith('false', this.pos)) return this.word(5, false);
    throw GIVE_UP;
  }

  word<T>(length: number, v: T): T {
    if (!isDelimiter(this.text.charCodeAt(this.pos + length))) throw GIVE_UP;
    this.pos += length;
    return v;
  }

  /** `-?(0|[1-9][0-9]*)`, at most 15 digits (exact as a double), followed by a delimiter. */
  integer(): number {
    const t = this.text;
    const start = this.pos;
    let i = t.charCodeAt(start) === MINUS ? start + 1 : start;
    const digits = i;
    while (t.charCodeAt(i) >= ZERO && t.charCodeAt(i) <= NINE) i++;
    const n = i - digits;
    if (n === 0 || n > 15 || (n > 1 && t.charCodeAt(digits) === ZERO) || !isDelimiter(t.charCodeAt(i))) throw GIVE_UP;
    const v = Number(t.slice(start, i));
    if (Object.is(v, -0)) throw GIVE_UP;
    this.pos = i;
    return v;
  }

  /** `{:k v …}` with simple keyword keys (pos at '{'); calls entry for each pair in order. */
  map(entry: (key: string, v: Json) => void): void {
    this.pos++;
    for (;;) {
      const c = this.skip();
      if (c === RBRACE) break;
      if (c !== COLON) throw GIVE_UP;
      const key = this.keyword();
      entry(key, this.value());
    }
    this.pos++;
  }

  /** One op map (pos at '{') → Op, exactly as opFromEdn builds it; anything odd gives up. */
  op(position: number): Op {
    let type: string | undefined, f: Json | undefined, process: Json | undefined, index: Json | undefined, time: Json | undefined;
    let value: Json = null, node: Json | undefined, error: Json | undefined;
    let rest: [string, Json][] | undefined;
    const seen = new Set<string>();
    this.map((k, v) => {
      if (seen.has(k)) throw GIVE_UP;
      seen.add(k);
      switch (k) {
        case 'type': type = typeof v === 'string' ? v : undefined; break;
        case 'f': f = v; break;
        case 'process': process = v; break;
        case 'index': index = v; break;
        case 'time': time = v; break;
        case 'value': value = v; break;
        case 'node': node = v; break;
        case 'error': error = v; break;
        default: (rest ??= []).push([k, v]);
      }
    });
    const opType = type !== undefined && type.charCodeAt(0) === COLON ? OP_TYPES[type.slice(1)] : undefined;
    if (!opType) throw GIVE_UP;
    let name: string;
    let fIsString = false;
    if (typeof f === 'string' && f.charCodeAt(0) === COLON) name = f.slice(1);
    else if (typeof f === 'string' && f !== '' && f.charCodeAt(0) !== 126) {
      name = f;
      fIsString = true;
    } else throw GIVE_UP;
    let proc: Op['process'];
    if (process === `:${NEMESIS}`) proc = NEMESIS;
    else if (typeof process === 'number') proc = process;
    else throw GIVE_UP;
    if (index !== undefined && typeof index !== 'number') throw GIVE_UP;
    if (time !== undefined && typeof time !== 'number') throw GIVE_UP;
    const op: Op = { index: index ?? position, type: opType, process: proc, f: name, value, timeNs: time ?? 0 };
    let ext: Record<string, unknown> | undefined;
    if (index === undefined) (ext ??= {})['~index'] = 'absent';
    if (time === undefined) (ext ??= {})['~time'] = 'absent';
    if (fIsString) (ext ??= {})['~f'] = 'string';
    // Values hold a keyword as ':name' and a string starting with ':' or '~' with a '~' prefix;
    // op.node and op.error hold the raw string. Any other :error is kept in ext and printed as
    // EDN into op.error (as the general path does).
    if (typeof node === 'string' && node.charCodeAt(0) !== COLON) op.node = node.charCodeAt(0) === 126 ? node.slice(1) : node;
    else if (node !== undefined) (ext ??= {})['node'] = node;
    if (typeof error === 'string' && error.charCodeAt(0) !== COLON) op.error = error.charCodeAt(0) === 126 ? error.slice(1) : error;
    else if (error !== undefined) {
      op.error = this.print(error);
      (ext ??= {})['error'] = error;
    }
    if (rest) for (const [k, v] of rest) if (!KNOWN.has(k)) (ext ??= {})[k] = v;
    if (ext) op.ext = ext;
    return op;
  }
}

/**
 * Reads a Jepsen history in the plain subset described above; undefined when the text holds
 * anything else (then the general reader decides, and reports any error).
 */
export function parseEdnHistoryFast(text: string, print: (v: Json) => string): Op[] | undefined {
  const s = new Scanner(text, print);
  const ops: Op[] = [];
  try {
    let c = s.skip();
    if (c === LBRACK || c === LPAREN) {
      const close = c === LBRACK ? RBRACK : RPAREN;
      s.pos++;
      while ((c = s.skip()) !== close) {
        if (c !== LBRACE) throw GIVE_UP;
        ops.push(s.op(ops.length));
      }
      s.pos++;
      if (!Number.isNaN(s.skip())) throw GIVE_UP;
    } else {
      while (!Number.isNaN(c)) {
        if (c !== LBRACE) throw GIVE_UP;
        ops.push(s.op(ops.length));
        c = s.skip();
      }
    }
  } catch (err) {
    if (err === GIVE_UP) return undefined;
    throw err;
  }
  return ops;
}
