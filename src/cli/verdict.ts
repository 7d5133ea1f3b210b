// How a verdict reads in a terminal: words, and colour only when asked for (see colorEnabled in
// ./color.ts: a TTY without NO_COLOR, or FORCE_COLOR).

import chalk from 'chalk';
import type { Validity } from '../core/validity.js';

export function verdictText(valid: Validity | null | undefined, color = false): string {
  if (valid === true) return color ? chalk.green('valid') : 'valid';
  if (valid === false) return color ? chalk.red('INVALID') : 'INVALID';
  if (valid === 'unknown') return color ? chalk.yellow('unknown') : 'unknown';
  return 'unchecked';
}
