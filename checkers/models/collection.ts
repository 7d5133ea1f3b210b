// Immutable sorted arrays of canonical element keys: the state of set and unordered-queue models.

import { canonicalJson, hashString, mixHash } from '../values.js';

export type Elems = readonly string[];

export function elemKey(value: unknown): string {
  return canonicalJson(value);
}

export function sortedKeysOf(values: readonly unknown[]): string[] {
  return values.map(elemKey).sort();
}

export function insertSorted(xs: Elems, x: string): string[] {
  let i = 0;
  while (i < xs.length && xs[i]! < x) i++;
  return [...xs.slice(0, i), x, ...xs.slice(i)];
}

export function removeAt(xs: Elems, i: number): string[] {
  return [...xs.slice(0, i), ...xs.slice(i + 1)];
}

export function sameElems(a: Elems, b: Elems): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hashElems(xs: Elems): number {
  let h = 0x3c6ef372;
  for (const x of xs) h = mixHash(h, hashString(x));
  return h;
}

export function showElems(xs: Elems, open = '{', close = '}'): string {
  return `${open}${xs.join(' ')}${close}`;
}
