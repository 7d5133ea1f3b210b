// Hand-written Elle-format EDN histories (test/fixtures/txn/): each anomaly's file gets exactly
// that anomaly, explained in words and as a graph; the valid one gets none. Read through the
// project's EDN importer, as `faultline check` reads them.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'ava';
import { checkListAppend } from '../../checkers/txn/list-append.js';
import type { AnomalyKind, ConsistencyModel } from '../../checkers/txn/models.js';
import { parseEdnHistory } from '../../src/history/edn.js';
import type { Op } from '../../src/core/op.js';
import { repoRoot } from './support.js';

const dir = join(repoRoot, 'test/fixtures/txn');
const load = (name: string) => parseEdnHistory(readFileSync(join(dir, `${name}.edn`), 'utf8'), `${name}.edn`);

const cases: [file: string, kinds: AnomalyKind[], model: ConsistencyModel][] = [
  ['g0', ['G0'], 'serializable'],
  ['g1a', ['G1a'], 'serializable'],
  ['g1b', ['G1b'], 'serializable'],
  ['g1c', ['G1c'], 'serializable'],
  ['g-single', ['G-single'], 'serializable'],
  ['g2-item', ['G2-item'], 'serializable'],
  ['g-single-realtime', ['G-single-realtime'], 'strict-serializable'],
  ['internal', ['internal'], 'serializable'],
  ['garbage-read', ['garbage-read'], 'serializable'],
  ['duplicate-appends', ['duplicate-appends'], 'serializable'],
  ['incompatible-order', ['incompatible-order'], 'serializable'],
];

for (const [file, kinds, model] of cases) {
  test(`${file}.edn has exactly ${kinds.join(', ')}`, (t) => {
    const r = checkListAppend(load(file), { consistencyModel: model });
    t.deepEqual(r.anomalyTypes, kinds);
    t.is(r.valid, false);
    t.deepEqual(r.forbidden, kinds);
    const a = r.anomalies.find((x) => x.kind === kinds[0])!;
    t.truthy(a, 'an example is reported');
    t.true(a.forbidden);
    t.true(a.txns.length >= 1);
    if (kinds[0]!.startsWith('G') && !['G1a', 'G1b'].includes(kinds[0]!)) {
      t.truthy(a.graph, 'a cycle has a graph');
      t.true(a.graph!.edges.length >= 2);
      // The edges close a cycle: each edge starts where the previous one ended.
      const e = a.graph!.edges;
      e.forEach((x, i) => t.is(x.to, e[(i + 1) % e.length]!.from));
      for (const x of e) t.regex(x.text, /^T\d+ < T\d+ because /);
    }
  });
}

test('valid.edn: strict serializable, with a failed and an indeterminate transaction', (t) => {
  const r = checkListAppend(load('valid'), { consistencyModel: 'strict-serializable' });
  t.deepEqual(r.anomalyTypes, []);
  t.is(r.valid, true);
  t.like(r.stats, { txns: 6, ok: 4, fail: 1, info: 1 });
});

test('the words of a G-single: who read what, who appended what', (t) => {
  const r = checkListAppend(load('g-single'), { consistencyModel: 'serializable' });
  const a = r.anomalies[0]!;
  t.is(a.graph!.nodes.length, 2);
  const texts = a.graph!.edges.map((e) => `${e.kind}: ${e.text}`).sort();
  t.deepEqual(texts, [
    'rw: T0 < T1 because T0 read key :x empty, and T1 appended 1 next',
    "wr: T1 < T0 because T0 read T1's append of 1 to key :y",
  ]);
  t.regex(a.text, /^G-single: a cycle of 2 transactions/);
});

test('the consistency model decides: write skew (G2-item) is allowed by snapshot isolation, a G-single is not', (t) => {
  const skew = load('g2-item');
  t.is(checkListAppend(skew, { consistencyModel: 'snapshot-isolation' }).valid, true);
  const si = checkListAppend(skew, { consistencyModel: 'snapshot-isolation' });
  t.deepEqual(si.anomalyTypes, ['G2-item']); // found and reported, but allowed
  t.deepEqual(si.forbidden, []);
  t.false(si.anomalies[0]!.forbidden);
  t.is(checkListAppend(skew, { consistencyModel: 'serializable' }).valid, false);
  t.is(checkListAppend(skew, { consistencyModel: 'repeatable-read' }).valid, false);
  t.is(checkListAppend(load('g-single'), { consistencyModel: 'snapshot-isolation' }).valid, false);
  t.is(checkListAppend(load('g-single'), { consistencyModel: 'read-committed' }).valid, true);
  // Real-time only matters to strict models.
  t.is(checkListAppend(load('g-single-realtime'), { consistencyModel: 'serializable' }).valid, true);
  t.is(checkListAppend(load('g-single-realtime'), { consistencyModel: 'strict-serializable' }).valid, false);
  // Aborted reads: forbidden by read committed, not by read uncommitted.
  t.is(checkListAppend(load('g1a'), { consistencyModel: 'read-committed' }).valid, false);
  const ru = checkListAppend(load('g1a'), { consistencyModel: 'read-uncommitted' });
  t.is(ru.valid, true);
  t.deepEqual(ru.anomalyTypes, ['G1a']);
  t.false(ru.anomalies[0]!.forbidden);
});

test('nothing committed is unknown, never valid', (t) => {
  const r = checkListAppend(load('g1a').slice(0, 2), { consistencyModel: 'serializable' });
  t.is(r.valid, 'unknown');
  t.regex(r.unknownReasons.join(), /no committed transaction/);
});

test('a value appended twice breaks the list-append premise: unknown, naming it', (t) => {
  const h = load('valid');
  const dup = structuredClone(h);
  (dup[8]!.value as unknown[][])[0]![2] = 1; // op 8 now appends 1 to :x again
  (dup[9]!.value as unknown[][])[0]![2] = 1;
  const r = checkListAppend(dup, { consistencyModel: 'serializable' });
  t.is(r.valid, 'unknown');
  t.regex(r.unknownReasons.join(), /appended twice: 1 to key :x/);
});

test('malformed micro-ops are a one-line input error naming the op', (t) => {
  const bad = load('internal');
  bad[1]!.value = [[':append', ':x', 1], [':r', ':x', 5]];
  t.throws(() => checkListAppend(bad), { name: 'UserError', message: /op 1: micro-op 1 reads 5 from key ":x"/ });
  const w = load('internal');
  w[0]!.value = [[':w', ':x', 1]];
  t.throws(() => checkListAppend(w), { message: /register write/ });
});

/** n concurrent transactions T_i: read x_i empty, append i to x_{i+1 mod n}; then one final read of every key. */
function rwRing(n: number, plantGSingle: boolean) {
  const ops: Op[] = [];
  const push = (type: Op['type'], process: number, value: unknown) => ops.push({ index: ops.length, type, process, f: 'txn', value, timeNs: ops.length });
  const body = (i: number, reads: boolean): unknown[] => {
    const v: unknown[] = [[':r', i, reads ? [] : null], [':append', (i + 1) % n, i]];
    // planted: T_3 appends to :y and T_4 reads it — with T_4 rw→ T_3 from the ring, one rw edge: a G-single
    if (plantGSingle && i === 3) v.push([':append', ':y', 1]);
    if (plantGSingle && i === 4) v.push([':r', ':y', reads ? [1] : null]);
    return v;
  };
  for (let i = 0; i < n; i++) push('invoke', i, body(i, false));
  for (let i = 0; i < n; i++) push('ok', i, body(i, true));
  const all = Array.from({ length: n }, (_, k) => k);
  push('invoke', n, all.map((k) => [':r', k, null]));
  push('ok', n, all.map((k) => [':r', k, [(k + n - 1) % n]]));
  return ops;
}

test('a 2,000-transaction rw ring: one big G2-item, allowed by snapshot isolation; a planted G-single is found in it', (t) => {
  const ring = rwRing(2000, false);
  const si = checkListAppend(ring, { consistencyModel: 'snapshot-isolation' });
  t.is(si.valid, true);
  t.deepEqual(si.anomalyTypes, ['G2-item']);
  t.is(checkListAppend(ring, { consistencyModel: 'serializable' }).valid, false);
  const planted = checkListAppend(rwRing(2000, true), { consistencyModel: 'snapshot-isolation' });
  t.is(planted.valid, false);
  t.true(planted.forbidden.includes('G-single'));
  const g = planted.anomalies.find((a) => a.kind === 'G-single')!;
  t.deepEqual(g.graph!.nodes.map((x) => x.name).sort(), ['T3', 'T4']);
  t.true(planted.stats.ms < 20_000, `${planted.stats.ms} ms`);
});

test('a stopped check is unknown where the verdict needed the search, and still invalid where a cycle alone decides', (t) => {
  const ac = new AbortController();
  ac.abort();
  const si = checkListAppend(load('g2-item'), { consistencyModel: 'snapshot-isolation', signal: ac.signal });
  t.is(si.valid, 'unknown');
  t.regex(si.unknownReasons.join(), /stopped while searching cycles \(1 of 1 /);
  const ser = checkListAppend(load('g2-item'), { consistencyModel: 'serializable', signal: ac.signal });
  t.is(ser.valid, false); // under serializable any dependency cycle is a violation, classified or not
  t.regex(ser.notes.join(), /not classified/);
});
