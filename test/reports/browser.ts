// Headless Chromium for the report tests (Debian's /usr/bin/chromium through playwright-core).
// Without it the tests skip visibly, unless FAULTLINE_REQUIRE_CHROMIUM is set (CI), then they fail.

import type { ExecutionContext } from 'ava';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../helpers/env.js';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, 'test-artifacts');

export function chromiumMissing(): boolean {
  return !existsSync(CHROMIUM) && !process.env.FAULTLINE_REQUIRE_CHROMIUM;
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

/** Says why a browser test did not run (and passes it), when Chromium is missing and not required. */
export function skipWithoutChromium(t: ExecutionContext): boolean {
  if (!chromiumMissing()) return false;
  t.log(`SKIPPED: ${CHROMIUM} is missing (set FAULTLINE_REQUIRE_CHROMIUM=1 to make this a failure)`);
  t.pass();
  return true;
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
