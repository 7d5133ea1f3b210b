// Control characters from outside (run names, file names) never reach a terminal raw (issue 11,
// item 11): a name holding an escape sequence cannot recolour or rewrite the user's screen.

import test from 'ava';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { printable } from '../../src/core/text.js';
import { cli, ROOT, tempDir } from '../helpers/env.js';

test('printable escapes C0, DEL, C1 and bidi overrides, and leaves other text alone', (t) => {
  t.is(printable('run\x1b[2J\x1b]0;owned\x07'), 'run\\x1b[2J\\x1b]0;owned\\x07');
  t.is(printable('a\nb\tc\rd\x7f\x9b'), 'a\\nb\\tc\\rd\\x7f\\x9b');
  t.is(printable('evil\u202egnp.exe'), 'evil\\u202egnp.exe');
  t.is(printable('plain é 😀 名前'), 'plain é 😀 名前');
});

test('history import prints a file name and run name with terminal escapes escaped', async (t) => {
  const file = join(tempDir(), 'evil\x1b[31mred\x1b[0m.edn');
  copyFileSync(join(ROOT, 'test/fixtures/register-history.edn'), file);
  const r = await cli(['history', 'import', file, '--name', 'name\x1b]0;title\x07']);
  t.is(r.exitCode, 0, String(r.stderr));
  const out = String(r.stdout);
  t.false(/[\x00-\x08\x0b-\x1f\x7f]/.test(out), JSON.stringify(out));
  t.true(out.includes('evil\\x1b[31mred\\x1b[0m.edn'), out);
  t.true(out.includes('name\\x1b]0;title\\x07'), out);
});
