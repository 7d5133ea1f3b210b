// Tests that need a tool this machine may lack (Chromium, libfaketime, Docker): the ava `test`
// to declare them with. Where the tool is missing they are declared skipped — shown as skipped by
// ava, never counted as passed — unless the tool is required (CI=true, as in .ci/run, or
// FAULTLINE_REQUIRE_<TOOL>=1): then they run and fail, naming what is missing.

import test from 'ava';

/** `test` when `available` or required here; `test.skip` (visibly) otherwise. */
export function needs(tool: string, available: boolean): typeof test {
  if (available || required(tool)) return test;
  console.error(`skipping the tests that need ${tool}: it is not installed here (CI requires it)`);
  return test.skip as unknown as typeof test;
}

/** Whether a missing `tool` must fail its tests instead of skipping them. */
export function required(tool: string): boolean {
  const env = `FAULTLINE_REQUIRE_${tool.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return process.env.CI === 'true' || process.env[env] === '1';
}
