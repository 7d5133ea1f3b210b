// Shared test setup: the repo root, a shared FAULTLINE_HOME for tests (one embedded database
// daemon serves every test file), and a runner for the real CLI.

import { execa, type Result } from 'execa';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/helpers → repo root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(ROOT, 'bin', 'run.js');

/** One home for the whole test run, so one embedded database daemon serves every file. */
export const TEST_HOME = process.env.FAULTLINE_TEST_HOME ?? join(tmpdir(), 'faultline-test-home');
mkdirSync(TEST_HOME, { recursive: true });
process.env.FAULTLINE_HOME = TEST_HOME;
// Daemons started by tests go away soon after the last test that used them.
process.env.FAULTLINE_DB_IDLE_MS ??= '20000';

/** A fresh folder under the OS temp dir. */
export function tempDir(prefix = 'faultline-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs `faultline ARGS` and returns the result without throwing on a non-zero exit. */
/** Runs the CLI; `timeoutMs` (default 5 min: a loaded CI machine starting the embedded database was seen past 2) kills a hung one. */
export function cli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  return execa(process.execPath, [CLI, ...args], {
    reject: false,
    env: { FAULTLINE_HOME: TEST_HOME, NO_COLOR: '1', ...opts.env },
    input: opts.input,
    cwd: opts.cwd ?? ROOT,
    timeout: opts.timeoutMs ?? 300_000,
  }) as Promise<Result>;
}
