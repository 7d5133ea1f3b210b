// A history held as columns (typed arrays) instead of one object per op: what the fast JSONL
// reader (src/history/jsonl-columns.ts) produces and the linearizability checker splits by key
// without building op records. A 1M-op history as 2M Op objects (each with a value array, cas
// values a second one) costs ~1 GB of heap and seconds of garbage collection; as columns it is
// ~60 bytes an op in buffers the collector never scans. `opAt` gives the Op the general parser
// would have given, so code that needs records (explanations, contexts) still gets them.
//
// Values are stored in one of a few compact shapes (VALUE_*); any other value, and any op with
// fields beyond the six of opToJsonl, is kept whole in `extra` (VALUE_OTHER).

import { NEMESIS, OP_TYPES, type Op } from './op.js';

export const VALUE_NULL = 0;
/** A number: `a`. */
export const VALUE_NUM = 1;
/** A string: strings[key]. */
export const VALUE_STR = 2;
/** [strings[key], null] */
export const VALUE_KEY_NULL = 3;
/** [strings[key], a] */
export const VALUE_KEY_NUM = 4;
/** [strings[key], [a, b]]; here and in VALUE_PAIR a NaN stands for null. */
export const VALUE_KEY_PAIR = 5;
/** [a, b] */
export const VALUE_PAIR = 6;
/** [strings[key], strings[a]] */
export const VALUE_KEY_STR = 7;
/** Anything else: the whole op is in `extra`. */
export const VALUE_OTHER = 255;

/** The plain data of a columnar history (typed arrays, strings): what crosses to a worker thread. */
export interface OpColumnsData {
  length: number;
  index: Float64Array;
  /** Position in OP_TYPES. */
  type: Uint8Array;
  /** NaN for the nemesis. */
  process: Float64Array;
  /** Position in fNames. */
  f: Uint32Array;
  fNames: string[];
  timeNs: Float64Array;
  vkind: Uint8Array;
  vkey: Int32Array;
  va: Float64Array;
  vb: Float64Array;
  strings: string[];
  /** Rows whose op is not of the compact shape, as the general parser read them. */
  extra: Map<number, Op>;
}

// The class's fields are OpColumnsData's, by declaration merging: one list of columns, not four.
export interface OpColumns extends OpColumnsData {}
export class OpColumns {
  constructor(d: OpColumnsData) {
    Object.assign(this, d);
  }

  /** Empty columns with room for `capacity` rows. */
  static allocate(capacity: number): OpColumns {
    return new OpColumns({
      length: 0,
      index: new Float64Array(capacity),
      type: new Uint8Array(capacity),
      process: new Float64Array(capacity),
      f: new Uint32Array(capacity),
      fNames: [],
      timeNs: new Float64Array(capacity),
      vkind: new Uint8Array(capacity),
      vkey: new Int32Array(capacity),
      va: new Float64Array(capacity),
      vb: new Float64Array(capacity),
      strings: [],
      extra: new Map(),
    });
  }

  /** The plain data (for postMessage: its buffers can be transferred). */
  data(): OpColumnsData {
    return { ...this };
  }

  /** The buffers of data(), for a transfer list. */
  buffers(): ArrayBuffer[] {
    return [this.index, this.type, this.process, this.f, this.timeNs, this.vkind, this.vkey, this.va, this.vb].map((a) => a.buffer as ArrayBuffer);
  }

  /** Copies into new arrays of `capacity` rows (capacity ≥ length). */
  resized(capacity: number): OpColumns {
    const grow = <T extends Float64Array | Uint8Array | Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, Math.min(this.length, capacity)) as never);
      return b;
    };
    return new OpColumns({
      ...this.data(),
      index: grow(this.index, (n) => new Float64Array(n)),
      type: grow(this.type, (n) => new Uint8Array(n)),
      process: grow(this.process, (n) => new Float64Array(n)),
      f: grow(this.f, (n) => new Uint32Array(n)),
      timeNs: grow(this.timeNs, (n) => new Float64Array(n)),
      vkind: grow(this.vkind, (n) => new Uint8Array(n)),
      vkey: grow(this.vkey, (n) => new Int32Array(n)),
      va: grow(this.va, (n) => new Float64Array(n)),
      vb: grow(this.vb, (n) => new Float64Array(n)),
    });
  }

  /** True when row i is an op of the nemesis. */
  isNemesis(i: number): boolean {
    return Number.isNaN(this.process[i]!);
  }

  processAt(i: number): Op['process'] {
    const p = this.process[i]!;
    return Number.isNaN(p) ? NEMESIS : p;
  }

  typeAt(i: number): Op['type'] {
    return OP_TYPES[this.type[i]!]!;
  }

  fAt(i: number): string {
    return this.fNames[this.f[i]!]!;
  }

  /** The value of row i, a new object each call (as JSON.parse would give it). */
  valueAt(i: number): unknown {
    const s = this.strings;
    switch (this.vkind[i]) {
      case VALUE_NULL:
        return null;
      case VALUE_NUM:
        return this.va[i];
      case VALUE_STR:
        return s[this.vkey[i]!];
      case VALUE_KEY_NULL:
        return [s[this.vkey[i]!], null];
      case VALUE_KEY_NUM:
        return [s[this.vkey[i]!], this.va[i]];
      case VALUE_KEY_PAIR:
        return [s[this.vkey[i]!], [orNull(this.va[i]!), orNull(this.vb[i]!)]];
      case VALUE_PAIR:
        return [orNull(this.va[i]!), orNull(this.vb[i]!)];
      case VALUE_KEY_STR:
        return [s[this.vkey[i]!], s[this.va[i]!]];
      default:
        return this.extra.get(i)!.value;
    }
  }

  /** The op of row i, as the general JSONL parser gives it (a new object for compact rows). */
  opAt(i: number): Op {
    if (this.vkind[i] === VALUE_OTHER) return this.extra.get(i)!;
    return { index: this.index[i]!, type: this.typeAt(i), process: this.processAt(i), f: this.fAt(i), value: this.valueAt(i), timeNs: this.timeNs[i]! };
  }

  /** The f values of the client ops (as historyKind reads them). */
  clientFs(): Set<string> {
    const seen = new Uint8Array(this.fNames.length);
    const out = new Set<string>();
    for (let i = 0; i < this.length; i++) {
      const f = this.f[i]!;
      if (seen[f] === 0 && !Number.isNaN(this.process[i]!)) {
        seen[f] = 1;
        out.add(this.fNames[f]!);
      }
    }
    return out;
  }

  /** Every op as a record (for code that needs the array; costs what the columns save). */
  toOps(): Op[] {
    const out: Op[] = [];
    for (let i = 0; i < this.length; i++) out.push(this.opAt(i));
    return out;
  }
}

const orNull = (x: number): number | null => (Number.isNaN(x) ? null : x);

/** An op array, or the same history as columns. */
export type AnyHistory = readonly Op[] | OpColumns;

/** The history as op records (materialized from columns when it is columnar). */
export function opsOf(history: AnyHistory): readonly Op[] {
  return history instanceof OpColumns ? history.toOps() : history;
}
