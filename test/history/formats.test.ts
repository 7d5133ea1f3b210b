import test from 'ava';
import fc from 'fast-check';
import { parseEDNString, toEDNString } from 'edn-data';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ednToJson, jsonToEdn, opToEdn, parseEdnHistory } from '../../src/history/edn.js';
import { loadHistoryFile } from '../../src/history/formats.js';
import { opToJsonl, parseJsonlHistory } from '../../src/history/jsonl.js';
import type { Op } from '../../src/core/op.js';
import { tempDir } from '../helpers/env.js';

const JEPSEN = `{:type :invoke, :f :write, :value 1, :process 0, :time 10, :index 0}
{:type :invoke, :f :start, :value nil, :process :nemesis, :time 15, :index 1}
{:type :ok, :f :write, :value 1, :process 0, :time 20, :index 2}
{:type :info, :f :start, :value [:isolated {"n1" #{"n2" "n3"}}], :process :nemesis, :time 30, :index 3}
{:type :invoke, :f :txn, :value [[:append 1 2] [:r 1 nil]], :process 1, :time 40, :index 4}
{:type :ok, :f :txn, :value [[:append 1 2] [:r 1 [1 2]]], :process 1, :time 50, :index 5, :node "n2"}
{:type :invoke, :f :read, :value nil, :process 2, :time 60, :index 6}
{:type :ok, :f :read, :value {0 10, 1 20}, :process 2, :time 70, :index 7, :debug {:retries 3, :note ":not-a-keyword"}}
{:type :invoke, :f :cas, :value [1 2], :process 3, :time 80, :index 8}
{:type :info, :f :cas, :value [1 2], :process 3, :time 90, :index 9, :error [:timeout "after 5s"]}
{:type :invoke, :f :read, :value nil, :process 4, :time 100, :index 10}
{:type :fail, :f :read, :value nil, :process 4, :time 110, :index 11, :error "not leader"}
`;

/** EDN text → the same EDN data edn-data sees, for comparing two texts semantically. */
const ednData = (text: string) => text.trim().split('\n').map((line) => canon(parseEDNString(line)));

/** Sorts map entries so two maps with the same entries in another order compare equal. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (typeof v === 'object' && v !== null && 'map' in v) {
    const entries = (v as { map: [unknown, unknown][] }).map.map(([k, x]) => [canon(k), canon(x)] as const);
    return { map: entries.sort((a, b) => JSON.stringify(a[0]).localeCompare(JSON.stringify(b[0]))) };
  }
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, canon(x)]));
  return v;
}

test('EDN import then export gives back the same EDN data (nemesis ops, nil, nested values, extra keys)', (t) => {
  const ops = parseEdnHistory(JEPSEN);
  t.is(ops.length, 12);
  t.is(ops[1]!.process, 'nemesis');
  t.is(ops[0]!.value, 1);
  t.is(ops[6]!.value, null);
  t.deepEqual(ops[4]!.value, [[':append', 1, 2], [':r', 1, null]]);
  t.is(ops[5]!.node, 'n2');
  t.is(ops[11]!.error, 'not leader');
  const exported = ops.map(opToEdn).join('\n');
  t.deepEqual(ednData(exported), ednData(JEPSEN), 'exported EDN equals the input, key order aside');
});

test('EDN data survive EDN → JSONL → EDN', (t) => {
  const ops = parseEdnHistory(JEPSEN);
  const viaJsonl = parseJsonlHistory(ops.map(opToJsonl).join('\n'));
  t.deepEqual(viaJsonl, ops);
  t.deepEqual(ednData(viaJsonl.map(opToEdn).join('\n')), ednData(JEPSEN));
});

test('a vector of op maps reads like one map per line', (t) => {
  const ops = parseEdnHistory(`[${JEPSEN}]`);
  t.is(ops.length, 12);
  t.is(ops[3]!.process, 'nemesis');
});

test('JSONL round trip keeps every field', (t) => {
  const ops: Op[] = [
    { index: 0, type: 'invoke', process: 0, f: 'write', value: { k: [1, null, 'x'] }, timeNs: 5 },
    { index: 1, type: 'info', process: 0, f: 'write', value: { k: [1, null, 'x'] }, timeNs: 9, node: 'n1', error: 'timeout', ext: { a: 1 } },
    { index: 2, type: 'invoke', process: 'nemesis', f: 'kill', value: ['n1'], timeNs: 12 },
  ];
  t.deepEqual(parseJsonlHistory(ops.map(opToJsonl).join('\n') + '\n\n'), ops);
});

// Arbitrary EDN values as edn-data represents them.
const ednValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string(),
    fc.constantFrom(':x', '~y', '~', ':'),
    fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/).map((key) => ({ key })),
    fc.bigInt({ min: 2n ** 70n, max: 2n ** 80n }),
    fc.stringMatching(/^[a-z]$/).map((char) => ({ char })),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('vec'), tie('map'), tie('set'), tie('list')),
  vec: fc.array(tie('node'), { maxLength: 4 }),
  set: fc.uniqueArray(fc.integer(), { maxLength: 4 }).map((set) => ({ set })),
  list: fc.array(tie('node'), { maxLength: 3 }).map((list) => ({ list })),
  map: fc.uniqueArray(fc.tuple(fc.oneof(fc.integer(), fc.string(), fc.stringMatching(/^[a-z~][a-z]{0,4}$/).map((key) => ({ key }))), tie('node')), {
    maxLength: 4,
    selector: ([k]) => JSON.stringify(k),
  }).map((map) => ({ map })),
}));

test('property: any EDN value maps to JSON and back to the same EDN text', (t) => {
  fc.assert(
    fc.property(ednValue.node, (v) => {
      const text = toEDNString(v as never);
      const back = toEDNString(jsonToEdn(JSON.parse(JSON.stringify(ednToJson(parseEDNString(text) as never)))));
      return back === text;
    }),
    { numRuns: 2000 },
  );
  t.pass();
});

const malformed: { name: string; text: string; line: number; reason: RegExp }[] = [
  { name: 'truncated map', text: `${JEPSEN}{:type :invoke, :f :read`, line: 13, reason: /truncated/ },
  { name: 'truncated string', text: '{:type :invoke, :f :read, :process 0, :value "abc}\n', line: 1, reason: /truncated/ },
  { name: 'stray closer', text: '{:type :invoke, :f :read, :process 0}}\n', line: 1, reason: /closes nothing/ },
  { name: 'a line that is not a map', text: '{:type :invoke, :f :read, :process 0, :time 1}\n[1 2 3]\n', line: 2, reason: /expected an op map/ },
  { name: 'unknown :type', text: '{:type :done, :f :read, :process 0}\n', line: 1, reason: /:type :done is not one of/ },
  { name: 'process of a bad type', text: '{:type :invoke, :f :read, :process "p1"}\n', line: 1, reason: /:process "p1"/ },
  { name: 'time that is not an integer', text: '{:type :invoke, :f :read, :process 0, :time "soon"}\n', line: 1, reason: /:time "soon"/ },
  { name: 'completion without invoke', text: '{:type :ok, :f :read, :process 0, :time 1}\n', line: 0, reason: /no invoke in flight/ },
];

for (const m of malformed) {
  test(`malformed EDN is refused with its line: ${m.name}`, async (t) => {
    const path = join(tempDir(), 'h.edn');
    writeFileSync(path, m.text);
    const err = await t.throwsAsync(loadHistoryFile(path));
    t.regex(err!.message, m.reason);
    if (m.line > 0) t.true(err!.message.startsWith(`${path}:${m.line}:`), err!.message);
    t.is((err as { exitCode?: number }).exitCode, 254);
  });
}

test('malformed JSONL is refused with its line and field', async (t) => {
  const path = join(tempDir(), 'h.jsonl');
  writeFileSync(path, '{"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}\n{"index":1,"type":"ok","process":0,"f":"read","timeNs":"late"}\n');
  const err = await t.throwsAsync(loadHistoryFile(path));
  t.regex(err!.message, /h\.jsonl:2: "timeNs" is "late"; expected a number/);
  writeFileSync(path, '{"index":0,"type":"invoke"\n');
  t.regex((await t.throwsAsync(loadHistoryFile(path)))!.message, /h\.jsonl:1: not valid JSON/);
});
