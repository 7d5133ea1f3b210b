// Register values built by appends, shared and compared in O(1). A value grown by appends is a
// node of a persistent list (parent + the appended piece) with an incremental hash and length;
// nodes are interned (a node's children by piece), so the same sequence of appends from the same
// start is always the same object: equality is identity and hashing is a field read, however long
// the string grows. The string itself is only built when someone must see it (a read whose
// length and hash match, a report), and then kept (V8 concatenates lazily, so that is cheap).
//
// Hand-written: no npm library offers an interned rope with incremental polynomial hashes, and
// the whole thing is 80 lines. Two different sequences spelling the same string ("a"+"bc" and
// "ab"+"c") are different nodes: the search may then explore an equal state twice, never wrongly.

const BASE = 0x01000193;
/** Every this many appends a node keeps its string (see prefixOf). */
const CHECKPOINT = 64;

/** B^n (mod 2^32), for the pieces' lengths. */
function power(n: number): number {
  let r = 1;
  for (let i = 0; i < n; i++) r = Math.imul(r, BASE);
  return r;
}

/** Polynomial hash of a string (mod 2^32), such that hash(a + b) = hash(a) * B^|b| + hash(b). */
export function polyHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
  return h;
}

export class AppendText {
  private text: string | undefined;
  private children: Map<string, AppendText> | undefined;

  private constructor(
    readonly parent: AppendText | undefined,
    readonly piece: string,
    readonly length: number,
    readonly hash: number,
    /** Pieces since the root. Every CHECKPOINT-th node keeps its string, so a comparison walks at most that many pieces. */
    readonly depth: number,
  ) {}

  /** A start node holding `s` (the string the first append found). */
  static root(s: string): AppendText {
    const node = new AppendText(undefined, s, s.length, polyHash(s), 0);
    node.text = s;
    return node;
  }

  /** The node for this value followed by `piece` (the same object every time). */
  append(piece: string, pieceHash: number, piecePower: number): AppendText {
    this.children ??= new Map();
    let child = this.children.get(piece);
    if (!child) {
      child = new AppendText(this, piece, this.length + piece.length, (Math.imul(this.hash, piecePower) + pieceHash) | 0, this.depth + 1);
      this.children.set(piece, child);
      if (child.depth % CHECKPOINT === 0) child.toString();
    }
    return child;
  }

  /** The string (built once, on demand). */
  toString(): string {
    if (this.text === undefined) {
      // Iteratively, so a long chain does not overflow the stack.
      const pieces: string[] = [];
      let n: AppendText | undefined = this;
      while (n && n.text === undefined) {
        pieces.push(n.piece);
        n = n.parent;
      }
      let s = n?.text ?? '';
      for (let i = pieces.length - 1; i >= 0; i--) s += pieces[i]!;
      // Flatten now (V8 keeps concatenations as trees until used): checkpoints are compared often.
      s.charCodeAt(s.length >>> 1);
      this.text = s;
    }
    return this.text;
  }

  /** Two strings this value is known to be a prefix of (compared by reference: reads are interned). */
  private prefixOfA: string | undefined;
  private prefixOfB: string | undefined;

  /**
   * True when this value is a prefix of `s`, without building it: each piece is compared in
   * place, walking up only until an ancestor already known to be a prefix of `s` (then every
   * node walked is marked). Read strings are interned at decode (see internString), so the
   * marks are compared by reference.
   */
  prefixOf(s: string): boolean {
    if (this.length > s.length) return false;
    const walked: AppendText[] = [];
    let ok = true;
    for (let n: AppendText | undefined = this; n; n = n.parent) {
      if (n.prefixOfA === s || n.prefixOfB === s) break;
      if (n.text !== undefined) {
        // A checkpoint (or the root): one comparison in native code.
        ok = s.startsWith(n.text);
        if (ok) walked.push(n);
        break;
      }
      if (!s.startsWith(n.piece, n.length - n.piece.length)) {
        ok = false;
        break;
      }
      walked.push(n);
    }
    if (ok) {
      for (const n of walked) {
        n.prefixOfB = n.prefixOfA;
        n.prefixOfA = s;
      }
    }
    return ok;
  }

  /**
   * False when this value is certainly not a prefix of `s`: longer, or its last piece is not where
   * it would have to be. O(piece): the search asks it of several pending reads at every move;
   * true promises nothing.
   */
  mayBePrefixOf(s: string): boolean {
    return this.length <= s.length && s.startsWith(this.piece, this.length - this.piece.length);
  }

  /** True when this value is the string `s`. */
  is(s: string): boolean {
    return s.length === this.length && this.prefixOf(s);
  }
}

/** Interning of start nodes and caches of piece hashes, one per model instance. */
export class AppendTexts {
  private readonly roots = new Map<string, AppendText>();
  private readonly hashes = new Map<string, number>();
  private readonly powers = new Map<number, number>();

  hashOf(s: string): number {
    let h = this.hashes.get(s);
    if (h === undefined) this.hashes.set(s, (h = polyHash(s)));
    return h;
  }

  /** `start` (a plain string, or a node) with `piece` appended. */
  append(start: string | AppendText, piece: string): AppendText {
    let node: AppendText;
    if (typeof start === 'string') {
      const root = this.roots.get(start);
      if (root) node = root;
      else this.roots.set(start, (node = AppendText.root(start)));
    } else node = start;
    let p = this.powers.get(piece.length);
    if (p === undefined) this.powers.set(piece.length, (p = power(piece.length)));
    return node.append(piece, this.hashOf(piece), p);
  }
}

/**
 * One string object per content for long strings (read outputs), so AppendText's marks compare
 * by reference. Per model instance.
 */
export class StringInterner {
  private readonly table = new Map<string, string>();

  intern(s: string): string {
    if (s.length < 64) return s;
    const had = this.table.get(s);
    if (had !== undefined) return had;
    this.table.set(s, s);
    return s;
  }
}
