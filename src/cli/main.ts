// Entry point behind bin/run.js: runs an oclif command and turns every error into one line
// and the right exit code (254 bad input, 255 the harness crashed). Stacks only with --debug
// or DEBUG=faultline*.
// @oclif/core is imported only when needed: `check FILE…` in its plain forms runs without it
// (src/cli/check-fast.ts — about 0.3 s of CPU less per process, measured), nor chalk.

import { EXIT, UserError } from '../core/errors.js';
import { guardStdout, stdoutClosed } from '../core/output.js';
import { printable } from '../core/text.js';
import { JSON_SCHEMA_VERSION } from './json.js';
import { manifestIsCurrent, packageRoot, writeManifest } from './manifest.js';

function debugEnabled(argv: string[]): boolean {
  return argv.includes('--debug') || /(^|,)faultline/.test(process.env.DEBUG ?? '');
}

interface Classified {
  exit: number;
  message: string;
}

function firstLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with/.test(l))
    .join(' ');
}

/** @oclif/core once loaded (never on the check fast path, so no error can be one of its). */
let oclif: typeof import('@oclif/core') | undefined;

function classify(err: unknown): Classified | { exit: number; silent: true } {
  const e = err as { code?: string; oclif?: { exit?: number }; message?: string };
  if (e && e.code === 'EEXIT') return { exit: e.oclif?.exit ?? 0, silent: true };
  if (err instanceof UserError) return { exit: err.exitCode, message: err.message };
  if (oclif && err instanceof oclif.Errors.CLIError) {
    const exit = e.oclif?.exit;
    // oclif uses 2 for argument and flag parsing errors; ours is 254.
    const code = exit === undefined || exit === 2 || exit === 1 || exit === 127 ? EXIT.badInput : exit;
    return { exit: code, message: firstLine(err.message.replace(/^Error: /, '')) };
  }
  return { exit: EXIT.crashed, message: `faultline crashed: ${firstLine(String(e?.message ?? err))}` };
}

export async function main(argv: string[], url: string): Promise<void> {
  // A reader that goes away (`| head`) ends the output quietly instead of an EPIPE crash.
  guardStdout();
  try {
    // oclif lists commands from the manifest instead of importing every command module; one
    // older than the compiled commands (a bare `tsc` build) is rebuilt first, so it never hides
    // a new command or flag.
    const root = packageRoot();
    if (!manifestIsCurrent(root)) await writeManifest(root).catch(() => undefined);
    if (argv[0] === 'check') {
      const { checkFast } = await import('./check-fast.js');
      if (await checkFast(argv.slice(1))) return;
    }
    // chalk (about 35 ms of CPU to load) is set up for the commands that colour; the check fast
    // path prints no colour and never loads it.
    const { applyColorEnv } = await import('./color.js');
    applyColorEnv();
    oclif = await import('@oclif/core');
    await oclif.run(argv, url);
    if (!stdoutClosed()) await oclif.flush();
  } catch (err) {
    const c = classify(err);
    if ('silent' in c) {
      process.exitCode = c.exit;
      return;
    }
    if (argv.includes('--json')) {
      process.stdout.write(JSON.stringify({ schemaVersion: JSON_SCHEMA_VERSION, error: { message: c.message, exit: c.exit } }) + '\n');
    }
    process.stderr.write(`Error: ${printable(c.message)}\n`);
    if (debugEnabled(argv)) {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      let cause = (err as Error)?.cause;
      while (cause) {
        process.stderr.write(`caused by: ${(cause as Error)?.stack ?? String(cause)}\n`);
        cause = (cause as Error)?.cause;
      }
    } else if (c.exit === EXIT.crashed) {
      process.stderr.write('Rerun with --debug (or DEBUG=faultline*) for the stack trace.\n');
    }
    process.exitCode = c.exit;
  }
}
