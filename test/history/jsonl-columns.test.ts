// The fast columnar JSONL reader against the general one (JSON.parse per line + validateHistory):
// on generated files mixing the compact shape with odd lines (escapes, unicode, extra fields,
// nested values, exponents, fractions, long integers, whitespace, CRLF, blank lines, bad JSON,
// wrong types) and with well-formedness problems, both must give the same history or the same
// error message; and the kv checker must give the same verdict on columns as on op records.

import test from 'ava';
import { OpColumns } from '../../src/core/op-columns.js';
import type { Op } from '../../src/core/op.js';
import { parseHistory } from '../../src/history/formats.js';
import { parseJsonlColumns } from '../../src/history/jsonl-columns.js';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { bigHistory } from '../checkers/generate.js';

/** A small seeded generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Reading = { ok: true; ops: Op[] } | { ok: false; message: string };

function general(text: string): Reading {
  try {
    return { ok: true, ops: parseHistory(text, 'jsonl', 'h.jsonl') };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

function columnar(text: string): Reading {
  try {
    return { ok: true, ops: parseJsonlColumns(Buffer.from(text, 'utf8'), 'h.jsonl').toOps() };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

const pick = <T>(random: () => number, xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;

/** A value: mostly the compact shapes, sometimes anything JSON allows. */
function valueText(random: () => number): string {
  const int = (): string => pick(random, ['0', '-0', '7', '-12', '123456789012345', '-999999999999999', '1234567890123456', '98765432109876543219', '01', '1.5', '1e3', '2E-2', '-', '1.0']);
  const str = (): string => pick(random, ['"k"', '"219"', '""', '"a b"', '"\\"q\\""', '"\\u00e9"', '"é"', '"\\n"', '"tab\\t"', '"\\ud83d\\ude00"', '"😀"', '"x\\/y"', '"~"', '"\u007f"']);
  const intOrNull = (): string => (random() < 0.2 ? 'null' : int());
  switch (Math.floor(random() * 12)) {
    case 0:
      return 'null';
    case 1:
      return int();
    case 2:
      return str();
    case 3:
      return `[${str()},null]`;
    case 4:
      return `[${str()},${int()}]`;
    case 5:
      return `[${str()},[${intOrNull()},${intOrNull()}]]`;
    case 6:
      return `[${intOrNull()},${intOrNull()}]`;
    case 7:
      return `[${str()},${str()}]`;
    case 8:
      return pick(random, ['true', 'false', '[]', '{}', '{"key":"k","value":1}', '[1,2,3]', '[["a",1]]', '[ "k" , 1 ]', '[[[1]]]', 'nul', '[1,', '{"a":[null,{"b":"c"}]}']);
    case 9:
      return `[${str()},[${int()},${int()},${int()}]]`;
    default:
      return `[${str()},${int()}]`;
  }
}

/** One line: mostly the exact shape opToJsonl writes, sometimes varied. */
function lineText(random: () => number, i: number, open: Map<number, string>): string {
  // Mostly a well-formed history (so validation passes and values are compared), with defects.
  const process = Math.floor(random() * 4);
  let type: string;
  let f: string;
  if (open.has(process) && random() < 0.9) {
    type = pick(random, ['ok', 'ok', 'fail', 'info']);
    f = open.get(process)!;
    open.delete(process);
    if (type === 'info') open.set(process, '(retired)');
  } else {
    type = 'invoke';
    f = pick(random, ['read', 'write', 'cas']);
    if (open.get(process) !== '(retired)') open.set(process, f);
  }
  const fields: [string, string][] = [
    ['index', String(i)],
    ['type', JSON.stringify(type)],
    ['process', random() < 0.05 ? '"nemesis"' : String(process)],
    ['f', JSON.stringify(f)],
    ['value', valueText(random)],
    ['timeNs', String(i * 1000)],
  ];
  const odd = random();
  if (odd < 0.03) fields.push(['node', '"n1"']);
  else if (odd < 0.05) fields.push(['error', '"timeout"']);
  else if (odd < 0.06) fields.push(['ext', '{"debug":[1,{"x":null}]}']);
  else if (odd < 0.07) fields.splice(4, 1); // no value
  else if (odd < 0.08) fields.reverse();
  else if (odd < 0.09) fields[0]![1] = pick(random, ['1e2', '-1', '2147483648', '1.5', '"3"', '9007199254740993']);
  else if (odd < 0.1) fields[5]![1] = pick(random, ['1e21', '-5', '1.25', '"t"', '12345678901234567890', '9223372036854775808']);
  else if (odd < 0.11) fields[2]![1] = pick(random, ['-3', '2147483648', '"nemesis "', '1.5', 'null']);
  else if (odd < 0.12) fields[1]![1] = pick(random, ['"done"', '"Ok"', 'null']);
  else if (odd < 0.13) fields[3]![1] = pick(random, ['""', '"\\u0000"', '"r\\u00e9ad"', '5']);
  else if (odd < 0.14) fields.push(['index', '99']);
  let line = `{${fields.map(([k, v]) => `"${k}":${v}`).join(',')}}`;
  const ws = random();
  if (ws < 0.02) line = ` ${line}`;
  else if (ws < 0.04) line = `${line}\r`;
  else if (ws < 0.05) line = line.replace(/,/g, ', ');
  else if (ws < 0.06) line = `${line}\t `;
  else if (ws < 0.065) line = line.slice(0, -3);
  else if (ws < 0.07) line = `${line}x`;
  return line;
}

function generatedFile(seed: number, lines: number): string {
  const random = rng(seed);
  const open = new Map<number, string>();
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(lineText(random, i, open));
    if (random() < 0.03) out.push(pick(random, ['', '   ', '\r']));
  }
  let text = out.join('\n');
  if (random() < 0.5) text += '\n';
  if (random() < 0.1) text = `\ufeff${text}`;
  return text;
}

test('the columnar reader reads generated files exactly as the general parser (history or error message)', (t) => {
  let agreedOk = 0;
  let agreedErr = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const text = generatedFile(seed, 1 + (seed % 12));
    const a = general(text);
    const b = columnar(text);
    if (a.ok !== b.ok || (!a.ok && !b.ok && a.message !== b.message)) {
      t.fail(`seed ${seed}: general ${JSON.stringify(a).slice(0, 300)} vs columnar ${JSON.stringify(b).slice(0, 300)}\n${text}`);
      return;
    }
    if (a.ok && b.ok) {
      // deepEqual tells -0 from 0; the JSON texts compare key order.
      t.deepEqual(b.ops, a.ops, `seed ${seed}`);
      t.is(JSON.stringify(b.ops), JSON.stringify(a.ops), `seed ${seed}`);
      agreedOk++;
    } else agreedErr++;
  }
  // The generator must exercise both outcomes.
  t.true(agreedOk > 300, `${agreedOk} files read`);
  t.true(agreedErr > 300, `${agreedErr} files refused`);
});

test('the fast path takes the compact lines and leaves the odd ones to the general parser', (t) => {
  const text = [
    '{"index":0,"type":"invoke","process":0,"f":"cas","value":["k",[null,5]],"timeNs":0}',
    '{"index":1,"type":"ok","process":0,"f":"cas","value":["k",[null,5]],"timeNs":10}',
    '{"index":2,"type":"invoke","process":1,"f":"write","value":["k",1e3],"timeNs":20}',
    '{"index":3,"type":"ok","process":1,"f":"write","value":["k",1000],"timeNs":30,"node":"n1"}',
  ].join('\n');
  const cols = parseJsonlColumns(Buffer.from(text), 'h.jsonl');
  t.deepEqual([...cols.extra.keys()], [2, 3]);
  t.deepEqual(cols.toOps(), general(text).ok ? (general(text) as { ops: Op[] }).ops : []);
});

const defects: [string, string[]][] = [
  ['indexes going backwards', ['{"index":5,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}', '{"index":3,"type":"ok","process":0,"f":"read","value":1,"timeNs":1}']],
  ['a completion without invoke', ['{"index":0,"type":"ok","process":0,"f":"read","value":null,"timeNs":0}']],
  ['two invokes in flight', ['{"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}', '{"index":1,"type":"invoke","process":0,"f":"write","value":2,"timeNs":1}']],
  ['a completion of another f', ['{"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}', '{"index":1,"type":"ok","process":0,"f":"write","value":2,"timeNs":1}']],
  ['an invoke after info', ['{"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}', '{"index":1,"type":"info","process":0,"f":"read","value":null,"timeNs":1}', '{"index":2,"type":"invoke","process":0,"f":"read","value":null,"timeNs":2}']],
  ['the nemesis completing without invoke', ['{"index":0,"type":"info","process":"nemesis","f":"start","value":null,"timeNs":0}']],
  ['an index past int4', ['{"index":2147483648,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}']],
  ['a negative index', ['{"index":-1,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}']],
  ['a process past int4', ['{"index":0,"type":"invoke","process":2147483648,"f":"read","value":null,"timeNs":0}']],
  ['a NUL in f', ['{"index":0,"type":"invoke","process":0,"f":"re\\u0000ad","value":null,"timeNs":0}']],
  ['a lone surrogate in a value', ['{"index":0,"type":"invoke","process":0,"f":"read","value":["\\ud800",1],"timeNs":0}']],
  ['a fractional time', ['{"index":0,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0.5}']],
  ['a bad type', ['{"index":0,"type":"done","process":0,"f":"read","value":null,"timeNs":0}']],
  ['an empty f', ['{"index":0,"type":"invoke","process":0,"f":"","value":null,"timeNs":0}']],
  ['bad JSON', ['{"index":0,"type":"invoke","process":0,"f":"read","value":nul,"timeNs":0}']],
  ['a leading zero', ['{"index":01,"type":"invoke","process":0,"f":"read","value":null,"timeNs":0}']],
];

for (const [name, lines] of defects) {
  test(`the columnar reader refuses ${name} with the general parser's message`, (t) => {
    const text = lines.join('\n');
    const a = general(text);
    const b = columnar(text);
    t.false(a.ok);
    t.deepEqual(b, a);
  });
}

test('the kv checker gives the same result on columns as on op records (valid and violated, in workers)', async (t) => {
  for (const violationAt of [undefined, 0.6]) {
    const ops = bigHistory({ ops: 60_000, concurrency: 8, crashed: 20, keys: 40, seed: 3, ...(violationAt === undefined ? {} : { violationAt }) });
    const text = ops.map((o) => JSON.stringify(o)).join('\n');
    const cols = parseJsonlColumns(Buffer.from(text), 'h.jsonl');
    t.true(cols instanceof OpColumns);
    t.is(cols.extra.size, 0);
    for (const parallel of [false, true]) {
      const a = await checkLinearizable(ops, { name: 'kv' }, { parallel, budgetMs: 60_000 });
      const b = await checkLinearizable(cols, { name: 'kv' }, { parallel, budgetMs: 60_000 });
      t.is(b.valid, violationAt === undefined ? true : false);
      t.deepEqual(b, a, `violationAt ${violationAt} parallel ${parallel}`);
    }
  }
});
