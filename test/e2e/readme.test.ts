// The README's CI section is usable as written: a GitHub Actions workflow on Node 20 that runs
// `npm ci`, `faultline test … --junit`, uploads the run folder and gates on the exit code, with
// flags the CLI really has; and a table of what each exit code means for a pipeline.

import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT } from '../../src/core/errors.js';
import { cli, ROOT } from '../helpers/env.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const workflow = /```yaml\n([\s\S]*?)```/.exec(README)?.[1] ?? '';

test('the README has a GitHub Actions workflow: Node 20, npm ci, faultline test --junit, upload, gate', (t) => {
  t.regex(workflow, /uses: actions\/setup-node@v\d+\s+with:\s+node-version: 20/);
  t.regex(workflow, /- run: npm ci/);
  t.regex(workflow, /npx faultline test [^\n]*\\\n[^\n]*--junit faultline-junit\.xml/);
  t.regex(workflow, /uses: actions\/upload-artifact@v\d+[\s\S]*faultline\/runs\//);
  t.regex(workflow, /if: always\(\)/);
  t.regex(workflow, /case "\$\{\{ steps\.faultline\.outputs\.exit \}\}" in\s+0\)/);
  // Only 0 passes the gate.
  const arms = [...workflow.matchAll(/^\s+(\S+)\) (.*)$/gm)].map((m) => [m[1], m[2]!.includes('exit 1')]);
  t.deepEqual(arms, [['0', false], ['1', true], ['2', true], ['254', true], ['*', true]]);
  t.false(/\t/.test(workflow), 'YAML has no tabs');
});

test('every flag the workflow passes to faultline test exists', async (t) => {
  const command = /npx faultline test ([^\n]*\\\n[^\n]*)/.exec(workflow)![1]!.replace(/\\\n/g, ' ');
  const flags = [...command.matchAll(/--([a-z-]+)/g)].map((m) => m[1]!);
  t.true(flags.length >= 4);
  const help = String((await cli(['test', '--help'])).stdout);
  for (const f of flags) t.true(help.includes(`--${f}`), `faultline test has --${f}`);
});

test('the README explains every exit code for a pipeline', (t) => {
  const section = README.slice(README.indexOf('What each code means for a pipeline'));
  for (const code of Object.values(EXIT)) t.regex(section, new RegExp(`\\n\\| ${code} \\| (pass|\\*\\*fail)`), `exit ${code}`);
});
