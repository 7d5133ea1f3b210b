// The start-up fast path of `faultline check` (src/cli/check-fast.ts) against oclif: whatever
// command line the fast parser accepts, oclif's parser (with check's own flag definitions) must
// read into the same paths and flags; the rest must be left to oclif. And end to end: the fast
// path and the oclif path print the same reports and exit with the same codes.

import test from 'ava';
import fc from 'fast-check';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Parser } from '@oclif/core';
import Check from '../../src/commands/check.js';
import { parseCheckArgv } from '../../src/cli/check-fast.js';
import { repoRoot } from '../checkers/support.js';

const run = promisify(execFile);

/** oclif's reading of `check ARGV`, or an error message. */
async function oclifParse(argv: string[]): Promise<{ paths: string[]; flags: Record<string, unknown> } | { error: string }> {
  try {
    const r = await Parser.parse(argv, { flags: { ...Check.baseFlags, ...Check.flags }, args: Check.args, strict: Check.strict, context: undefined as never });
    return { paths: r.argv.map(String), flags: r.flags };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const FILES = ['test/corpus/knossos/cas-register/good/cas-register-bug.edn', 'test/corpus/porcupine/jepsen/etcd_002.log', 'a b.edn', 'x=y.edn'];
const token = fc.oneof(
  fc.constantFrom(...FILES),
  fc.constantFrom('--model', '-m', '--budget', '--initial', '--nil-reads', '--max-configurations', '--debug', '--json', '--workload', '--mine', '--help', '-h', '--', '--modle', '-x'),
  fc.constantFrom('cas-register', 'kv', 'register', '0', '-1', '500ms', '60s', 'any', 'value', '7', '0x10', '1e3', '', '"x"', 'null', '[1]'),
  fc.constantFrom('--model=cas-register', '--budget=2s', '--initial=0', '--initial=-1', '--nil-reads=any', '--max-configurations=5', '--model=', '-m=kv', '--debug=true', '--budget=a=b'),
);

test('property: a command line the fast parser accepts, oclif reads the same way', async (t) => {
  let accepted = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(token, { maxLength: 7 }), async (argv) => {
      const fast = parseCheckArgv(argv, {});
      if (!fast) return true;
      accepted++;
      const o = await oclifParse(argv);
      if ('error' in o) return false;
      const { debug, ...flags } = fast.flags;
      const theirs = o.flags;
      const same =
        JSON.stringify(fast.paths) === JSON.stringify(o.paths) &&
        debug === theirs.debug &&
        flags.model === theirs.model &&
        flags.budget === theirs.budget &&
        flags.initial === theirs.initial &&
        flags['nil-reads'] === theirs['nil-reads'] &&
        flags['max-configurations'] === theirs['max-configurations'] &&
        theirs.json === undefined &&
        theirs.workload === undefined;
      return same;
    }),
    { numRuns: 3000 },
  );
  t.true(accepted > 100, `fast path took ${accepted} command lines`);
});

test('what the fast parser leaves to oclif', (t) => {
  for (const argv of [
    [],
    ['--model', 'kv'],
    [FILES[0]!, '--json'],
    [FILES[0]!, '--help'],
    [FILES[0]!, '--workload', 'list-append'],
    [FILES[0]!, '--model', 'kv', '--model', 'kv'],
    [FILES[0]!, '--initial', '-1'],
    [FILES[0]!, '--max-configurations', '0'],
    [FILES[0]!, '--database-url', 'postgres://x'],
    ['latest'],
    ['12', '--model', 'kv'],
    [FILES[0]!, '--', FILES[1]!],
    [FILES[0]!, FILES[1]!, FILES[0]!],
  ]) {
    t.is(parseCheckArgv(argv, {}), undefined, argv.join(' '));
  }
  t.is(parseCheckArgv([FILES[0]!], { FAULTLINE_CONTENT_TYPE: 'json' }), undefined);
  t.deepEqual(parseCheckArgv([FILES[0]!, '-m', 'kv', '--initial=-1', '--debug'], {}), {
    paths: [FILES[0]!],
    flags: { model: 'kv', initial: '-1', budget: '60s', 'nil-reads': 'value', 'max-configurations': parseCheckArgv([FILES[0]!], {})!.flags['max-configurations'], debug: true },
  });
});

/** Runs the CLI; with FAULTLINE_CONTENT_TYPE unset the fast path runs, set to '' … it is left to oclif. */
async function cli(args: string[], viaOclif: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FAULTLINE_CONTENT_TYPE;
  // An empty FAULTLINE_CONTENT_TYPE does not turn --json on in oclif, but sends check to oclif.
  if (viaOclif) env.FAULTLINE_CONTENT_TYPE = '';
  try {
    const r = await run(process.execPath, [join(repoRoot, 'bin/run.js'), 'check', ...args], { cwd: repoRoot, env });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const noMs = (s: string): string => s.replace(/, [0-9.]+ ms\)/g, ')');

for (const [title, args] of [
  ['Knossos files, a violation explained', ['test/corpus/knossos/cas-register/bad/bad-analysis.edn', 'test/corpus/knossos/cas-register/good/cas-register-bug.edn', '--model', 'cas-register', '--nil-reads=any', '--initial', '0']],
  ['Porcupine etcd logs, an empty one (unknown)', ['test/corpus/porcupine/jepsen/etcd_002.log', 'test/corpus/porcupine/jepsen/etcd_095.log']],
  ['a budget hit', ['test/corpus/porcupine/jepsen/etcd_002.log', '--budget', '1ms']],
  ['a missing file', ['test/corpus/porcupine/jepsen/nope.log']],
  ['a bad model', ['test/corpus/porcupine/jepsen/etcd_002.log', '-m', 'queue']],
  ['a bad --initial', ['test/corpus/knossos/cas-register/good/cas-register-bug.edn', '--model', 'cas-register', '--initial', '{']],
  ['EDN with no model', ['test/corpus/knossos/cas-register/good/cas-register-bug.edn']],
  ['a folder', ['test/corpus']],
] as const) {
  test(`fast path and oclif path agree end to end: ${title}`, async (t) => {
    t.truthy(parseCheckArgv([...args], {}), 'the fast parser takes this command line');
    const [fast, slow] = await Promise.all([cli([...args], false), cli([...args], true)]);
    t.is(fast.code, slow.code);
    t.is(noMs(fast.stdout), noMs(slow.stdout));
    t.is(fast.stderr, slow.stderr);
    if (fast.code === 254) t.regex(fast.stderr, /^Error: [^\n]+\n$/);
  });
}

test('the fast path loads neither @oclif/core nor chalk: check runs with them uninstalled, other commands do not', async (t) => {
  // A scratch copy of the package (package.json, bin/, dist/, manifest) whose node_modules lacks
  // @oclif and chalk: so the test fails if either is loaded on the way to a verdict.
  const root = mkdtempSync(join(tmpdir(), 'faultline-fast-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const f of ['package.json', 'oclif.manifest.json', 'bin']) cpSync(join(repoRoot, f), join(root, f), { recursive: true });
  cpSync(join(repoRoot, 'dist'), join(root, 'dist'), { recursive: true, filter: (p) => !p.includes('/dist/test/') });
  mkdirSync(join(root, 'node_modules'));
  for (const name of readdirSync(join(repoRoot, 'node_modules'))) {
    if (name !== '@oclif' && name !== 'chalk') symlinkSync(join(repoRoot, 'node_modules', name), join(root, 'node_modules', name));
  }
  const file = join(repoRoot, 'test/corpus/knossos/cas-register/bad/bad-analysis.edn');
  const err = await t.throwsAsync(run(process.execPath, [join(root, 'bin/run.js'), 'check', file, '--model', 'cas-register', '--nil-reads', 'any', '--initial', '0']));
  const e = err as unknown as { code: number; stdout: string; stderr: string };
  t.is(e.code, 1, e.stderr);
  t.regex(e.stdout, /NOT linearizable \(cas-register/);
  // The control: a command line the fast path leaves to oclif fails without it.
  const slow = await t.throwsAsync(run(process.execPath, [join(root, 'bin/run.js'), 'check', file, '--json']));
  t.regex(String((slow as { stderr?: string }).stderr), /Cannot find (package|module)/);
});
