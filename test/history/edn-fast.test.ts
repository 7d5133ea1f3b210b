// The specialised EDN reader (src/history/edn-fast.ts) against the general one (edn-data): on
// every EDN file of the repository, on generated histories in and out of its subset, and on
// corrupted ones, whatever it accepts must read exactly as the general reader reads it (same ops,
// same key order), and whatever the general reader refuses it must leave to the general reader.

import test from 'ava';
import fc from 'fast-check';
import { toEDNString, type EDNVal } from 'edn-data';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEdnHistory, parseEdnHistoryGeneral, printEdn } from '../../src/history/edn.js';
import { parseEdnHistoryFast as fastReader } from '../../src/history/edn-fast.js';

const parseEdnHistoryFast = (text: string) => fastReader(text, printEdn);
import type { Op } from '../../src/core/op.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function ednFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...ednFiles(p));
    else if (e.name.endsWith('.edn')) out.push(p);
  }
  return out.sort();
}

type Outcome = { ops: string } | { error: string };

function general(text: string): Outcome {
  try {
    return { ops: JSON.stringify(parseEdnHistoryGeneral(text, 'x.edn')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The fast reader's ops after the same nemesis pass parseEdnHistory applies, or undefined. */
function fast(text: string): string | undefined {
  if (parseEdnHistoryFast(text) === undefined) return undefined;
  return JSON.stringify(parseEdnHistory(text, 'x.edn'));
}

/** Fast accepted ⇒ general reads it the same, key order included; general refused ⇒ fast gave up. */
function agrees(text: string): boolean {
  const f = fast(text);
  const g = general(text);
  if (f === undefined) return true;
  return 'ops' in g && g.ops === f;
}

test('every EDN file of the repository reads the same with both readers, and the corpus takes the fast path', (t) => {
  const files = [...ednFiles(join(repo, 'test/corpus')), ...ednFiles(join(repo, 'test/fixtures'))];
  t.true(files.length > 100);
  let fastCount = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const f = fast(text);
    const g = general(text);
    if (f !== undefined) {
      fastCount++;
      t.deepEqual(g, { ops: f }, path);
    }
  }
  const corpus = ednFiles(join(repo, 'test/corpus/knossos'));
  const corpusFast = corpus.filter((p) => parseEdnHistoryFast(readFileSync(p, 'utf8')) !== undefined);
  // Knossos's cas-register files are plain Jepsen EDN: all of them must take the fast path.
  t.is(corpusFast.length, corpus.length);
  t.log(`${fastCount} of ${files.length} files read by the fast reader`);
});

// Values in and out of the fast reader's subset, as edn-data represents them.
const edn = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(0, -1, 2 ** 53 + 2, 123456789012345, 1234567890123456, 1.5, 2.0, -0.25),
    fc.string({ maxLength: 6 }),
    fc.constantFrom(':x', '~y', '~', ':', 'a"b', 'a\\b', 'line\nbreak', 'n1', '', 'é ☃'),
    fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9?!*._-]{0,5}$/).map((key) => ({ key })),
    fc.constantFrom({ key: 'a/b' }, { key: 'nemesis' }, { key: 'invoke' }, { key: '-x' }, { key: 'ok' }),
    fc.bigInt({ min: 2n ** 70n, max: 2n ** 80n }),
    fc.constantFrom({ char: 'a' }, { sym: 'foo' }, { set: [1, 2] }, { list: [1] }, { tag: 'inst', val: '2020-01-01T00:00:00.000Z' }),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), tie('leaf'), tie('vec'), tie('map')),
  vec: fc.array(tie('node'), { maxLength: 4 }),
  map: fc
    .uniqueArray(fc.tuple(fc.oneof(fc.stringMatching(/^[a-z~][a-z]{0,3}$/).map((key) => ({ key })), fc.integer(), fc.string({ maxLength: 2 })), tie('node')), {
      maxLength: 3,
      selector: ([k]) => JSON.stringify(k),
    })
    .map((map) => ({ map })),
}));

const kw = (key: string): EDNVal => ({ key });
/** One op map: the usual fields (sometimes missing or odd), extra keys, sometimes a duplicate. */
const opMap = fc
  .record({
    type: fc.oneof(fc.constantFrom(kw('invoke'), kw('ok'), kw('fail'), kw('info')), fc.constantFrom(kw('done'), 'ok' as EDNVal)),
    f: fc.oneof(fc.constantFrom(kw('read'), kw('write'), kw('cas'), kw('start')), fc.constantFrom('read', '', ':x', '~y' as EDNVal)),
    process: fc.oneof(fc.nat(20), fc.constant(kw('nemesis')), fc.constantFrom(-3, 'p1', 1.5 as EDNVal)),
    value: edn.node,
    index: fc.option(fc.oneof(fc.nat(1000), fc.constantFrom('7', 2.5 as EDNVal)), { nil: undefined }),
    time: fc.option(fc.oneof(fc.nat(10 ** 12), fc.constant(kw('soon'))), { nil: undefined }),
    node: fc.option(fc.oneof(fc.constantFrom('n1', ':n2', '~n3', kw('n4') as EDNVal), edn.node), { nil: undefined }),
    error: fc.option(fc.oneof(fc.constantFrom('timeout', ':x', '~y', kw('timeout') as EDNVal), edn.node), { nil: undefined }),
    extra: fc.array(fc.tuple(fc.stringMatching(/^[a-z][a-z-]{0,5}$/), edn.node), { maxLength: 2 }),
    dup: fc.boolean(),
    order: fc.nat(),
  })
  .map((r) => {
    const entries: [EDNVal, EDNVal][] = [
      [kw('type'), r.type],
      [kw('f'), r.f],
      [kw('process'), r.process],
      [kw('value'), r.value as EDNVal],
    ];
    if (r.index !== undefined) entries.push([kw('index'), r.index]);
    if (r.time !== undefined) entries.push([kw('time'), r.time]);
    if (r.node !== undefined) entries.push([kw('node'), r.node as EDNVal]);
    if (r.error !== undefined) entries.push([kw('error'), r.error as EDNVal]);
    for (const [k, v] of r.extra) entries.push([kw(k), v as EDNVal]);
    // Rotate so the fields come in any order; a duplicate key sometimes.
    const rotated = [...entries.slice(r.order % entries.length), ...entries.slice(0, r.order % entries.length)];
    if (r.dup) rotated.push([kw('value'), 1]);
    return toEDNString({ map: rotated });
  });

/** A history's text: one map per line, or in a vector/list, with commas, comments, CRs. */
const historyText = fc
  .record({
    ops: fc.array(opMap, { maxLength: 6 }),
    shape: fc.constantFrom('lines', 'vector', 'list'),
    sep: fc.constantFrom('\n', ' ', ',\n', '\r\n', '\n; a comment\n', '\n\n'),
  })
  .map(({ ops, shape, sep }) => {
    const body = ops.join(sep);
    return shape === 'vector' ? `[${body}]\n` : shape === 'list' ? `(${body})` : `${body}\n`;
  });

test('property: on generated histories the fast reader, when it reads, reads what the general one reads', (t) => {
  let taken = 0;
  fc.assert(
    fc.property(historyText, (text) => {
      if (parseEdnHistoryFast(text) !== undefined) taken++;
      return agrees(text);
    }),
    { numRuns: 4000 },
  );
  // The generator must exercise the fast path, not only the fallback.
  t.true(taken > 400, `fast path taken on ${taken} of 4000`);
});

test('property: a corrupted history (a char deleted, inserted or replaced) never reads differently', (t) => {
  const plain = readFileSync(join(repo, 'test/corpus/knossos/cas-register/good/cas-register-bug.edn'), 'utf8');
  fc.assert(
    fc.property(
      fc.oneof(fc.constant(plain), historyText),
      fc.nat(),
      fc.constantFrom('delete', 'insert', 'replace'),
      fc.constantFrom(...'{}[]()":;,\\ \n#-0.1e~nN'.split('')),
      (text, at, how, ch) => {
        const i = text.length === 0 ? 0 : at % text.length;
        const mutated = how === 'delete' ? text.slice(0, i) + text.slice(i + 1) : how === 'insert' ? text.slice(0, i) + ch + text.slice(i) : text.slice(0, i) + ch + text.slice(i + 1);
        return agrees(mutated);
      },
    ),
    { numRuns: 4000 },
  );
  t.pass();
});

test('hand-picked texts: accepted ones read as the general reader reads them; the rest fall back', (t) => {
  const accepted = [
    '',
    '[]',
    '{:type :invoke, :f :read, :process 0, :value nil}',
    '[{:process 4, :type :invoke, :f :write, :value 2}\n {:process 4, :type :ok, :f :write, :value 2}]',
    '{:type :info, :f :start, :process :nemesis, :value [:a "b" {:c [1 -2]}], :time 5, :index 0}\n{:type :info, :f :start, :process :nemesis, :value nil, :time 6, :index 1}',
    '{:type :invoke, :f "read", :process 0, :value nil, :node :n1, :error "boom", :extra {:k true}}',
    '; header\n{:type :invoke,:f :read,:process 0,:value ":x"} ; trailing\n',
    '{:type :fail, :f :read, :process 0, :error :timeout, :node "~n"}',
    '{:type :fail, :f :read, :process 0, :error [:temporarily-unavailable nil]}',
    '{:type :fail, :f :read, :process 0, :error nil, :node nil}',
    '{:type :fail, :f :read, :process 0, :value "a\\"b\\\\c\\td", :error "x {:r [\\"lost\\"]}"}',
  ];
  for (const text of accepted) {
    t.not(parseEdnHistoryFast(text), undefined, text);
    t.true(agrees(text), text);
  }
  const declined = [
    '{:type :invoke, :f :read, :process 0, :value 1.5}',
    '{:type :invoke, :f :read, :process 0, :value #{1}}',
    '{:type :invoke, :f :read, :process 0, :value "a\\u0041b"}',
    '#jepsen.history.Op{:type :invoke, :f :read, :process 0}',
    '{:type :invoke, :f :read, :process 0, :value 12345678901234567890}',
    '{:type :invoke, :f :read, :process 0, :value -0}',
    '{:type :invoke, :f :read, :process 0, :value 007}',
    '{:type :invoke, :f :read, :process 0, :value 1, :value 2}',
    '{:type :done, :f :read, :process 0}',
    '{:type :invoke, :f :read, :process 0}}',
    '[{:type :invoke, :f :read, :process 0}',
    '{:type :invoke, :f :a/b, :process 0}',
    '[{:type :invoke, :f :read, :process 0}] {:type :invoke, :f :read, :process 1}',
  ];
  for (const text of declined) t.is(parseEdnHistoryFast(text), undefined, text);
});

test('ops from the fast path are the same objects the general path builds (node, error, ext, absent fields)', (t) => {
  const text = '{:type :invoke, :f "w", :process 3, :value [:x "~s"], :node "n1", :error "e", :zz 1, :aa [nil]}\n';
  const ops: Op[] = parseEdnHistory(text);
  t.deepEqual(ops, parseEdnHistoryGeneral(text));
  t.deepEqual(ops[0], {
    index: 0,
    type: 'invoke',
    process: 3,
    f: 'w',
    value: [':x', '~~s'],
    timeNs: 0,
    node: 'n1',
    error: 'e',
    ext: { '~index': 'absent', '~time': 'absent', '~f': 'string', zz: 1, aa: [null] },
  });
});
