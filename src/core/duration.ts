// Durations on the command line: "30s", "500ms", "2m", "1h" or a bare number of seconds.

import { UserError } from './errors.js';

/** "30s", "500ms", "2m", "1h" or a bare number of seconds → ms; UserError naming the flag. */
export function parseDuration(flag: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new UserError(`--${flag} "${text}" is not a duration (e.g. 500ms, 30s, 2m; a bare number means seconds)`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!);
}

