// The module boundaries of DESIGN.md, machine-checked: a change that crosses one fails here.

import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers/env.js';

function sources(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(join(ROOT, dir));
  } catch {
    return out;
  }
  for (const name of entries) {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

const FOLDERS = ['src', 'workloads', 'nemeses', 'checkers', 'reports'];
const files = FOLDERS.flatMap(sources);

/** Import specifiers of a TypeScript file, with relative ones resolved to repo paths. */
function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]!);
  return specs.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), s)).replace(/\.js$/, '.ts') : s));
}

const rules: { name: string; forbidden: (spec: string) => boolean; allowedIn: (file: string) => boolean }[] = [
  { name: 'only src/runtime imports dockerode', forbidden: (s) => s === 'dockerode', allowedIn: (f) => f.startsWith('src/runtime/') },
  { name: 'only src/history imports postgres and PGlite', forbidden: (s) => s === 'postgres' || s.startsWith('@electric-sql/'), allowedIn: (f) => f.startsWith('src/history/') },
];

test('sources were found (the check below is not vacuous)', (t) => {
  t.true(files.length > 20, `found ${files.length}`);
  t.true(files.includes('src/history/db.ts'));
});

for (const rule of rules) {
  test(rule.name, (t) => {
    const offenders = files.filter((f) => !rule.allowedIn(f) && imports(f).some(rule.forbidden));
    t.deepEqual(offenders, []);
  });
}

test('checkers/ and reports/ import only history types, each other and Node built-ins', (t) => {
  const allowed = (spec: string) =>
    spec.startsWith('node:') ||
    spec.startsWith('checkers/') ||
    spec.startsWith('reports/') ||
    spec.startsWith('src/core/') ||
    spec === 'src/history/validate.ts';
  const offenders = files
    .filter((f) => f.startsWith('checkers/') || f.startsWith('reports/'))
    .flatMap((f) => imports(f).filter((s) => !allowed(s)).map((s) => `${f} → ${s}`));
  t.deepEqual(offenders, []);
});
