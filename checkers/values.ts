// Canonical forms and hashes of the values histories carry (numbers, strings, null, arrays, maps),
// so models can compare and hash states without deep-equality code in the search loop.

/** A primitive stand-in for any value: primitives as themselves, everything else as canonical JSON. */
export type Scalar = null | number | string | boolean;

/** Canonical JSON: object keys sorted, so equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** Maps a value to a Scalar such that two values are equal exactly when their scalars are ===. */
export function toScalar(value: unknown): Scalar {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  // Strings get a prefix only when they could be mistaken for an encoded structure.
  if (typeof value === 'string') return value.startsWith('\u0000') ? `\u0000s${value}` : value;
  return `\u0000j${canonicalJson(value)}`;
}

/** Human form of a scalar for reports ("nil" as Jepsen prints it). */
export function showScalar(s: Scalar): string {
  if (s === null) return 'nil';
  if (typeof s === 'string') {
    if (s.startsWith('\u0000j')) return s.slice(2);
    if (s.startsWith('\u0000s')) return JSON.stringify(s.slice(2));
    return JSON.stringify(s);
  }
  return String(s);
}

/** FNV-1a over a string, 32 bits. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/**
 * Hash of a long string from its length and ends only: O(1) however long it grows (appended
 * register values grow with every append). Collisions are settled by equality checks.
 */
function hashLongString(s: string): number {
  let h = Math.imul(0x811c9dc5 ^ s.length, 0x01000193);
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  for (let i = s.length - 48; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** A 32-bit hash of a scalar, consistent with ===. */
export function hashScalar(s: Scalar): number {
  if (s === null) return 0x2545f491;
  if (typeof s === 'number') {
    if (Number.isInteger(s) && Math.abs(s) < 2 ** 31) return Math.imul(s ^ 0x5bd1e995, 0x9e3779b1) | 0;
    return hashString(`n${s}`);
  }
  if (typeof s === 'boolean') return s ? 0x1b873593 : 0x6b43a9b5;
  return s.length > 64 ? hashLongString(s) : hashString(s);
}

/** Mixes two hashes (order matters). */
export function mixHash(a: number, b: number): number {
  return (Math.imul(a ^ (b + 0x9e3779b9 + (a << 6) + (a >>> 2)), 0x85ebca6b) ^ b) | 0;
}

/** Strips a leading ':' from Jepsen keywords decoded as strings (":read" → "read"). */
export function bareKeyword(f: string): string {
  return f.startsWith(':') ? f.slice(1) : f;
}
