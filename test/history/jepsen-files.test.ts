// Realistic hand-made Jepsen histories (test/fixtures/jepsen/): they import, and they round-trip
// (import → export EDN gives back the same EDN data, in Jepsen's own conventions).

import test from 'ava';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseEDNString } from 'edn-data';
import { opToEdn, parseEdnHistory } from '../../src/history/edn.js';
import { historyKind, loadHistoryFile } from '../../src/history/formats.js';
import { validateHistory } from '../../src/history/validate.js';
import { cli, ROOT } from '../helpers/env.js';

const DIR = join(ROOT, 'test/fixtures/jepsen');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.edn'));

/** Sorts map entries, turns dates into ISO strings, so two EDN data compare by meaning. */
function canon(v: unknown): unknown {
  if (v instanceof Date) return { inst: v.toISOString() };
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null && 'map' in v) {
    const entries = (v as { map: [unknown, unknown][] }).map.map(([k, x]) => [canon(k), canon(x)] as const);
    return { map: entries.sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))) };
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return typeof v === 'bigint' ? `${v}N` : v;
}

/** The op forms of a file: one per line, or the items of one vector. */
function forms(text: string): unknown[] {
  const t = text.trim();
  if (t.startsWith('[')) return (parseEDNString(t) as unknown[]).map(canon);
  return t.split('\n').map((l) => canon(parseEDNString(l)));
}

test('the hand-made Jepsen files are all there', (t) => {
  t.deepEqual(FILES.sort(), ['list-append.edn', 'records.edn', 'register-partitions.edn', 'set-vector.edn']);
});

for (const file of FILES) {
  test(`${file} imports as a well-formed history and round-trips to the same EDN data`, async (t) => {
    const path = join(DIR, file);
    const { format, ops } = await loadHistoryFile(path);
    t.is(format, 'edn');
    t.is(validateHistory(ops), undefined);
    const text = readFileSync(path, 'utf8');
    const original = forms(text);
    t.is(ops.length, original.length);
    const exported = ops.map(opToEdn).join('\n');
    t.deepEqual(forms(exported), original, 'exported EDN equals the input, key order aside');
    t.deepEqual(parseEdnHistory(exported), ops, 'and imports again to the same ops');
  });
}

test('a Jepsen nemesis :info invocation + :info completion is an invoke/info pair, and exports as :info twice', async (t) => {
  const { ops } = await loadHistoryFile(join(DIR, 'register-partitions.edn'));
  const nem = ops.filter((o) => o.process === 'nemesis');
  t.deepEqual(nem.map((o) => `${o.type} ${o.f}`), [
    'invoke start-partition', 'info start-partition', 'invoke stop-partition', 'info stop-partition',
    'invoke kill', 'info kill', 'invoke start', 'info start',
  ]);
  for (const op of nem) t.regex(opToEdn(op), /:type :info/);
  // Our own nemesis ops (never imported) are written the Jepsen way too.
  t.regex(opToEdn({ index: 0, type: 'invoke', process: 'nemesis', f: 'kill', value: null, timeNs: 0 }), /:type :info/);
  t.regex(opToEdn({ index: 0, type: 'invoke', process: 0, f: 'read', value: null, timeNs: 0 }), /:type :invoke/);
});

test('#jepsen.history.Op records import as ops and export with their tag', async (t) => {
  const { ops } = await loadHistoryFile(join(DIR, 'records.edn'));
  t.is(ops[0]!.f, 'write');
  t.is(ops[0]!.value, 1);
  t.is(ops[9]!.error, '[:unavailable "no quorum"]');
  t.true(opToEdn(ops[0]!).startsWith('#jepsen.history.Op{'));
});

test('retired processes reappear under a new id; extra keys, vectors, sets and tagged literals survive', async (t) => {
  const { ops } = await loadHistoryFile(join(DIR, 'register-partitions.edn'));
  t.is(ops[11]!.type, 'info');
  t.is(ops[11]!.error, ':timeout');
  t.is(ops[12]!.process, 8);
  t.is(ops[21]!.node, 'n3');
  t.deepEqual((ops[25]!.ext as { debug: { at: unknown } }).debug.at, { '~inst': '2024-03-02T10:15:30.120Z' });
  const set = await loadHistoryFile(join(DIR, 'set-vector.edn'));
  t.deepEqual(set.ops.at(-1)!.value, { '~set': [0, 1, 2] });
});

test('historyKind tells an Elle :txn history from a register one', async (t) => {
  t.is(historyKind((await loadHistoryFile(join(DIR, 'list-append.edn'))).ops), 'txn');
  t.is(historyKind((await loadHistoryFile(join(DIR, 'register-partitions.edn'))).ops), 'register');
});

test('faultline history import accepts a real-shaped Jepsen file with nemesis :info ops (exit 0)', async (t) => {
  const r = await cli(['history', 'import', join(DIR, 'register-partitions.edn'), '--json']);
  t.is(r.exitCode, 0, String(r.stderr));
  const { runId } = JSON.parse(String(r.stdout)) as { runId: number };
  const edn = await cli(['history', 'export', String(runId), '--format', 'edn']);
  t.is(edn.exitCode, 0, String(edn.stderr));
  t.deepEqual(forms(String(edn.stdout)), forms(readFileSync(join(DIR, 'register-partitions.edn'), 'utf8')));
});
