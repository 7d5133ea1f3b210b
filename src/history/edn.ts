// Jepsen EDN histories in and out, losslessly. Parsing is edn-data's (a maintained EDN library),
// behind a specialised reader for the plain EDN Jepsen writes (edn-fast.ts, for speed);
// this file maps EDN values onto JSON (what Postgres jsonb and our checkers hold) and back.
//
// The value mapping is reversible:
//   nil, true/false, numbers, vectors → null, booleans, numbers, arrays
//   keyword :foo                     → ":foo"
//   string "foo"                      → "foo"   (a string starting with ':' or '~' gets a '~' prefix)
//   map with only keyword keys        → { "foo": … }
//   any other map                     → { "~map": [[k, v], …] }
//   set, list, char, symbol           → { "~set": […] }, { "~list": […] }, { "~char": "a" }, { "~sym": "x" }
//   bigint, #inst, other tagged       → { "~bigint": "123" }, { "~inst": "iso" }, { "~tag": [name, v] }
// Doubles that are whole numbers (1.0) come back as 1: EDN readers treat them alike in Jepsen
// histories, and JSON cannot tell them apart.
//
// Jepsen's own conventions, kept both ways so files round-trip with Jepsen's tools:
//   - the nemesis records its invocation as `:type :info` and its completion as `:type :info`
//     too. On import a nemesis `:info` with no nemesis op in flight is the invocation (our
//     `invoke`); on export a nemesis invoke is written `:info` again (a file that really said
//     `:invoke` keeps it, marked `ext['~type']`).
//   - `#jepsen.history.Op{…}` (a Clojure record printed with its class tag) is an op map; the tag
//     is kept in `ext['~record']` and written back.

import { toEDNString, type EDNVal } from 'edn-data';
import { EDNListParser } from 'edn-data/dist/parse.js';
import { UserError } from '../core/errors.js';
import { parseEdnHistoryFast } from './edn-fast.js';
import { NEMESIS, isOpType, type Op } from '../core/op.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const TAGS = ['~map', '~set', '~list', '~char', '~sym', '~bigint', '~inst', '~tag'] as const;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

/** EDN (as edn-data parses it) → our JSON form. */
export function ednToJson(v: EDNVal): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'string') return v.startsWith(':') || v.startsWith('~') ? `~${v}` : v;
  if (typeof v === 'bigint') return { '~bigint': v.toString() };
  if (v instanceof Date) return { '~inst': v.toISOString() };
  if (Array.isArray(v)) return v.map(ednToJson);
  if (v instanceof Map || v instanceof Set) throw new Error('unexpected Map/Set from the EDN parser');
  if ('key' in v) return `:${v.key}`;
  if ('map' in v) {
    const pairs = v.map;
    const keywordKeys = pairs.every(([k]) => isObj(k) && 'key' in k && !String(k.key).startsWith('~'));
    if (keywordKeys) {
      const out: Record<string, Json> = {};
      for (const [k, val] of pairs) out[(k as { key: string }).key] = ednToJson(val);
      if (Object.keys(out).length === pairs.length) return out;
    }
    return { '~map': pairs.map(([k, val]) => [ednToJson(k), ednToJson(val)]) };
  }
  if ('set' in v) return { '~set': v.set.map(ednToJson) };
  if ('list' in v) return { '~list': v.list.map(ednToJson) };
  if ('char' in v) return { '~char': v.char };
  if ('sym' in v) return { '~sym': v.sym };
  if ('tag' in v) return { '~tag': [v.tag, ednToJson(v.val)] };
  throw new Error(`unsupported EDN value ${JSON.stringify(v)}`);
}

/** Our JSON form → EDN value for edn-data's printer. */
export function jsonToEdn(v: unknown): EDNVal {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string') {
    if (v.startsWith('~')) return v.slice(1);
    if (v.startsWith(':') && v.length > 1) return { key: v.slice(1) };
    return v;
  }
  if (Array.isArray(v)) return v.map(jsonToEdn);
  if (isObj(v)) {
    const keys = Object.keys(v);
    if (keys.length === 1 && (TAGS as readonly string[]).includes(keys[0]!)) {
      const x = v[keys[0]!];
      switch (keys[0]) {
        case '~map': return { map: (x as unknown[][]).map(([k, val]) => [jsonToEdn(k), jsonToEdn(val)]) };
        case '~set': return { set: (x as unknown[]).map(jsonToEdn) };
        case '~list': return { list: (x as unknown[]).map(jsonToEdn) };
        case '~char': return { char: String(x) };
        case '~sym': return { sym: String(x) };
        case '~bigint': return BigInt(String(x));
        case '~inst': return new Date(String(x));
        case '~tag': {
          const [tag, val] = x as [string, unknown];
          return { tag, val: jsonToEdn(val) };
        }
      }
    }
    return { map: keys.map((k) => [{ key: k }, jsonToEdn(v[k])] as [EDNVal, EDNVal]) };
  }
  throw new Error(`cannot write ${typeof v} as EDN`);
}

/** Prints an EDN value (our JSON form) as text, e.g. for an op's error. */
export function printEdn(v: unknown): string {
  return toEDNString(jsonToEdn(v));
}

interface ParsedForm {
  value: EDNVal;
  line: number;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Checks that brackets balance outside strings, comments and char literals, naming the line of
 * a stray closer or of an opener that is never closed. edn-data accepts some such text silently
 * (a stray `}` is skipped), and a truncated history must never import as a shorter one.
 */
function checkBrackets(text: string, source: string): void {
  const open: { ch: string; line: number }[] = [];
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n') line++;
    else if (ch === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (ch === '\\') {
      i++; // a char literal such as \} or \newline
    } else if (ch === '"') {
      const startLine = line;
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '\n') line++;
      }
      if (i >= text.length) throw new UserError(`${source}:${startLine}: truncated EDN — a string opened here is never closed`);
    } else if (ch in CLOSER) {
      open.push({ ch, line });
    } else if (ch === ')' || ch === ']' || ch === '}') {
      const top = open.pop();
      if (!top) throw new UserError(`${source}:${line}: not valid EDN — '${ch}' closes nothing`);
      if (CLOSER[top.ch] !== ch) {
        throw new UserError(`${source}:${line}: not valid EDN — '${ch}' where '${CLOSER[top.ch]}' should close the '${top.ch}' of line ${top.line}`);
      }
    }
  }
  const unclosed = open[0];
  if (unclosed) throw new UserError(`${source}:${unclosed.line}: truncated EDN — the '${unclosed.ch}' opened here is never closed`);
}

/** Splits EDN text into top-level forms, remembering the line each one ended on. */
function readForms(text: string, source: string): ParsedForm[] {
  checkBrackets(text, source);
  const parser = new EDNListParser({});
  parser.next('(');
  const forms: ParsedForm[] = [];
  const lines = text.split('\n');
  for (let i = 0; i <= lines.length; i++) {
    let got: (EDNVal | undefined)[];
    try {
      got = parser.next(i < lines.length ? `${lines[i]}\n` : ')');
    } catch (err) {
      throw new UserError(`${source}:${Math.min(i + 1, lines.length)}: not valid EDN (${(err as Error).message})`, { cause: err });
    }
    for (const value of got) if (value !== undefined) forms.push({ value, line: Math.min(i, lines.length - 1) });
  }
  return forms;
}

function mapEntries(v: EDNVal): [EDNVal, EDNVal][] | undefined {
  return isObj(v) && 'map' in v ? (v as { map: [EDNVal, EDNVal][] }).map : undefined;
}

function keywordName(v: EDNVal): string | undefined {
  return isObj(v) && 'key' in v ? String((v as { key: string }).key) : undefined;
}

/** A Clojure record tag (`#jepsen.history.Op{…}`): a dotted class name tagging a map. */
function recordOf(v: EDNVal): { tag: string; val: EDNVal } | undefined {
  if (!isObj(v) || !('tag' in v) || !('val' in v)) return undefined;
  const { tag, val } = v as { tag: string; val: EDNVal };
  return /^[A-Za-z_][\w$-]*(\.[\w$-]+)+$/.test(tag) && mapEntries(val) ? { tag, val } : undefined;
}

/** One Jepsen op map → Op; throws UserError naming the line. */
function opFromEdn(form: ParsedForm, position: number, source: string): Op {
  const where = `${source}:${form.line + 1}`;
  const record = recordOf(form.value);
  const entries = mapEntries(record ? record.val : form.value);
  if (!entries) throw new UserError(`${where}: expected an op map like {:type :invoke, :f :read, :process 0}, got ${toEDNString(form.value).slice(0, 60)}`);
  const fields = new Map<string, EDNVal>();
  for (const [k, val] of entries) {
    const name = keywordName(k);
    if (name === undefined) throw new UserError(`${where}: op map key ${toEDNString(k)} is not a keyword`);
    fields.set(name, val);
  }
  const type = keywordName(fields.get('type') ?? null);
  if (!isOpType(type)) throw new UserError(`${where}: :type ${toEDNString(fields.get('type') ?? null)} is not one of :invoke :ok :fail :info`);
  const fRaw = fields.get('f') ?? null;
  const f = keywordName(fRaw) ?? (typeof fRaw === 'string' ? fRaw : undefined);
  if (!f) throw new UserError(`${where}: :f ${toEDNString(fRaw)} is not a keyword`);
  const pRaw = fields.get('process') ?? null;
  let process: Op['process'];
  if (keywordName(pRaw) === NEMESIS) process = NEMESIS;
  else if (typeof pRaw === 'number' && Number.isInteger(pRaw)) process = pRaw;
  else throw new UserError(`${where}: :process ${toEDNString(pRaw)} is neither an integer nor :nemesis`);
  const indexRaw = fields.get('index');
  if (indexRaw !== undefined && !(typeof indexRaw === 'number' && Number.isInteger(indexRaw))) {
    throw new UserError(`${where}: :index ${toEDNString(indexRaw)} is not an integer`);
  }
  const timeRaw = fields.get('time');
  if (timeRaw !== undefined && !(typeof timeRaw === 'number' && Number.isInteger(timeRaw))) {
    throw new UserError(`${where}: :time ${toEDNString(timeRaw)} is not an integer number of nanoseconds`);
  }
  const op: Op = {
    index: indexRaw ?? position,
    type,
    process,
    f,
    value: ednToJson(fields.get('value') ?? null),
    timeNs: timeRaw ?? 0,
  };
  const ext: Record<string, unknown> = {};
  if (record) ext['~record'] = record.tag;
  if (indexRaw === undefined) ext['~index'] = 'absent';
  if (timeRaw === undefined) ext['~time'] = 'absent';
  if (keywordName(fRaw) === undefined) ext['~f'] = 'string';
  const node = fields.get('node');
  if (typeof node === 'string') op.node = node;
  else if (node !== undefined) ext['node'] = ednToJson(node);
  const error = fields.get('error');
  if (typeof error === 'string') op.error = error;
  else if (error !== undefined) {
    op.error = toEDNString(error);
    ext['error'] = ednToJson(error);
  }
  for (const [name, val] of fields) {
    if (!['type', 'f', 'process', 'index', 'time', 'value', 'node', 'error'].includes(name)) ext[name] = ednToJson(val);
  }
  if (Object.keys(ext).length > 0) op.ext = ext;
  return op;
}

/**
 * Parses a Jepsen history: one op map per line (history.edn), or a vector/list of op maps.
 * Throws UserError with the line number on malformed input.
 */
export function parseEdnHistory(text: string, source = 'history.edn'): Op[] {
  // The specialised reader (edn-fast.ts) takes the plain EDN Jepsen writes, several times
  // faster; anything it does not fully understand, including every error, is read here.
  const fast = parseEdnHistoryFast(text, printEdn);
  return fast ? nemesisInvokes(fast) : parseEdnHistoryGeneral(text, source);
}

/** The general reader (edn-data): every EDN value, and every bad-input error with its line. */
export function parseEdnHistoryGeneral(text: string, source = 'history.edn'): Op[] {
  const forms = readForms(text, source);
  let maps = forms;
  if (forms.length === 1 && (Array.isArray(forms[0]!.value) || (isObj(forms[0]!.value) && 'list' in forms[0]!.value))) {
    const outer = forms[0]!;
    const items = Array.isArray(outer.value) ? outer.value : (outer.value as { list: EDNVal[] }).list;
    maps = items.map((value) => ({ value, line: outer.line }));
  }
  return nemesisInvokes(maps.map((form, i) => opFromEdn(form, i, source)));
}

/**
 * Jepsen writes a nemesis invocation as `:info`: a nemesis `:info` with no nemesis op in flight
 * becomes an `invoke`; a nemesis op that really says `:invoke` is marked so it exports as such.
 */
function nemesisInvokes(ops: Op[]): Op[] {
  let inFlight = false;
  for (const op of ops) {
    if (op.process !== NEMESIS) continue;
    if (op.type === 'invoke') {
      op.ext = { ...op.ext, '~type': 'invoke' };
      inFlight = true;
    } else if (op.type === 'info' && !inFlight) {
      op.type = 'invoke';
      inFlight = true;
    } else inFlight = false;
  }
  return ops;
}

/** The `:type` an op is written with: a nemesis invocation is `:info`, as Jepsen writes it. */
function ednType(op: Op): string {
  if (op.process === NEMESIS && op.type === 'invoke' && op.ext?.['~type'] !== 'invoke') return 'info';
  return op.type;
}

/** One op → one line of Jepsen EDN. */
export function opToEdn(op: Op): string {
  const ext = op.ext ?? {};
  const entries: [EDNVal, EDNVal][] = [];
  if (ext['~index'] !== 'absent') entries.push([{ key: 'index' }, op.index]);
  if (ext['~time'] !== 'absent') entries.push([{ key: 'time' }, op.timeNs]);
  entries.push([{ key: 'type' }, { key: ednType(op) }]);
  entries.push([{ key: 'process' }, op.process === NEMESIS ? { key: NEMESIS } : op.process]);
  entries.push([{ key: 'f' }, ext['~f'] === 'string' ? op.f : { key: op.f }]);
  entries.push([{ key: 'value' }, jsonToEdn(op.value)]);
  if ('node' in ext) entries.push([{ key: 'node' }, jsonToEdn(ext['node'])]);
  else if (op.node !== undefined) entries.push([{ key: 'node' }, op.node]);
  if ('error' in ext) entries.push([{ key: 'error' }, jsonToEdn(ext['error'])]);
  else if (op.error !== undefined) entries.push([{ key: 'error' }, op.error]);
  for (const [name, val] of Object.entries(ext)) {
    if (name.startsWith('~') || name === 'node' || name === 'error') continue;
    entries.push([{ key: name }, jsonToEdn(val)]);
  }
  const record = typeof ext['~record'] === 'string' ? ext['~record'] : undefined;
  // edn-data prints a tag followed by a space; Jepsen prints `#jepsen.history.Op{`.
  return record ? `#${record}${toEDNString({ map: entries })}` : toEDNString({ map: entries });
}
