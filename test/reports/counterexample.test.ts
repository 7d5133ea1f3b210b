// The counterexample tells the whole story: each witness op's node and the faults in effect
// during the witness window — in the CLI text, the JUnit message and the report (screenshot in
// test-artifacts/counterexample-context.png); the zoomed timeline keeps the culprit marked, and
// lanes of retired processes are explained.

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { checkLinearizable } from '../../checkers/linearizable.js';
import { contextLines, counterexampleContext, withWitnessContext } from '../../reports/context.js';
import { renderReport } from '../../reports/html.js';
import { junitXml, reasonOf } from '../../reports/junit.js';
import { buildPageModel } from '../../reports/model.js';
import type { Op } from '../../src/core/op.js';
import type { CheckResult } from '../../src/core/validity.js';
import { cli, ROOT, tempDir } from '../helpers/env.js';
import { browserTest, chromiumHere, launch, screenshotPath } from './browser.js';
import { fixtureReport } from './fixture.js';

const MS = 1e6;

/** A stale read under a partition: n1 is cut off, p1 writes 3 through n2, then p0 reads nil from n1. */
function staleReadUnderPartition(): Op[] {
  const ops: Omit<Op, 'index'>[] = [
    { type: 'invoke', process: 'nemesis', f: 'start-partition', value: null, timeNs: 1 * MS },
    { type: 'info', process: 'nemesis', f: 'start-partition', value: { components: [['n1'], ['n2', 'n3']] }, timeNs: 2 * MS },
    { type: 'invoke', process: 0, f: 'read', value: null, timeNs: 3 * MS },
    { type: 'ok', process: 0, f: 'read', value: null, timeNs: 4 * MS, node: 'n1' },
    { type: 'invoke', process: 1, f: 'write', value: 3, timeNs: 5 * MS },
    { type: 'invoke', process: 2, f: 'write', value: 4, timeNs: 5.5 * MS },
    { type: 'ok', process: 1, f: 'write', value: 3, timeNs: 8 * MS, node: 'n2' },
    { type: 'info', process: 2, f: 'write', value: 4, timeNs: 9 * MS, node: 'n1', error: 'timeout' },
    { type: 'invoke', process: 0, f: 'read', value: null, timeNs: 10 * MS },
    { type: 'ok', process: 0, f: 'read', value: null, timeNs: 12 * MS, node: 'n1' },
    { type: 'invoke', process: 5, f: 'read', value: null, timeNs: 13 * MS },
    { type: 'ok', process: 5, f: 'read', value: 3, timeNs: 14 * MS, node: 'n3' },
    { type: 'invoke', process: 'nemesis', f: 'stop-partition', value: null, timeNs: 20 * MS },
    { type: 'info', process: 'nemesis', f: 'stop-partition', value: null, timeNs: 21 * MS },
  ];
  return ops.map((o, index) => ({ ...o, index }));
}

async function checked(history: Op[]): Promise<Record<string, CheckResult>> {
  return { linearizable: await checkLinearizable(history, { name: 'cas-register' }, { budgetMs: 10_000 }) };
}

let browser: Browser | undefined;
test.before(async () => {
  if (chromiumHere) browser = await launch();
});
test.after.always(async () => {
  await browser?.close();
});

test('the context names each witness op\'s node and the partition in effect', async (t) => {
  const history = staleReadUnderPartition();
  const results = await checked(history);
  t.is(results.linearizable!.valid, false);
  const ex = (results.linearizable as any).failure.explanation;
  const ctx = counterexampleContext(history, ex.minimalOps);
  t.deepEqual(ctx.ops.map((o) => [o.index, o.node]).sort(), [[4, 'n2'], [8, 'n1']]);
  t.deepEqual(ctx.faults.map((f) => f.label), ['partition n1 | n2 n3']);
  const lines = contextLines(ctx).join('\n');
  t.regex(lines, /op 8 \(process 0, node n1\): read of nil/);
  t.regex(lines, /faults active during the witness window \(t=5\.00 ms–12\.00 ms\): partition n1 \| n2 n3 \(t=1\.00 ms–21\.00 ms\)/);
});

test('with no fault in the window it says so', (t) => {
  const data = fixtureReport();
  const ex = (data.results.linearizable as any).failure.explanation;
  const lines = contextLines(counterexampleContext(data.history, ex.minimalOps)).join('\n');
  t.regex(lines, /op 5 \(process 0, node n1\): read of nil/);
  t.regex(lines, /no fault was active during the witness window/);
});

test('the JUnit message names the nodes and the faults; reasonOf (CLI text) lists them', async (t) => {
  const history = staleReadUnderPartition();
  const results = await checked(history);
  const xml = junitXml('stale', results, { history });
  t.regex(xml, /<failure message="[^"]*\[op 4 on n2, op 8 on n1; faults active: partition n1 \| n2 n3\]"/);
  const reason = reasonOf('linearizable', withWitnessContext(results, history).linearizable!);
  t.regex(reason, /op 8 \(process 0, node n1\)/);
  t.regex(reason, /faults active during the witness window/);
});

test('analyze prints node and fault context for a counterexample', async (t) => {
  const file = join(tempDir(), 'stale.jsonl');
  writeFileSync(file, staleReadUnderPartition().map((o) => JSON.stringify(o)).join('\n') + '\n');
  const imp = await cli(['history', 'import', file, '--json']);
  t.is(imp.exitCode, 0, String(imp.stderr));
  const { runId } = JSON.parse(String(imp.stdout)) as { runId: number };
  const r = await cli(['analyze', String(runId), '--model', 'cas-register']);
  t.is(r.exitCode, 1, String(r.stderr));
  t.regex(String(r.stdout), /op 8 \(process 0, node n1\): read of nil/);
  t.regex(String(r.stdout), /faults active during the witness window .*partition n1 \| n2 n3/);
  const c = await cli(['check', join(ROOT, 'test/fixtures/report/history.jsonl'), '--model', 'cas-register']);
  t.regex(String(c.stdout), /no fault was active during the witness window/);
});

test('the page model explains lanes of retired processes', (t) => {
  const m = buildPageModel({ run: { name: 'x', status: 'finished', valid: false }, history: staleReadUnderPartition(), results: {} });
  t.deepEqual(m.lanes, ['nemesis', 'p0', 'p1', 'p2 +1']);
  t.deepEqual(m.laneProcesses, [null, [0], [1], [2, 5]]);
});

browserTest('report: the counterexample shows node and fault context; the zoomed timeline keeps the culprit marked', async (t) => {
  const history = staleReadUnderPartition();
  const results = await checked(history);
  const file = join(tempDir('faultline-report-'), 'report.html');
  writeFileSync(file, renderReport({ run: { name: 'stale-read-under-partition', status: 'finished', valid: false }, history, results }));
  const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  const table = await page.locator('#witness-ops').innerText();
  t.regex(table, /8 \(culprit\)\s+0\s+n1\s+read of nil/);
  t.regex(table, /4\s+1\s+n2\s+write 3/);
  t.regex(await page.locator('#counterexample-faults').innerText(), /Faults active during the witness window .*partition n1 \| n2 n3/);
  t.regex(await page.locator('#counterexample').innerText(), /⚡ partition n1 \| n2 n3/);
  t.regex(await page.locator('#counterexample').innerText(), /node n1/);
  const card = page.locator('.checker[data-checker="linearizable"]');
  await card.scrollIntoViewIfNeeded();
  await card.screenshot({ path: screenshotPath('counterexample-context.png') });
  t.regex(await page.locator('#lane-note').innerText(), /p2 \+1 = one worker thread/);

  await page.locator('#jump-counterexample').click();
  await page.waitForFunction(() => (globalThis as any).FL.timeline.view.t1 - (globalThis as any).FL.timeline.view.t0 < 18);
  // The culprit's ▼ marker is drawn in the fail colour just above its bar.
  const red = await page.evaluate(() => {
    const g = globalThis as any;
    const at = g.FL.timeline.locate(8);
    const canvas = g.document.getElementById('timeline-canvas');
    const dpr = g.devicePixelRatio || 1;
    const ctx = canvas.getContext('2d');
    const laneTop = at.y - 1;
    for (let dy = 3; dy < 40; dy++) {
      const [r, gr, b] = ctx.getImageData(Math.round(at.x * dpr), Math.round((laneTop - dy) * dpr), 1, 1).data;
      if (r > 150 && gr < 90 && b < 120) return true;
    }
    return false;
  });
  t.true(red, 'a red culprit marker above op 8 in the zoomed timeline');
  await page.locator('#timeline').screenshot({ path: screenshotPath('timeline-culprit.png') });
  t.deepEqual(errors, []);
  await page.close();
});
