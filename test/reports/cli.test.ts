// `faultline report` and `faultline serve` on an imported history (history import → analyze →
// report), end to end through the real CLI and the shared embedded database of the test run.

import test from 'ava';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLI, cli, tempDir, TEST_HOME } from '../helpers/env.js';
import { browserTest, chromiumHere, launch, screenshotPath, watch } from './browser.js';
import { FIXTURE_DIR } from './fixture.js';

const name = `report-fixture-${process.pid}-${Date.now()}`;
let runId = 0;

test.before(async () => {
  const imported = await cli(['history', 'import', join(FIXTURE_DIR, 'history.jsonl'), '--name', name, '--json']);
  if (imported.exitCode !== 0) throw new Error(`import failed: ${imported.stderr}`);
  runId = JSON.parse(String(imported.stdout)).runId;
  const analyzed = await cli(['analyze', String(runId), '--model', 'cas-register', '--json']);
  if (analyzed.exitCode !== 1) throw new Error(`analyze should find the stale read (exit 1), got ${analyzed.exitCode}: ${analyzed.stderr}`);
});

/** The page model embedded in a report file. */
function embedded(html: string): any {
  const m = /<script type="application\/json" id="faultline-data">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]!);
}

test('report writes one self-contained file for an imported, analyzed history', async (t) => {
  const out = join(tempDir(), 'imported.html');
  const r = await cli(['report', String(runId), '--out', out, '--json']);
  t.is(r.exitCode, 0, String(r.stderr));
  const result = JSON.parse(String(r.stdout));
  t.is(result.file, out);
  t.is(result.runId, runId);
  const html = readFileSync(out, 'utf8');
  t.is(result.bytes, Buffer.byteLength(html));
  const model = embedded(html);
  t.is(model.run.name, name);
  t.is(model.run.valid, false);
  t.is(model.run.spec.importedFrom, join(FIXTURE_DIR, 'history.jsonl'));
  t.is(model.run.rerun, undefined, 'an imported history has no rerun command');
  t.deepEqual(model.results.linearizable.failure.explanation.minimalOps.map((o: { index: number }) => o.index), [1, 5]);
  t.is(model.calls.index.length, 705);
  t.deepEqual(model.logs, []);
  // Nothing refers to anything outside the file.
  t.notRegex(html, /\b(src|href)\s*=\s*["']?(https?:|\/\/)/i);
});

test('report without --out writes under FAULTLINE_HOME/reports; a run that does not exist is exit 254 naming it', async (t) => {
  const r = await cli(['report', name, '--json']);
  t.is(r.exitCode, 0, String(r.stderr));
  const file = JSON.parse(String(r.stdout)).file;
  t.is(file, join(TEST_HOME, 'reports', `run-${runId}.html`));
  t.true(existsSync(file));
  const missing = await cli(['report', 'no-such-run-anywhere']);
  t.is(missing.exitCode, 254);
  t.regex(String(missing.stderr), /no run "no-such-run-anywhere"/);
  const dir = await cli(['report', String(runId), '--out', tempDir()]);
  t.is(dir.exitCode, 254);
  t.regex(String(dir.stderr), /--out .* must be a file path, not a directory/);
});

browserTest('an imported report leaves out what it has no data for (logs, rerun, spec)', async (t) => {
  const out = join(tempDir(), 'imported.html');
  t.is((await cli(['report', String(runId), '--out', out])).exitCode, 0);
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const seen = watch(page, (u) => u.startsWith('file://'));
    await page.goto(`file://${out}`);
    await page.waitForSelector('body[data-ready="1"]');
    t.is(await page.locator('#verdict').innerText(), 'INVALID');
    t.is(await page.locator('#logs').count(), 0);
    t.is(await page.locator('#rerun').count(), 0);
    t.is(await page.locator('nav a[data-for="logs"]').count(), 0);
    t.true((await page.locator('#spec').innerText()).includes('imported from'));
    t.is(await page.locator('#charts .uplot').count(), 3);
    t.deepEqual([seen.requests, seen.errors], [[], []]);
    await page.screenshot({ path: screenshotPath('report-imported.png'), fullPage: true });
  } finally {
    await browser.close();
  }
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serve lists the stored runs on loopback, opens a report from the list, and stops on Ctrl-C', async (t) => {
  const port = await freePort();
  const server = execa(process.execPath, [CLI, 'serve', '--port', String(port), '--quiet'], { env: { FAULTLINE_HOME: TEST_HOME, NO_COLOR: '1' }, reject: false });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('serve did not start within 60 s')), 60_000);
      server.stdout!.on('data', (chunk: Buffer) => {
        if (String(chunk).includes(`http://127.0.0.1:${port}/`)) (clearTimeout(timer), resolve());
      });
      void server.then((r) => reject(new Error(`serve exited early: ${r.stderr}`)));
    });
    const base = `http://127.0.0.1:${port}/`;
    const runs = JSON.parse((await get(`${base}api/runs`)).body);
    t.true(runs.some((r: { id: number; name: string; valid: unknown }) => r.id === runId && r.name === name && r.valid === false));
    t.is((await get(base, 'attacker.example')).status, 403, 'a request for another host name is refused');
    t.is((await get(`${base}runs/999999999`)).status, 404);
    if (!chromiumHere) t.log('SKIPPED the browser half: /usr/bin/chromium is missing');
    else {
      const browser = await launch();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
        const seen = watch(page, (u) => u.startsWith(base));
        await page.goto(base);
        await page.waitForSelector('body[data-ready="1"]');
        await page.fill('#filter-name', name);
        const row = page.locator(`#runs tr[data-run="${runId}"]`);
        t.is(await row.getAttribute('class'), 'run-invalid');
        t.is(await page.locator('#runs tbody tr').count(), 1);
        await page.selectOption('#filter-verdict', 'valid');
        t.is(await page.locator('#runs tbody tr').count(), 0, 'the verdict filter hides an invalid run');
        await page.selectOption('#filter-verdict', 'all');
        await page.screenshot({ path: screenshotPath('serve-list.png') });
        await row.locator('a').click();
        await page.waitForSelector('body[data-ready="1"]');
        t.is(page.url(), `${base}runs/${runId}`);
        t.is(await page.locator('#verdict').innerText(), 'INVALID');
        t.is(await page.locator('#back').getAttribute('href'), '/');
        await page.screenshot({ path: screenshotPath('serve-report.png') });
        t.deepEqual([seen.requests, seen.errors], [[], []]);
      } finally {
        await browser.close();
      }
    }
  } finally {
    server.kill('SIGINT');
  }
  const done = await server;
  t.is(done.exitCode, 0, `serve exits cleanly on SIGINT: ${done.stderr}`);
});
