// Knossos's cas-register corpus (test/corpus/knossos, EPL — see its README), checked as Knossos's
// own test-examples checks it: model (cas-register 0), a nil read meaning "nothing known"
// (--nil-reads any --initial 0); every file under good/ linearizable, every file under bad/ not.
// One deliberate difference: good/mongodb-v0-ack-rollback-.edn holds only nemesis events, which
// Knossos calls valid and we call unknown (a history that checked no op proves nothing).
// Every counterexample is then verified non-linearizable by the brute-force oracle and must keep
// every write its reads could have observed.

import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { historyKind, loadHistoryFile } from '../../src/history/formats.js';
import { bruteLinearizable } from './oracle-brute.js';
import { missingObservableWrites } from './honesty.js';
import { corpusDir, repoRoot, subHistory } from './support.js';

const dir = join(corpusDir, 'knossos/cas-register');
const NEMESIS_ONLY = 'good/mongodb-v0-ack-rollback-.edn';
const spec = { name: 'cas-register', initial: 0, nilReads: 'any' } as const;

const files = (sub: 'good' | 'bad'): string[] =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith('.edn'))
    .sort()
    .map((f) => `${sub}/${f}`);

test('every file of Knossos’s cas-register corpus gets Knossos’s verdict (nil reads any value, initial 0)', async (t) => {
  const good = files('good');
  const bad = files('bad');
  t.is(good.length, 113, 'the corpus is complete: 113 good');
  t.is(bad.length, 7, 'and 7 bad histories');
  const wrong: string[] = [];
  for (const file of [...good, ...bad]) {
    const { ops } = await loadHistoryFile(join(dir, file));
    if (file === NEMESIS_ONLY) {
      // The checker is never asked: the command reports an empty history as unknown.
      t.is(historyKind(ops), 'empty', `${file} holds no client op`);
      continue;
    }
    const r = await checkLinearizable(ops, spec, { budgetMs: 60_000 });
    const expected = file.startsWith('good/');
    if (r.valid !== expected) wrong.push(`${file}: got ${String(r.valid)}, expected ${expected}`);
  }
  t.deepEqual(wrong, []);
});

test('counterexamples on Knossos’s corpus are non-linearizable (brute force) and keep every observable write', async (t) => {
  const problems: string[] = [];
  const o = { initial: 0, nilReadsAnything: true };
  for (const file of files('bad')) {
    const { ops } = await loadHistoryFile(join(dir, file));
    const r = await checkLinearizable(ops, spec, { budgetMs: 60_000 });
    const e = r.failure?.explanation;
    if (r.valid !== false || !e) {
      problems.push(`${file}: ${String(r.valid)}, no explanation`);
      continue;
    }
    const kept = new Set(e.minimalOps.map((x) => x.index));
    if (kept.size > 24) problems.push(`${file}: ${kept.size} ops is too many to read (and to brute-force)`);
    else if (bruteLinearizable(subHistory(ops, kept), 'cas-register', o)) problems.push(`${file}: the counterexample is linearizable`);
    const missing = missingObservableWrites(ops, 'cas-register', kept, o);
    if (missing.length > 0) problems.push(`${file}: ${missing.slice(0, 3).join('; ')}`);
  }
  t.deepEqual(problems, []);
});

test('faultline check reports the nemesis-only Knossos file unknown (exit 2), never valid', async (t) => {
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin/run.js'), 'check', join(dir, NEMESIS_ONLY), '--model', 'cas-register', '--nil-reads', 'any', '--initial', '0'], { encoding: 'utf8' });
  t.is(r.status, 2, r.stderr);
  t.regex(r.stdout, /unknown \(cas-register, 0 ops/);
});
