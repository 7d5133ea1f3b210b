// The printed rerun line reproduces the spec exactly: every flag, parsed back by the command's
// own flag parser, gives the same TestSpec (it used to drop --op-timeout, --recovery and others).

import test from 'ava';
import { Parser } from '@oclif/core';
import Test, { specOf } from '../../src/commands/test.js';
import { rerunArgs, rerunCommand } from '../../src/run/spec.js';

async function specFrom(argv: string[]) {
  const { flags } = await Parser.parse(argv, { flags: Test.flags, strict: true });
  return specOf(flags as Record<string, unknown>);
}

const cases: string[][] = [
  ['--seed', '42'],
  ['--seed', '7', '--op-timeout', '2500ms', '--recovery', '20s', '--check-budget', '2m', '--rate', '250', '--concurrency', '3n', '--nodes', '3'],
  ['--seed', '9', '--workload', 'set', '--nemesis', 'kill,clock', '--bug', 'no-fsync', '--time-limit', '1.5s', '--nemesis-interval', '750ms', '--leave-running'],
  ['--seed', '1', '--name', "it's a run; rm -rf /", '--nemesis', 'none', '--runtime', 'local'],
];

for (const argv of cases) {
  test(`rerun of ${argv.join(' ')} gives the same spec`, async (t) => {
    const spec = await specFrom(argv);
    const again = await specFrom(rerunArgs(spec));
    t.deepEqual(again, spec);
    // The printed line is the same words, shell-quoted.
    t.true(rerunCommand(spec).startsWith('faultline test --db '));
    if (spec.opTimeoutMs !== 1000) t.regex(rerunCommand(spec), /--op-timeout /);
  });
}

test('a name with shell metacharacters is quoted in the rerun line', async (t) => {
  const spec = await specFrom(['--seed', '1', '--name', "it's a run; rm -rf /"]);
  t.regex(rerunCommand(spec), /--name 'it'\\''s a run; rm -rf \/'$/);
});
