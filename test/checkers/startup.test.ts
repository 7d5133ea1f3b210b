// Start-up of `faultline check` (issue 14): oclif lists commands from the manifest our build
// writes (src/cli/manifest.ts) instead of importing every command, and the check path imports
// no database or Docker client. Each test runs the CLI from a scratch copy of the package
// (package.json, bin/, dist/), so the real manifest is never touched.

import test from 'ava';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './support.js';

const run = promisify(execFile);

const HISTORY = [
  { index: 0, type: 'invoke', process: 0, f: 'write', value: 1, timeNs: 0 },
  { index: 1, type: 'ok', process: 0, f: 'write', value: 1, timeNs: 1 },
  { index: 2, type: 'invoke', process: 1, f: 'read', value: null, timeNs: 2 },
  { index: 3, type: 'ok', process: 1, f: 'read', value: 1, timeNs: 3 },
]
  .map((o) => JSON.stringify(o))
  .join('\n');

/** A scratch copy of the package: package.json, bin/, dist/ copied; node_modules linked. */
function scratchPackage(t: { teardown(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), 'faultline-startup-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  cpSync(join(repoRoot, 'package.json'), join(root, 'package.json'));
  cpSync(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true, filter: (p) => !p.includes('/dist/test/') });
  symlinkSync(join(repoRoot, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'h.jsonl'), HISTORY + '\n');
  return root;
}

const manifestOf = (root: string): { commands: Record<string, unknown>; faultline?: { commands: string } } =>
  JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'));

test('a stale manifest cannot hide a command: it is rebuilt before the command runs', async (t) => {
  const root = scratchPackage(t);
  await run(process.execPath, [join(root, 'dist/src/cli/manifest.js')]);
  const fresh = manifestOf(root);
  t.truthy(fresh.commands.check, 'the build lists check');
  // As if built before `check` existed: no check command, and a fingerprint without check.js.
  const stale = { ...fresh, commands: { ...fresh.commands }, faultline: { commands: fresh.faultline!.commands.split('\n').filter((l) => !l.startsWith('check.js:')).join('\n') } };
  delete stale.commands.check;
  writeFileSync(join(root, 'oclif.manifest.json'), JSON.stringify(stale));
  const { stdout } = await run(process.execPath, [join(root, 'bin/run.js'), 'check', join(root, 'h.jsonl'), '--model', 'cas-register']);
  t.regex(stdout, /linearizable \(cas-register, 2 ops/);
  t.truthy(manifestOf(root).commands.check, 'the manifest was rewritten with check');
  // Missing altogether: rebuilt too.
  rmSync(join(root, 'oclif.manifest.json'));
  await run(process.execPath, [join(root, 'bin/run.js'), 'check', join(root, 'h.jsonl'), '--model', 'cas-register']);
  t.truthy(manifestOf(root).commands.check);
});

test('faultline check of a file imports no Postgres, PGlite or Docker client', async (t) => {
  const root = scratchPackage(t);
  // The manifest is built with every dependency present (it imports every command once)…
  await run(process.execPath, [join(root, 'dist/src/cli/manifest.js')]);
  // …then the database and Docker clients are taken away: check must not need them.
  rmSync(join(root, 'node_modules'));
  mkdirSync(join(root, 'node_modules'));
  const absent = new Set(['postgres', 'dockerode', '@electric-sql', 'docker-modem']);
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (!absent.has(name)) symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  const { stdout } = await run(process.execPath, [join(root, 'bin/run.js'), 'check', join(root, 'h.jsonl'), '--model', 'cas-register']);
  t.regex(stdout, /linearizable \(cas-register, 2 ops/);
  // The control: a command that does need Postgres fails without it (so the test can fail).
  const err = await t.throwsAsync(run(process.execPath, [join(root, 'bin/run.js'), 'runs', '--database-url', 'postgres://127.0.0.1:1/x']));
  t.regex(String((err as { stderr?: string }).stderr), /Cannot find (package|module)/);
});
