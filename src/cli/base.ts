// Base class of every faultline command: errors are rethrown to src/cli/main.ts, which prints
// one line and picks the exit code, so commands never print stacks themselves.

import { Command, Flags } from '@oclif/core';
import { JSON_SCHEMA_VERSION } from './json.js';

/** Every --json document starts with its schema version (docs/json.md). */
export function withSchemaVersion(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || 'schemaVersion' in json) return json;
  return { schemaVersion: JSON_SCHEMA_VERSION, ...json };
}

export abstract class FaultlineCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'Print stack traces of errors.', hidden: true, default: false }),
  };

  /** Errors are handled once, in src/cli/main.ts (one line, the right exit code). */
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    throw err;
  }

  /** Every command's --json output carries `schemaVersion`, whichever command wrote it. */
  protected override logJson(json: unknown): void {
    super.logJson(withSchemaVersion(json));
  }

  /** Prints a line for humans unless --json is on (then stdout carries only the result). */
  protected say(message: string): void {
    if (!this.jsonEnabled()) this.log(message);
  }

  /** Prints a status line to stderr (where things were written, progress) unless --json is on. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`);
  }
}
