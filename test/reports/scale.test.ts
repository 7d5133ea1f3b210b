// A 100k-op report must stay usable: rendered in Node and drawn in Chromium within a generous
// bound (the goal is under 2 s to open; `node dist/bench/report.js` prints the real figures).
// Catches a quadratic step or a DOM node per op, not small slowdowns on a busy machine.

import test from 'ava';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { reportData } from '../../bench/report.js';
import { writeReport } from '../../reports/write.js';
import { tempDir } from '../helpers/env.js';
import { browserTest, launch } from './browser.js';

browserTest('a 100k-op report renders in seconds, opens fully drawn in seconds, and keeps the DOM small', async (t) => {
  t.timeout(120_000);
  const data = reportData(100_000);
  const started = performance.now();
  const file = writeReport(data, join(tempDir('faultline-report-'), 'big.html'));
  const renderMs = performance.now() - started;
  t.log(`render ${renderMs.toFixed(0)} ms, ${(statSync(file).size / 1e6).toFixed(1)} MB`);
  t.true(renderMs < 15_000);
  
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`file://${file}`);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 60_000 });
    const readyMs = await page.evaluate(() => (globalThis as any).performance.getEntriesByName('faultline-ready')[0].startTime as number);
    const elements = await page.evaluate(() => (globalThis as any).document.getElementsByTagName('*').length as number);
    t.log(`fully drawn after ${readyMs.toFixed(0)} ms; ${elements} DOM elements`);
    t.true(readyMs < 10_000);
    t.true(elements < 5_000, 'ops are drawn on canvas, not as DOM nodes');
  } finally {
    await browser.close();
  }
});
