// The report and the run list never show a run that did not finish (or an empty history) as
// valid; the status stands beside the verdict, and the list filters by status and by who ran it.

import test from 'ava';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { renderReport } from '../../reports/html.js';
import { renderRunList, type RunListItem } from '../../reports/list.js';
import { buildPageModel } from '../../reports/model.js';
import { tempDir } from '../helpers/env.js';
import { browserTest, chromiumHere, launch, screenshotPath } from './browser.js';
import { fixtureReport } from './fixture.js';

let browser: Browser | undefined;
test.before(async () => {
  if (chromiumHere) browser = await launch();
});
test.after.always(async () => {
  await browser?.close();
});

/** The fixture run, made valid by its checkers but crashed before it finished. */
function crashedValid() {
  const data = fixtureReport();
  data.run = { ...data.run, status: 'crashed', valid: true, error: 'the database died', user: 'alice', host: 'ci-7' };
  return data;
}

test('the page model gates the verdict: a crashed run the checkers call valid is unknown, and says why', (t) => {
  const m = buildPageModel(crashedValid());
  t.is(m.run.valid, 'unknown');
  t.is(m.run.checkedValid, true);
  t.regex(m.run.verdictReason!, /incomplete: the run crashed/);
  const finished = fixtureReport();
  finished.run = { ...finished.run, status: 'finished', valid: true };
  t.is(buildPageModel(finished).run.valid, true);
  t.is(buildPageModel(finished).run.verdictReason, undefined);
});

test('the page model of an empty history is unknown, never valid', (t) => {
  const m = buildPageModel({ run: { name: 'empty', status: 'finished', valid: true }, history: [], results: {} });
  t.is(m.run.valid, 'unknown');
  t.regex(m.run.verdictReason!, /no client operations/);
});

browserTest('report header: UNKNOWN with CRASHED beside it, the reason, and who ran it', async (t) => {
  const file = join(tempDir('faultline-report-'), 'report.html');
  writeFileSync(file, renderReport(crashedValid()));
  const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  t.is(await page.locator('#verdict').innerText(), 'UNKNOWN\nCRASHED');
  t.regex(await page.locator('#verdict-reason').innerText(), /incomplete: the run crashed/);
  t.regex(await page.locator('.meta').innerText(), /by alice@ci-7/);
  await page.locator('header').screenshot({ path: screenshotPath('report-header-crashed.png') });
  await page.close();
});

browserTest('run list: a crashed run reads unknown with its status; filters by status and by user, also from the address', async (t) => {
  const base = { source: 'test', startedAt: '2026-12-01T10:00:00.000Z', events: 10, ci: null };
  const runs: RunListItem[] = [
    { ...base, id: 3, name: 'crashed-one', status: 'crashed', valid: true, host: 'h1', user: 'alice', href: '/runs/3' },
    { ...base, id: 2, name: 'fine', status: 'finished', valid: true, host: 'h2', user: 'bob', href: '/runs/2', ci: 'github acme/db run 9 job t' },
    { ...base, id: 1, name: 'still', status: 'running', valid: null, host: 'h1', user: 'alice', href: '/runs/1' },
  ];
  const file = join(tempDir('faultline-list-'), 'list.html');
  writeFileSync(file, renderRunList(runs, { where: 'test' }));
  const page = await browser!.newPage({ viewport: { width: 1280, height: 600 } });
  await page.goto(`file://${file}`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  const cells = async () => page.locator('#runs tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
  const all = await cells();
  t.deepEqual(all.map((r) => [r[1], r[5], r[6], r[7]]), [
    ['crashed-one', 'crashed', 'unknown', 'alice@h1'],
    ['fine', 'finished', 'valid', 'bob@h2 · github acme/db run 9 job t'],
    ['still', 'running', 'unknown', 'alice@h1'],
  ]);
  await page.selectOption('#filter-status', 'crashed');
  t.deepEqual((await cells()).map((r) => r[0]), ['3']);
  await page.selectOption('#filter-status', 'all');
  await page.fill('#filter-by', 'bob');
  t.deepEqual((await cells()).map((r) => r[0]), ['2']);
  await page.screenshot({ path: screenshotPath('run-list-filtered.png') });
  await page.goto(`file://${file}?status=running`);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  t.deepEqual((await cells()).map((r) => r[0]), ['1']);
  await page.close();
});
