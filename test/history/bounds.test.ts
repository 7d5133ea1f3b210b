// Flag bounds (issue 11, item 7): values that parse but would crash or mislead later are refused
// up front with one line naming the value. src/cli/bounds.ts holds the checks; the test command
// calls checkTestBounds from its spec builder.

import test from 'ava';
import { checkConcurrency, checkDuration, checkFaultsForNodes, checkHost, checkNemesisText, checkRate, checkRunRef, checkTestBounds, MAX_TIMER_MS } from '../../src/core/bounds.js';
import { UserError } from '../../src/core/errors.js';
import { cli } from '../helpers/env.js';

const refused = (t: import('ava').ExecutionContext, fn: () => unknown, message: RegExp) => {
  const err = t.throws(fn, { instanceOf: UserError });
  t.regex(err?.message ?? '', message);
  t.false(err?.message.includes('\n'), 'one line');
};

test('durations past a Node timer (24.8 days) are refused; the longest timer is allowed', (t) => {
  refused(t, () => checkDuration('time-limit', '597h', 597 * 3_600_000), /--time-limit 597h is too long: at most 24\.8 days/);
  refused(t, () => checkDuration('op-timeout', '597h', 597 * 3_600_000), /--op-timeout 597h/);
  t.is(checkDuration('time-limit', '24d', MAX_TIMER_MS), MAX_TIMER_MS);
  refused(t, () => checkDuration('recovery', 'NaN', Number.NaN), /not a positive duration/);
});

test('a spec whose hard-stop timer would overflow is refused even when each part fits', (t) => {
  const d = (ms: number) => ({ text: `${ms}ms`, ms });
  const base = { nemesisText: 'partition', nemesis: ['partition'], nodes: 3, concurrency: 3, concurrencyText: '1n', rateHz: 100 };
  t.notThrows(() => checkTestBounds({ ...base, durations: { 'time-limit': d(30_000), recovery: d(15_000), 'op-timeout': d(1000) }, hardStopExtraMs: 130_000 }));
  refused(t, () => checkTestBounds({ ...base, durations: { 'time-limit': d(MAX_TIMER_MS - 1000), recovery: d(15_000) }, hardStopExtraMs: 130_000 }), /--time-limit \+ --recovery add up to/);
});

test('concurrency, rate, nemesis, nodes, host and run ids have bounds', (t) => {
  refused(t, () => checkConcurrency(Number('99999999999999999999'), '99999999999999999999'), /--concurrency 99999999999999999999/);
  refused(t, () => checkConcurrency(5000), /at most 1000/);
  t.is(checkConcurrency(10), 10);
  refused(t, () => checkRate(1e12), /--rate/);
  refused(t, () => checkNemesisText(''), /--nemesis is empty/);
  refused(t, () => checkNemesisText(' , '), /--nemesis is empty/);
  t.is(checkNemesisText('none'), 'none');
  refused(t, () => checkFaultsForNodes(['partition'], 1), /--nemesis partition needs at least 2 nodes/);
  t.notThrows(() => checkFaultsForNodes(['kill', 'clock'], 1));
  t.notThrows(() => checkFaultsForNodes(['partition'], 2));
  refused(t, () => checkHost(''), /--host is empty/);
  refused(t, () => checkRunRef('999999999999999999999'), /no run 999999999999999999999/);
  t.is(checkRunRef('12'), '12');
  t.is(checkRunRef('latest'), 'latest');
});

test('report and history export of a run id past any integer: one line, exit 254 (was 255)', async (t) => {
  for (const args of [['report', '999999999999999999999'], ['history', 'export', '999999999999999999999']]) {
    const r = await cli(args);
    t.is(r.exitCode, 254, `${args.join(' ')}: ${r.stderr}`);
    t.is(String(r.stderr).trim().split('\n').length, 1);
    t.regex(String(r.stderr), /999999999999999999999/);
  }
});
