// The report of a recorded failing run (stale reads under partitions and kills), opened in
// headless Chromium: verdict, counterexample, fault bands, charts, hover, XSS probes inert,
// no request leaving the page. Screenshots go to test-artifacts/.

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderReport } from '../../reports/html.js';
import type { Op } from '../../src/core/op.js';
import { tempDir } from '../helpers/env.js';
import { browserTest, chromiumHere, launch, screenshotPath, watch } from './browser.js';
import { fixtureReport, IMG_PROBE, SCRIPT_PROBE } from './fixture.js';

let browser: Browser | undefined;
const data = fixtureReport({ probes: true });
const file = join(tempDir('faultline-report-'), 'report.html');
writeFileSync(file, renderReport(data));
const url = `file://${file}`;

test.before(async () => {
  if (chromiumHere) browser = await launch();
});
test.after.always(async () => {
  await browser?.close();
});

async function open(): Promise<{ page: Page; seen: ReturnType<typeof watch> }> {
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watch(page, (u) => u === url);
  // Anything but the report itself is refused, so a leak would also fail loudly in the page.
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, seen };
}

const probeIndex = (() => {
  const op = data.history.find((o) => o.type === 'invoke' && typeof o.value === 'string' && o.value.includes(SCRIPT_PROBE));
  return op!.index;
})();

browserTest('header: the verdict, spec, seed and rerun command at a glance', async (t) => {
  const { page, seen } = await open();
  t.is(await page.locator('#verdict').innerText(), 'INVALID');
  const spec = await page.locator('#spec').innerText();
  for (const s of ['raft', 'stale-read', 'register', 'partition, kill', '100 Hz', '343640388']) t.true(spec.includes(s), `spec shows ${s}: ${spec}`);
  t.true((await page.locator('#rerun').innerText()).includes('--seed 343640388'));
  t.regex(await page.locator('#counts').innerText(), /705 client ops.*ok 489.*fail 213.*info 3/s);
  t.regex(await page.locator('.meta').innerText(), /took 33\.00 s · history spans 15\.01 s/);
  await page.screenshot({ path: screenshotPath('report-top.png') });
  t.deepEqual(seen.errors, []);
  await page.close();
});

browserTest('linearizability: the minimal counterexample drawn per process, with the explanation and a jump to the timeline', async (t) => {
  const { page } = await open();
  t.true((await page.locator('#explanation').innerText()).startsWith('read of nil at t=15.95 ms cannot follow write 3 which completed at t=11.84 ms'));
  const ops = await page.locator('#counterexample g.mini-op').evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-index'), g.textContent]));
  t.deepEqual(ops.map(([i]) => i), ['1', '5']);
  t.true(ops[0]![1]!.includes('write 3') && ops[1]![1]!.includes('read of nil'));
  await page.locator('#counterexample').screenshot({ path: screenshotPath('report-counterexample.png') });
  const before = await page.evaluate(() => (globalThis as any).FL.timeline.view);
  await page.click('#jump-counterexample');
  const after = await page.evaluate(() => (globalThis as any).FL.timeline.view);
  t.true(after.t1 - after.t0 < (before.t1 - before.t0) / 100, 'the timeline zoomed onto the ops');
  t.true(after.t0 < 2.48 && after.t1 > 16.8, 'both ops are in view');
  await page.waitForTimeout(100);
  await page.locator('#timeline').screenshot({ path: screenshotPath('report-timeline-counterexample.png') });
  await page.close();
});

browserTest('timeline: a fault band labelled with the fault and its nodes; hovering an op shows it', async (t) => {
  const { page } = await open();
  const canvas = page.locator('#timeline-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  t.true(box.width > 1000 && box.height > 100);
  // The band strip's first row is the partition (t = 2 s … 15 s); hover its middle.
  await page.mouse.move(box.x + 78 + (box.width - 78) * 0.5, box.y + 7);
  t.regex(await page.locator('#tooltip').innerText(), /partition n1 \| n2 n3[\s\S]*% ok/);
  // The band is drawn: a pixel inside it, on an empty lane background, is tinted purple.
  const where = await page.evaluate(() => (globalThis as any).FL.timeline.locate(381));
  t.is(where, null, 'nemesis ops are not client calls');
  // After jumping to the counterexample, op 5 (the stale read) is wide enough to point at.
  await page.evaluate(() => (globalThis as any).FL.timeline.focus([1, 5]));
  await page.waitForTimeout(50);
  const pos = await page.evaluate(() => (globalThis as any).FL.timeline.locate(5));
  await page.mouse.move(box.x + pos.x, box.y + pos.y);
  const tip = await page.locator('#tooltip').innerText();
  t.true(tip.includes('op 5 · process 0 · ok') && tip.includes('read nil'), tip);
  await page.screenshot({ path: screenshotPath('report-hover.png') });
  await page.close();
});

browserTest('timeline: the wheel zooms around the cursor, a drag pans, a double-click resets', async (t) => {
  const { page } = await open();
  const canvas = page.locator('#timeline-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = (await canvas.boundingBox())!;
  const view = () => page.evaluate(() => (globalThis as any).FL.timeline.view as { t0: number; t1: number });
  const full = await view();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -400);
  await page.waitForTimeout(50);
  const zoomed = await view();
  t.true(zoomed.t1 - zoomed.t0 < (full.t1 - full.t0) / 1.5, 'zoomed in');
  t.true(zoomed.t0 > full.t0 && zoomed.t1 < full.t1, 'around the cursor');
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 200, box.y + box.height / 2, { steps: 4 });
  await page.mouse.up();
  const panned = await view();
  t.true(panned.t0 > zoomed.t0, 'dragging left moves later in time');
  t.is(Math.round((panned.t1 - panned.t0) * 1000), Math.round((zoomed.t1 - zoomed.t0) * 1000), 'a pan keeps the zoom');
  await canvas.dblclick();
  t.deepEqual(await view(), full);
  await page.close();
});

browserTest('charts: uPlot draws latency, quantiles and throughput, and availability per fault window', async (t) => {
  const { page } = await open();
  const sizes = await page.locator('#charts .uplot canvas').evaluateAll((cs) => cs.map((c) => [(c as any).width, (c as any).height]));
  t.is(sizes.length, 3);
  for (const [w, h] of sizes) t.true(w! > 300 && h! > 100, `canvas ${w}×${h}`);
  const rows = await page.locator('#availability tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  t.deepEqual(rows.map((r) => [r[0], r[4], r[5]]), [
    ['partition n1 | n2 n3', '512', '68.4% ok'],
    ['kill n1 n2 n3', '4', '0.0% ok'],
    ['kill n2', '8', '50.0% ok'],
    ['kill n2 n3', '4', '0.0% ok'],
  ]);
  await page.locator('#charts').screenshot({ path: screenshotPath('report-charts.png') });
  await page.close();
});

browserTest('values from the system under test stay text: no script runs, no dialog, the probe is visible', async (t) => {
  const { page, seen } = await open();
  const log = await page.locator('details.node-log[data-node="n1"]');
  // A log with error-looking lines starts open, so the probe line is on screen as text.
  t.true(await log.locator('.log-error').isVisible());
  t.true((await log.locator('.log-error').innerText()).includes(`${SCRIPT_PROBE} and ${IMG_PROBE}`));
  t.is(await page.locator('img').count(), 0, 'no <img> element was created from a value');
  t.is(await page.locator('script:not([type])').count(), 8, 'only uPlot and the page\'s 7 scripts');
  await page.evaluate((i) => (globalThis as any).FL.timeline.focus([i]), probeIndex);
  await page.waitForTimeout(50);
  const box = (await page.locator('#timeline-canvas').boundingBox())!;
  const pos = await page.evaluate((i) => (globalThis as any).FL.timeline.locate(i), probeIndex);
  await page.mouse.move(box.x + pos.x, box.y + pos.y);
  t.true((await page.locator('#tooltip').innerText()).includes(SCRIPT_PROBE + IMG_PROBE));
  await page.screenshot({ path: screenshotPath('report-xss-probe.png') });
  await log.screenshot({ path: screenshotPath('report-log-probe.png') });
  t.deepEqual(seen.dialogs, []);
  t.deepEqual(seen.errors, []);
  await page.close();
});

browserTest('nothing leaves the page: no request but the file itself', async (t) => {
  const { page, seen } = await open();
  await page.mouse.wheel(0, 300);
  await page.waitForTimeout(200);
  t.deepEqual(seen.requests, []);
  await page.screenshot({ path: screenshotPath('report-full.png'), fullPage: true });
  await page.close();
});

browserTest('set and counter results: lost and unexpected elements with when they were written and last seen; reads out of bounds', async (t) => {
  const { checkSet } = await import('../../checkers/set.js');
  const { checkCounter } = await import('../../checkers/counter.js');
  const ms = 1e6;
  const pair = (process: number, f: string, value: unknown, result: unknown, atMs: number): Omit<Op, 'index'>[] => [
    { type: 'invoke', process, f, value, timeNs: atMs * ms },
    { type: 'ok', process, f, value: result, timeNs: (atMs + 2) * ms },
  ];
  const setHistory = [...pair(0, 'add', 1, 1, 10), ...pair(1, 'add', 2, 2, 20), ...pair(0, 'read', null, [1, 2, 99], 30), ...pair(1, 'read', null, [1], 50)].map((o, index) => ({ ...o, index }) as Op);
  const counterHistory = [...pair(0, 'add', 1, 1, 10), ...pair(1, 'read', null, 5, 20)].map((o, index) => ({ ...o, index }) as Op);
  const set = checkSet(setHistory);
  const counter = checkCounter(counterHistory);
  t.deepEqual([set.lost, set.unexpected, counter.errors.length], [[2], [99], 1], 'the inputs are anomalies');
  const file = join(tempDir('faultline-report-'), 'set.html');
  writeFileSync(file, renderReport({ run: { name: 'set-and-counter', valid: false }, history: [...setHistory], results: { set, counter } }));
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watch(page, (u) => u.startsWith('file://'));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]');
  const lost = await page.locator('#lost tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  t.deepEqual(lost, [['2', '22.00 ms', '32.00 ms']]);
  t.regex(await page.locator('#unexpected').innerText(), /99/);
  const errors = await page.locator('#counter-errors tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
  t.deepEqual(errors.map((r) => [r[0], r[2], r[3], r[4]]), [['3', '5', '1', '1']]);
  t.is(await page.locator('#logs').count(), 0, 'no logs, no logs section');
  t.deepEqual(seen.errors, []);
  await page.locator('#checkers').screenshot({ path: screenshotPath('report-set-counter.png') });
  await page.close();
});

browserTest('a crashed run with no client ops and no results still renders its header and error', async (t) => {
  const history: Op[] = [
    { index: 0, type: 'invoke', process: 'nemesis', f: 'start-partition', value: { kind: 'halves' }, timeNs: 1e6 },
    { index: 1, type: 'info', process: 'nemesis', f: 'start-partition', value: { components: [['n1'], ['n2', 'n3']] }, timeNs: 2e6 },
  ];
  const file = join(tempDir('faultline-report-'), 'crashed.html');
  writeFileSync(file, renderReport({ run: { name: 'crashed', valid: null, status: 'crashed', error: 'no leader was elected within 30 s' }, history, results: {} }));
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  const seen = watch(page, (u) => u.startsWith('file://'));
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]');
  t.is(await page.locator('#verdict').innerText(), 'UNKNOWN\nCRASHED', 'the status stands beside the verdict');
  t.regex(await page.locator('.run-error').innerText(), /crashed: no leader was elected/);
  t.is(await page.locator('#charts').count(), 0);
  t.deepEqual(seen.errors, []);
  await page.close();
});
