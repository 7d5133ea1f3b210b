// Three-valued validity, as Jepsen: a checker may not know (time or memory budget hit).

export type Validity = true | false | 'unknown';

/** Merges verdicts: false beats unknown beats true. */
export function mergeValidity(...vs: Validity[]): Validity {
  let out: Validity = true;
  for (const v of vs) {
    if (v === false) return false;
    if (v === 'unknown') out = 'unknown';
  }
  return out;
}

export interface CheckResult {
  valid: Validity;
  [detail: string]: unknown;
}

export interface CheckOptions {
  signal?: AbortSignal;
  budgetMs?: number;
}
