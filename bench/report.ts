// Benchmark of the HTML report (a script, not a test): `node dist/bench/report.js [sizes…]`.
// For synthetic register histories of 1k, 10k and 100k client ops (each an invoke + completion,
// 10 processes, a fault every 5 s, ~25% fail, ~1% info, a stale read explained like the
// linearizability checker does), prints the file size, the time to render it in Node, and in
// headless Chromium (median of 3 loads, ms since navigation start): first contentful paint (the
// "Loading…" placeholder can be it), first view (verdict, checkers and timeline laid out, just
// before their first paint), all drawn (charts too), and one timeline redraw at full zoom.
// BENCH_SCREENSHOTS=DIR saves a full-page screenshot of each size.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { checkStats } from '../checkers/stats.js';
import type { ReportData } from '../reports/data.js';
import { writeReport } from '../reports/write.js';
import type { Op } from '../src/core/op.js';

const PROCESSES = 10;
const FAULTS = [
  ['start-partition', 'stop-partition', { kind: 'halves', components: [['n1', 'n2'], ['n3', 'n4', 'n5']] }],
  ['kill', 'restart', { target: 'minority', nodes: ['n2', 'n4'] }],
  ['pause', 'resume', { target: 'one', nodes: ['n3'] }],
  ['bump-clock', 'reset-clock', { offsetsMs: { n1: 250, n5: -120 } }],
] as const;

/** A deterministic register history of `calls` client ops at ~1,000 ops/s, faults every 5 s. */
function syntheticHistory(calls: number): Op[] {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const events: Omit<Op, 'index'>[] = [];
  for (let p = 0; p < PROCESSES; p++) {
    let t = rand() * 1e6;
    let process = p;
    for (let k = 0; k < calls / PROCESSES; k++) {
      const f = (['read', 'write', 'cas'] as const)[Math.floor(rand() * 3)]!;
      const value = f === 'read' ? null : f === 'write' ? Math.floor(rand() * 5) : [Math.floor(rand() * 5), Math.floor(rand() * 5)];
      const latencyNs = 2e5 + Math.exp(rand() * 9) * 1e3;
      events.push({ type: 'invoke', process, f, value, timeNs: t });
      const r = rand();
      const type = r < 0.01 ? 'info' : r < 0.26 ? 'fail' : 'ok';
      const node = `n${1 + Math.floor(rand() * 5)}`;
      events.push({ type, process, f, value: f === 'read' && type === 'ok' ? Math.floor(rand() * 5) : value, timeNs: t + latencyNs, node, ...(type === 'fail' ? { error: 'cas-mismatch' } : type === 'info' ? { error: 'timeout' } : {}) });
      if (type === 'info') process += PROCESSES; // retired; the worker goes on as a new process
      t += latencyNs + rand() * 1.2e7;
    }
  }
  const clientEndNs = events.reduce((m, e) => Math.max(m, e.timeNs), 0);
  for (let at = 1e9, k = 0; at + 3e9 < clientEndNs; at += 5e9, k++) {
    const [start, stop, value] = FAULTS[k % FAULTS.length]!;
    events.push({ type: 'invoke', process: 'nemesis', f: start, value, timeNs: at }, { type: 'info', process: 'nemesis', f: start, value, timeNs: at + 2e6 });
    events.push({ type: 'invoke', process: 'nemesis', f: stop, value: null, timeNs: at + 3e9 }, { type: 'info', process: 'nemesis', f: stop, value: { nodes: ['n2'] }, timeNs: at + 3.01e9 });
  }
  events.sort((a, b) => a.timeNs - b.timeNs);
  return events.map((e, index) => ({ ...e, index }) as Op);
}

export function reportData(calls: number): ReportData {
  const history = syntheticHistory(calls);
  const write = history.find((o) => o.f === 'write' && o.type === 'invoke')!;
  const read = history.find((o) => o.f === 'read' && o.type === 'invoke' && o.timeNs > write.timeNs + 5e7)!;
  const summary = (o: Op, d: string) => ({ index: o.index, process: o.process, description: d, invokedAtNs: o.timeNs, completedAtNs: o.timeNs + 1e6 });
  const explanation = {
    partialLinearization: [{ op: summary(write, `write ${String(write.value)}`), stateAfter: `the register holds ${String(write.value)}` }],
    minimalOps: [summary(write, `write ${String(write.value)}`), summary(read, 'read of nil')],
    minimal: true,
    text: `read of nil cannot follow write ${String(write.value)}`,
  };
  return {
    run: { id: calls, name: `bench-${calls}`, valid: false, seed: 1, spec: { db: 'raft', workload: 'register', nodes: 5, nemesis: ['partition', 'kill', 'pause', 'clock'], bugs: [], rateHz: 1000, concurrency: PROCESSES }, rerun: 'faultline test --seed 1' },
    history,
    results: { stats: checkStats(history), linearizable: { valid: false, model: 'cas-register', failure: { key: '', explanation } } },
    nodeLogs: ['n1', 'n2', 'n3', 'n4', 'n5'].map((node) => ({ node, text: Array.from({ length: 2000 }, (_, i) => `t=${i} ${node} ${i % 97 === 0 ? 'ERROR lost leadership' : 'append ok'}`).join('\n') })),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-report-'));
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    console.log('client ops  history ops  file MB  render (Node) ms  first paint ms  first view ms  all drawn ms  timeline redraw ms');
    for (const calls of sizes.length ? sizes : [1_000, 10_000, 100_000]) {
      const data = reportData(calls);
      const started = performance.now();
      const file = writeReport(data, join(dir, `report-${calls}.html`));
      const renderMs = performance.now() - started;
      const runs: { fcp: number; view: number; ready: number; redraw: number }[] = [];
      for (let k = 0; k < 3; k++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        await page.goto(`file://${file}`);
        await page.waitForSelector('body[data-ready="1"]', { timeout: 120_000 });
        runs.push(
          await page.evaluate(async () => {
            const perf = (globalThis as any).performance;
            const fcp = perf.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN;
            const view = perf.getEntriesByName('faultline-first-view')[0]?.startTime ?? NaN;
            const ready = perf.getEntriesByName('faultline-ready')[0]?.startTime ?? NaN;
            const tl = (globalThis as any).FL.timeline;
            const v = tl.view;
            const t0 = perf.now();
            tl.zoomTo(v.t0 + 1e-3, v.t1);
            await new Promise((r) => (globalThis as any).requestAnimationFrame(r));
            return { fcp, view, ready, redraw: perf.now() - t0 };
          }),
        );
        if (k === 0 && process.env.BENCH_SCREENSHOTS) await page.screenshot({ path: join(process.env.BENCH_SCREENSHOTS, `report-${calls}.png`), fullPage: true });
        await page.close();
      }
      const mb = statSync(file).size / 1e6;
      const cols = [calls, data.history.length, mb.toFixed(2), renderMs.toFixed(0), median(runs.map((r) => r.fcp)).toFixed(0), median(runs.map((r) => r.view)).toFixed(0), median(runs.map((r) => r.ready)).toFixed(0), median(runs.map((r) => r.redraw)).toFixed(0)];
      console.log(cols.map(String).map((c, i) => c.padStart([10, 12, 8, 17, 15, 14, 13, 19][i]!)).join(' '));
    }
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Runs when executed, not when imported (a profiler or test may reuse reportData).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
