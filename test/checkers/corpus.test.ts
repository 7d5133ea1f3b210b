// Porcupine's whole test corpus, table-driven: every etcd log and kv file gets the verdict its
// README gives (the linearizable etcd logs are listed there; every other is not; 095 is empty).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { parsePorcupine } from '../../src/history/porcupine.js';
import { corpusDir } from './support.js';

const LINEARIZABLE_ETCD = new Set([2, 5, 7, 18, 25, 31, 38, 45, 48, 49, 51, 53, 56, 67, 75, 76, 80, 87, 92, 98, 100, 101, 102]);

interface Row {
  file: string;
  expected: boolean;
}

function table(): Row[] {
  const rows: Row[] = [];
  for (const f of readdirSync(join(corpusDir, 'porcupine/jepsen')).sort()) {
    const n = Number(/etcd_(\d+)\.log/.exec(f)?.[1]);
    if (n === 95) continue; // empty: its cluster never started, no expected verdict
    rows.push({ file: `jepsen/${f}`, expected: LINEARIZABLE_ETCD.has(n) });
  }
  for (const f of readdirSync(join(corpusDir, 'porcupine/kv')).sort()) {
    rows.push({ file: `kv/${f}`, expected: f.endsWith('-ok.txt') });
  }
  return rows;
}

test('every file of the Porcupine corpus gets its expected verdict', async (t) => {
  const rows = table();
  t.is(rows.length, 102 + 6, 'the corpus is complete: 102 etcd logs with verdicts and 6 kv files');
  t.is(rows.filter((r) => r.expected).length, 23 + 3);
  const wrong: string[] = [];
  for (const { file, expected } of rows) {
    const h = parsePorcupine(readFileSync(join(corpusDir, 'porcupine', file), 'utf8'), file);
    const r = await checkLinearizable(h.ops, { name: h.model, initial: h.initial }, { failMeansFalse: h.failMeansFalse, budgetMs: 60_000 });
    if (r.valid !== expected) wrong.push(`${file}: got ${String(r.valid)}, expected ${expected}`);
    // A violation always comes with its explanation.
    if (r.valid === false && !r.failure?.explanation?.minimalOps.length) wrong.push(`${file}: no minimal sub-history`);
  }
  t.deepEqual(wrong, []);
});
