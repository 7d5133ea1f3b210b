// How a verdict reads in a terminal: words, and colour only on a TTY without NO_COLOR
// (chalk already honours NO_COLOR, FORCE_COLOR and non-TTY streams).

import chalk from 'chalk';
import type { Validity } from '../core/validity.js';

export function verdictText(valid: Validity | null | undefined, color = false): string {
  if (valid === true) return color ? chalk.green('valid') : 'valid';
  if (valid === false) return color ? chalk.red('INVALID') : 'INVALID';
  if (valid === 'unknown') return color ? chalk.yellow('unknown') : 'unknown';
  return 'unchecked';
}
