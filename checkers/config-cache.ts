// The search's cache of explored configurations, packed into typed arrays: one record is a few
// integers plus its bit words in shared pools, so millions of records cost tens of bytes each
// and no garbage-collected objects (a Map of small objects spent most of the search in GC).
//
// A record is (firstOpen, the completed-call words from firstOpen's word to the highest
// linearized one, the crashed-call words, the model state). Lookup is by a hash of everything
// but the crashed-call words, which are compared by subset (dominance, see wgl.ts).

const EMPTY = -1;

export class ConfigCache {
  private tableMask: number;
  private heads: Int32Array;
  private count = 0;
  private capacity: number;
  private hashes: Int32Array;
  private nextRecord: Int32Array;
  private firstOpens: Int32Array;
  private wordStarts: Int32Array;
  private wordLengths: Int32Array;
  private words: Uint32Array;
  private wordsUsed = 0;
  private infos: Uint32Array;
  private readonly states: unknown[] = [];

  constructor(
    private readonly infoWordCount: number,
    private readonly equal: (a: unknown, b: unknown) => boolean,
  ) {
    this.capacity = 1024;
    this.tableMask = 2047;
    this.heads = new Int32Array(2048).fill(EMPTY);
    this.hashes = new Int32Array(this.capacity);
    this.nextRecord = new Int32Array(this.capacity);
    this.firstOpens = new Int32Array(this.capacity);
    this.wordStarts = new Int32Array(this.capacity);
    this.wordLengths = new Int32Array(this.capacity);
    this.words = new Uint32Array(4096);
    this.infos = new Uint32Array(this.capacity * infoWordCount);
  }

  get size(): number {
    return this.count;
  }

  /**
   * True when a recorded configuration with the same completed calls and an equal state used
   * up a subset of `info` (so it dominates this one); otherwise records this one and returns false.
   * `req[start .. start+length)` are the completed-call words from firstOpen's word on.
   */
  seenOrRecord(hash: number, firstOpen: number, req: Uint32Array, start: number, length: number, info: Uint32Array | undefined, state: unknown): boolean {
    const infoWords = this.infoWordCount;
    for (let r = this.heads[hash & this.tableMask]!; r !== EMPTY; r = this.nextRecord[r]!) {
      if (this.hashes[r] !== hash || this.firstOpens[r] !== firstOpen || this.wordLengths[r] !== length) continue;
      const ws = this.wordStarts[r]!;
      let same = true;
      for (let w = 0; w < length && same; w++) same = this.words[ws + w] === req[start + w];
      if (!same) continue;
      if (info) {
        const is = r * infoWords;
        let subset = true;
        for (let w = 0; w < infoWords && subset; w++) subset = (this.infos[is + w]! & ~info[w]!) === 0;
        if (!subset) continue;
      }
      if (this.equal(this.states[r], state)) return true;
    }
    this.record(hash, firstOpen, req, start, length, info, state);
    return false;
  }

  private record(hash: number, firstOpen: number, req: Uint32Array, start: number, length: number, info: Uint32Array | undefined, state: unknown): void {
    if (this.count === this.capacity) this.growRecords();
    if (this.wordsUsed + length > this.words.length) {
      const bigger = new Uint32Array(Math.max(this.words.length * 2, this.wordsUsed + length));
      bigger.set(this.words);
      this.words = bigger;
    }
    const r = this.count++;
    this.hashes[r] = hash;
    this.firstOpens[r] = firstOpen;
    this.wordStarts[r] = this.wordsUsed;
    this.wordLengths[r] = length;
    this.words.set(req.subarray(start, start + length), this.wordsUsed);
    this.wordsUsed += length;
    if (info) this.infos.set(info.subarray(0, this.infoWordCount), r * this.infoWordCount);
    this.states[r] = state;
    const slot = hash & this.tableMask;
    this.nextRecord[r] = this.heads[slot]!;
    this.heads[slot] = r;
    if (this.count > this.tableMask) this.growTable();
  }

  private growRecords(): void {
    this.capacity *= 2;
    const grow = <T extends Int32Array | Uint32Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.hashes = grow(this.hashes, this.capacity);
    this.nextRecord = grow(this.nextRecord, this.capacity);
    this.firstOpens = grow(this.firstOpens, this.capacity);
    this.wordStarts = grow(this.wordStarts, this.capacity);
    this.wordLengths = grow(this.wordLengths, this.capacity);
    this.infos = grow(this.infos, this.capacity * this.infoWordCount);
  }

  /** Doubles the bucket table and relinks every record (keeps chains short). */
  private growTable(): void {
    const size = (this.tableMask + 1) * 2;
    this.tableMask = size - 1;
    this.heads = new Int32Array(size).fill(EMPTY);
    for (let r = 0; r < this.count; r++) {
      const slot = this.hashes[r]! & this.tableMask;
      this.nextRecord[r] = this.heads[slot]!;
      this.heads[slot] = r;
    }
  }
}
