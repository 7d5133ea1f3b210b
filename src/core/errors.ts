// Exit codes a CI pipeline can gate on, and the error type for bad input.

import type { Validity } from './validity.js';

export const EXIT = {
  valid: 0,
  invalid: 1,
  unknown: 2,
  badInput: 254,
  crashed: 255,
} as const;

/** Maps a verdict to the process exit code: 0 valid, 1 invalid, 2 unknown. */
export function exitCodeFor(valid: Validity): number {
  return valid === true ? EXIT.valid : valid === false ? EXIT.invalid : EXIT.unknown;
}

/**
 * A problem with what the user gave us (a flag value, a file, a URL): printed as one line,
 * exit 254, never with a stack trace. Keep the underlying error as `cause` for --debug.
 */
export class UserError extends Error {
  readonly exitCode: number = EXIT.badInput;
  constructor(message: string, options?: { cause?: unknown; exitCode?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode;
  }
}
