// Seeded pseudo-random numbers for everything a run draws (nemesis targets, schedules, workload
// values): a seed reproduces the same draws, so "rerun with --seed N" reproduces the schedule.
// splitmix32 expands the seed, xoshiro128** generates (fast, 2^128 period, good enough for tests;
// not cryptographic). All arithmetic is 32-bit via Math.imul and >>> 0.

/** A seeded generator; every method advances the same state. */
export interface Rng {
  /** A uint32. */
  nextU32(): number;
  /** A float in [0, 1). */
  float(): number;
  /** An integer in [lo, hi] (both inclusive). */
  int(lo: number, hi: number): number;
  /** One element of a non-empty array. */
  pick<T>(xs: readonly T[]): T;
  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(xs: readonly T[]): T[];
  /** `count` distinct elements, in random order. */
  sample<T>(xs: readonly T[], count: number): T[];
  /** An independent generator derived from this one (so sub-streams don't shift each other). */
  fork(): Rng;
  /** A copy at the same state: it draws what this one would draw next, without advancing this one. */
  clone(): Rng;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A generator for a seed; seeds above 2^32 fold their high bits in. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const hi = Math.floor(Math.abs(seed) / 2 ** 32) >>> 0;
  const sm = splitmix32((Math.abs(Math.trunc(seed)) ^ Math.imul(hi, 0x27d4eb2d)) >>> 0);
  const s = [sm(), sm(), sm(), sm()] as [number, number, number, number];
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1; // xoshiro must not start from all zeros
  return fromState(s);
}

function fromState(s: [number, number, number, number]): Rng {

  const nextU32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const float = (): number => nextU32() / 2 ** 32;
  const int = (lo: number, hi: number): number => {
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo) throw new RangeError(`bad range [${lo}, ${hi}]`);
    return lo + Math.floor(float() * (hi - lo + 1));
  };
  const rng: Rng = {
    nextU32,
    float,
    int,
    pick<T>(xs: readonly T[]): T {
      if (xs.length === 0) throw new RangeError('pick from an empty array');
      return xs[int(0, xs.length - 1)] as T;
    },
    shuffle<T>(xs: readonly T[]): T[] {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = int(0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
    sample<T>(xs: readonly T[], count: number): T[] {
      if (count < 0 || count > xs.length) throw new RangeError(`cannot sample ${count} of ${xs.length}`);
      return rng.shuffle(xs).slice(0, count);
    },
    fork(): Rng {
      return createRng(nextU32() * 2 ** 20 + (nextU32() >>> 12));
    },
    clone(): Rng {
      return fromState([s[0], s[1], s[2], s[3]]);
    },
  };
  return rng;
}
