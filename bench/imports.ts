// Prints the folder import graph of the shipped code (src/, workloads/, nemeses/, checkers/,
// reports/): its upward arrows against the layering order, its cycles, and the imports the DEPS
// table (test/architecture/deps.ts) refuses. A figure for notes, not a test; the test is
// test/architecture.test.ts. Run: `npx tsc -p tsconfig.json && node dist/bench/imports.js [--all]`
// (--all also prints every folder arrow with the imports that make it).

import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEPS, LAYERS, PENDING, SCANNED } from '../test/architecture/deps.js';
import { cycles, formatVia, formatViolation, scan, upwardArrows } from '../test/architecture/engine.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const started = performance.now();
const s = scan(ROOT, SCANNED, DEPS, PENDING);
const ms = performance.now() - started;
const imports = s.arrows.reduce((n, a) => n + a.via.length, 0);

console.log(`${s.files.length} files, ${s.arrows.length} folder arrows (${imports} cross-folder imports), scanned in ${ms.toFixed(0)} ms`);
console.log(`layering (lowest first): ${LAYERS.map((l) => l.join(' / ')).join('  <  ')}`);

if (process.argv.includes('--all')) {
  console.log('\nfolder arrows:');
  for (const a of s.arrows) console.log(`  ${a.from} → ${a.to} (${a.via.length})`);
}

const up = upwardArrows(s.arrows, LAYERS);
console.log(`\nupward arrows: ${up.length}`);
for (const a of up) {
  console.log(`  ${a.from} → ${a.to}`);
  for (const v of a.via) console.log(`      ${formatVia(v)}`);
}

const cs = cycles(s.arrows);
console.log(`\nfolder cycles: ${cs.length}`);
for (const c of cs) {
  console.log(`  ${c.join(' → ')}`);
  for (let i = 0; i + 1 < c.length; i++) {
    const a = s.arrows.find((x) => x.from === c[i] && x.to === c[i + 1])!;
    console.log(`      ${a.from} → ${a.to}: ${a.via.map(formatVia).join(', ')}`);
  }
}

const pending = s.violations.filter((v) => v.pending).length;
console.log(`\nDEPS violations: ${s.violations.length} (${pending} of them PENDING)`);
for (const v of s.violations) console.log(`  ${formatViolation(v)}${v.pending ? ' [pending]' : ''}`);
