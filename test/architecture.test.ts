// The layering of ARCHITECTURE.md, machine-checked: every import of every shipped source file
// against the per-folder allow-list in test/architecture/deps.ts (a DEPS.list-style table), and
// the folder graph for cycles. A change that crosses a boundary fails here with the file, the
// import and the rule it breaks.

import test from 'ava';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ACYCLIC, DEPS, LAYERS, PENDING, SCANNED, type Deps } from './architecture/deps.js';
import {
  checkFile,
  cycles,
  folderOf,
  formatVia,
  formatViolation,
  importsOf,
  pendingKey,
  scan,
  upwardArrows,
  withoutPending,
  type Arrow,
} from './architecture/engine.js';

/** dist/test → repo root. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const result = scan(ROOT, SCANNED, DEPS, PENDING);

// ---- the real tree ----------------------------------------------------------------------------

test('sources were found and every one belongs to a folder of the table (the checks are not vacuous)', (t) => {
  t.true(result.files.length > 100, `found ${result.files.length}`);
  for (const f of ['src/core/op.ts', 'src/store/server.ts', 'src/history/db.ts', 'checkers/linearizable.ts', 'src/runtime/docker.ts']) {
    t.true(result.files.includes(f), f);
  }
  t.deepEqual(result.files.filter((f) => !folderOf(f, DEPS)), []);
  // Every folder named in the layering order and in the table exists in the tree.
  for (const folder of [...LAYERS.flat(), ...Object.keys(DEPS).filter((k) => k !== '*')]) {
    t.true(result.files.some((f) => f === folder || f.startsWith(folder + '/')), `no sources under ${folder}/`);
  }
  t.true(result.arrows.length > 10, `found ${result.arrows.length} folder arrows`);
});

test('every import is allowed by the DEPS table', (t) => {
  const pending = result.violations.filter((v) => v.pending);
  if (pending.length) t.log(`${pending.length} known violation(s) still PENDING in test/architecture/deps.ts:\n${pending.map(formatViolation).join('\n')}`);
  const fresh = result.violations.filter((v) => !v.pending).map(formatViolation);
  if (fresh.length) t.fail(`${fresh.length} import(s) break the DEPS table (test/architecture/deps.ts):\n${fresh.join('\n')}`);
  else t.pass();
});

test('PENDING lists only violations that still occur (the list only shrinks)', (t) => {
  const occurring = new Set(result.violations.map(pendingKey));
  t.deepEqual(
    PENDING.filter((p) => !occurring.has(p)),
    [],
    'these PENDING entries no longer occur (or are allowed now): delete them from test/architecture/deps.ts',
  );
});

test(`no import cycle between folders passes through ${ACYCLIC.join(', ')}`, (t) => {
  const all = cycles(result.arrows);
  if (all.length) t.log(`folder cycles (all imports):\n${all.map(describeCycle).join('\n')}`);
  const failing = cycles(withoutPending(result.arrows)).filter((c) => c.some((f) => (ACYCLIC as readonly string[]).includes(f)));
  t.deepEqual(failing.map(describeCycle), []);
});

test('upward arrows against the layering order are listed (each is also an allow-list violation)', (t) => {
  const up = upwardArrows(result.arrows, LAYERS);
  if (up.length) t.log(`upward arrows:\n${up.map(describeArrow).join('\n')}`);
  t.deepEqual(up.map(describeArrow), [], 'no upward arrow (the target of issue 10)');
  // The table never allows an upward import, so every upward arrow is reported by the allow-list test.
  const violating = new Set(result.violations.map((v) => `${v.file}:${v.line}`));
  for (const a of up) for (const v of a.via) t.true(violating.has(`${v.file}:${v.line}`), formatVia(v));
});

test('the table itself: no folder may import a higher layer, src/core nothing, src/store only src/core', (t) => {
  const rank = (f: string) => LAYERS.findIndex((l) => l.includes(f));
  for (const [folder, rule] of Object.entries(DEPS)) {
    if (folder === '*') continue;
    t.true(rank(folder) >= 0, `${folder} is in no layer of LAYERS`);
    for (const m of rule.may) t.true(rank(m) >= 0 && rank(m) <= rank(folder), `${folder} may import ${m}, which is above it`);
  }
  t.deepEqual(DEPS['src/core'], { may: [], npm: [] });
  t.deepEqual(DEPS['src/store']!.may, ['src/core']);
});

// ---- the rule engine on fake files (so the checks above can fail) -----------------------------

test('the parser sees every import form, and nothing in comments or strings', (t) => {
  const text = [
    `import a from './a.js';`,
    `import type { B } from './b.js';`,
    `import { type C, d } from './c.js';`,
    `export { e } from './e.js';`,
    `export type { F } from './f.js';`,
    `export * from './g.js';`,
    `import 'postgres';`,
    `import h = require('h');`,
    `const i = await import('./i.js');`,
    `const j = require('j');`,
    `let k: import('./k.js').K;`,
    `const l = await import(name);`,
    `// import 'commented';`,
    `const s = "import 'in-a-string'";`,
  ].join('\n');
  t.deepEqual(
    importsOf('x.ts', text).map((r) => `${r.line} ${r.kind} ${r.spec}`),
    [
      '1 import ./a.js',
      '2 import type ./b.js',
      '3 import ./c.js',
      '4 export from ./e.js',
      '5 export type from ./f.js',
      '6 export from ./g.js',
      '7 side-effect import postgres',
      '8 import = require h',
      '9 dynamic import ./i.js',
      '10 require j',
      '11 type import() ./k.js',
      '12 dynamic import <computed>',
    ],
  );
});

test('negative: a side-effect `import \'postgres\'` in a checker is a violation naming file, import and rule', (t) => {
  const v = checkFile('checkers/fake.ts', `// a checker that sneaks a database in\nimport 'postgres';\n`, DEPS);
  t.is(v.length, 1);
  t.is(
    formatViolation(v[0]!),
    `checkers/fake.ts:2 side-effect import 'postgres' — rule: checkers/ never imports postgres (checkers are pure functions of a history: no database, no Docker)`,
  );
});

test('negative: each named rule refuses its import, in every import form', (t) => {
  const refused: [string, string][] = [
    ['src/core/x.ts', `import type { TestSpec } from '../run/spec.js';`],
    ['src/core/x.ts', `import chalk from 'chalk';`],
    ['src/store/x.ts', `export { HistoryDb } from '../history/db.js';`],
    ['src/store/x.ts', `const d = await import('../runtime/docker.js');`],
    ['src/runtime/x.ts', `import { runTest } from '../run/run.js';`],
    ['src/runtime/x.ts', `import '../../nemeses/index.js';`],
    ['src/generator/x.ts', `import type { Workload } from '../../workloads/types.js';`],
    ['src/interpreter/x.ts', `const n = require('../../nemeses/index.js');`],
    ['checkers/x.ts', `import { PGlite } from '@electric-sql/pglite';`],
    ['checkers/x.ts', `import Docker from 'dockerode';`],
    ['checkers/x.ts', `import type { HistoryDb } from '../src/history/db.js';`],
    ['checkers/txn/x.ts', `export * from '../../src/history/db-extra.js';`],
    ['src/run/x.ts', `import { bigHistory } from '../../test/checkers/generate.js';`],
    ['nemeses/x.ts', `let x: import('../test/helpers/env.js').X;`],
    ['src/core/x.ts', `const m = await import(name);`],
  ];
  for (const [file, text] of refused) {
    const v = checkFile(file, text, DEPS);
    t.is(v.length, 1, `${file}: ${text} → ${v.map(formatViolation).join('; ')}`);
    t.true(v[0]!.rule.startsWith('rule:') || v[0]!.rule.includes('computed'), v[0]?.rule);
    t.true(formatViolation(v[0]!).startsWith(`${file}:1 `));
  }
  // …and the allowed ones pass.
  const allowed: [string, string][] = [
    ['src/core/x.ts', `import { readFileSync } from 'node:fs'; import './y.js';`],
    ['src/store/raft/x.ts', `import type { Op } from '../../core/op.js'; import { kv } from '../kv.js';`],
    ['checkers/txn/x.ts', `import { validity } from '../../src/core/validity.js'; import { a } from '../set.js';`],
    ['src/history/x.ts', `import postgres from 'postgres'; import { PGlite } from '@electric-sql/pglite';`],
  ];
  for (const [file, text] of allowed) t.deepEqual(checkFile(file, text, DEPS).map(formatViolation), [], `${file}: ${text}`);
});

test('negative: a file in no folder of the table is refused', (t) => {
  const v = checkFile('src/newthing/x.ts', `export const x = 1;`, DEPS);
  t.is(v.length, 1);
  t.regex(v[0]!.rule, /no folder of the DEPS table/);
});

test('negative: cycles are found and spelt as a path; upward arrows are found', (t) => {
  const arrow = (from: string, to: string): Arrow => ({ from, to, via: [{ file: `${from}/x.ts`, line: 1, target: `${to}/y.ts`, pending: false }] });
  const arrows = [arrow('src/core', 'src/store'), arrow('src/store', 'src/runtime'), arrow('src/runtime', 'src/core'), arrow('src/run', 'src/core'), arrow('a', 'b'), arrow('b', 'a')];
  t.deepEqual(cycles(arrows), [
    ['a', 'b', 'a'],
    ['src/core', 'src/store', 'src/runtime', 'src/core'],
  ]);
  t.deepEqual(
    upwardArrows(arrows, LAYERS).map((a) => `${a.from}→${a.to}`),
    ['src/core→src/store', 'src/store→src/runtime'],
  );
  // Pending imports drop out of the graph the failing cycle check uses.
  const pendingCycle = [arrow('x', 'y'), { ...arrow('y', 'x'), via: [{ file: 'y/x.ts', line: 1, target: 'x/y.ts', pending: true }] }];
  t.is(cycles(pendingCycle).length, 1);
  t.is(cycles(withoutPending(pendingCycle)).length, 0);
});

test('a table entry can be widened or narrowed in one line (the engine reads the table it is given)', (t) => {
  const narrowed: Deps = { ...DEPS, 'src/history': { ...DEPS['src/history']!, npm: [] } };
  t.is(checkFile('src/history/x.ts', `import postgres from 'postgres';`, narrowed).length, 1);
  const widened: Deps = { ...DEPS, 'src/core': { may: ['src/store'], npm: [] } };
  t.is(checkFile('src/core/x.ts', `import { kv } from '../store/kv.js';`, widened).length, 0);
});

function describeCycle(c: string[]): string {
  const hops = c.slice(0, -1).map((from, i) => {
    const a = result.arrows.find((x) => x.from === from && x.to === c[i + 1]);
    return a ? `  ${from} → ${a.to}: ${a.via.map(formatVia).join(', ')}` : `  ${from} → ${c[i + 1]}`;
  });
  return `${c.join(' → ')}\n${hops.join('\n')}`;
}

function describeArrow(a: Arrow): string {
  return `${a.from} → ${a.to}: ${a.via.map(formatVia).join(', ')}`;
}
