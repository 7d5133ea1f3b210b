// The pure half of the report: fault windows paired from nemesis ops, the page model's columns
// and counts, and the HTML shell (escaping, CSP hashes, nothing external).

import test from 'ava';
import { createHash } from 'node:crypto';
import { faultWindows } from '../../reports/faults.js';
import { escapeHtml, jsonForScript, renderReport } from '../../reports/html.js';
import { buildPageModel } from '../../reports/model.js';
import type { Op } from '../../src/core/op.js';
import { rerunCommand } from '../../src/run/spec.js';
import { FIXTURE_SPEC, fixtureReport, recordedRun, SCRIPT_PROBE } from './fixture.js';

/** A nemesis invoke + info completion pair at t (ms) lasting 1 ms. */
function nem(f: string, atMs: number, value: unknown = null): Omit<Op, 'index'>[] {
  return [
    { type: 'invoke', process: 'nemesis', f, value, timeNs: atMs * 1e6 },
    { type: 'info', process: 'nemesis', f, value, timeNs: (atMs + 1) * 1e6 },
  ];
}
const indexed = (ops: Omit<Op, 'index'>[]): Op[] => ops.map((o, index) => ({ ...o, index }));

test('fault windows pair start/stop, kill/restart, pause/resume and clock ops; heal closes all; the end closes the rest', (t) => {
  const history = indexed([
    ...nem('start-partition', 100, { components: [['n1'], ['n2', 'n3']] }),
    ...nem('kill', 200, { nodes: ['n2'] }),
    ...nem('restart', 300),
    ...nem('bump-clock', 350, { offsetsMs: { n1: 250, n3: -40 } }),
    ...nem('pause', 400, { nodes: ['n3'] }),
    ...nem('heal', 500),
    ...nem('start-loss', 600, { nodes: ['n1'], lossPct: 30 }),
    { type: 'invoke', process: 0, f: 'read', value: null, timeNs: 700e6 },
    { type: 'ok', process: 0, f: 'read', value: 1, timeNs: 710e6 },
  ]);
  t.deepEqual(
    faultWindows(history).map((w) => [w.label, w.startMs, w.endMs, w.open]),
    [
      ['partition n1 | n2 n3', 100, 501, false],
      ['kill n2', 200, 301, false],
      ['clock n1 +250ms n3 -40ms', 350, 501, false],
      ['pause n3', 400, 501, false],
      ['loss n1 30%', 600, 710, true],
    ],
  );
});

test('a second start of the same fault closes the first window', (t) => {
  const history = indexed([...nem('kill', 10, { nodes: ['n1'] }), ...nem('kill', 20, { nodes: ['n1', 'n2'] }), ...nem('restart', 30)]);
  t.deepEqual(faultWindows(history).map((w) => [w.label, w.startMs, w.endMs]), [['kill n1', 10, 20], ['kill n1 n2', 20, 31]]);
});

test('the page model of the recorded run: calls as columns, counts, lanes, availability', (t) => {
  const m = buildPageModel(fixtureReport());
  t.deepEqual(m.counts, { ok: 489, fail: 213, info: 3, pending: 0, nemesis: 10 });
  t.is(m.calls.index.length, 705);
  t.deepEqual(m.lanes, ['nemesis', 'p0 +2', 'p1 +1', 'p2'], 'three threads: 3 info ops retired p0 twice and p1 once');
  const i = m.calls.index.indexOf(5);
  t.deepEqual([m.calls.process[i], m.fs[m.calls.f[i]!], m.calls.value[i], m.calls.type[i], m.calls.startMs[i]], [0, 'read', 'nil', 0, 15.952]);
  const w = m.windows.find((x) => x.label === 'kill n2')!;
  t.deepEqual([w.ops, w.ok], [8, 4]);
});

test('embedded JSON cannot break out of its script element', (t) => {
  const text = jsonForScript({ v: `</script>${SCRIPT_PROBE}<!--`, s: '\u2028' });
  t.false(/[<>]/.test(text));
  t.deepEqual(JSON.parse(text), { v: `</script>${SCRIPT_PROBE}<!--`, s: '\u2028' });
  t.is(escapeHtml(`"'<&>`), '&quot;&#39;&lt;&amp;&gt;');
});

test('the report file: one payload, scripts allowed by hash only, no external reference, probes only inside the JSON', (t) => {
  const html = renderReport(fixtureReport({ probes: true }));
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
  t.true(csp.includes("default-src 'none'"));
  const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
  t.is(scripts.length, 8);
  for (const s of scripts) t.true(csp.includes(`'sha256-${createHash('sha256').update(s).digest('base64')}'`));
  t.false(html.includes(SCRIPT_PROBE), 'the probe never appears raw');
  t.notRegex(html, /\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
  t.regex(html, /^<!doctype html>/);
});

test('the fixture spec is the recorded run\'s own (its rerun command carries every flag the recorded one had)', (t) => {
  const { outcome } = recordedRun();
  // The fixture was recorded before the rerun line carried every flag (issue 10): each flag and
  // value of the recorded line is in today's line, which adds the ones it used to drop.
  const now = rerunCommand(FIXTURE_SPEC);
  const pairs = (line: string) => [...line.matchAll(/(--[\w-]+) (\S+)/g)].map((m) => [m[1]!, m[2]!] as [string, string]);
  const today = new Map(pairs(now));
  for (const [flag, value] of pairs(outcome.rerun)) {
    if (flag === '--time-limit' || flag === '--nemesis-interval') continue; // written in other units now
    t.is(today.get(flag), value, flag);
  }
  t.regex(now, /--op-timeout \S+ --recovery \S+ --check-budget \S+/);
  const data = fixtureReport();
  t.is(data.run.rerun, outcome.rerun);
  t.deepEqual([data.run.valid, data.run.status, data.run.runtime], [false, 'finished', 'local']);
});
