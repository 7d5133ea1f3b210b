// Headless Chromium for the report tests (Debian's /usr/bin/chromium through playwright-core).
// Without it the tests are skipped (never counted as passed), unless CI requires it: then they fail.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/env.js';
import { needs, required } from '../helpers/needs.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Whether browser steps run here: Chromium is installed, or required (then they fail without it). */
export const chromiumHere = existsSync(CHROMIUM) || required('chromium');

/** `test` for browser tests: skipped (not passed) without Chromium, failing when it is required. */
export const browserTest = needs('chromium', existsSync(CHROMIUM));

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Records what a page tries: every request but `allowed`, every dialog, every uncaught error. */
export function watch(page: Page, allowed: (url: string) => boolean) {
  const seen = { requests: [] as string[], dialogs: [] as string[], errors: [] as string[] };
  page.on('request', (r) => {
    if (!allowed(r.url())) seen.requests.push(r.url());
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  return seen;
}

export function screenshotPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}
