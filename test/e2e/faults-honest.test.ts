// Issue 10's defects around faults: an unavailable fault is refused before anything starts (it
// used to hang 120 s after `cluster up` and leave the run `running`); a fault asked for with no
// room to inject it is refused; a requested fault that never took effect makes the run unknown.

import test from 'ava';
import { cli, tempDir } from '../helpers/env.js';
import { faultsNeverTookEffect } from '../../src/run/finish.js';
import type { Op } from '../../src/core/op.js';

test('libfaketime absent: --nemesis clock is refused before the cluster starts — one line, exit 254, no run row', async (t) => {
  const home = tempDir();
  const started = Date.now();
  const r = await cli(['test', '--runtime', 'local', '--nemesis', 'clock', '--time-limit', '2s'], { env: { FAULTLINE_HOME: home, FAULTLINE_FAKETIME_LIB: 'none' } });
  t.is(r.exitCode, 254, String(r.stderr));
  t.is(String(r.stderr).trim().split('\n').length, 1, String(r.stderr));
  t.regex(String(r.stderr), /--nemesis clock cannot run on the local runtime: libfaketime/);
  t.true(Date.now() - started < 60_000, 'no hang');
  const runs = await cli(['runs', '--json'], { env: { FAULTLINE_HOME: home } });
  t.deepEqual((JSON.parse(String(runs.stdout)) as { runs: unknown[] }).runs, [], 'no run row was created');
  await cli(['db', 'stop'], { env: { FAULTLINE_HOME: home } });
});

test('--nemesis kill with an explicit interval that leaves no room in the time limit is refused up front', async (t) => {
  const r = await cli(['test', '--runtime', 'local', '--nemesis', 'kill', '--time-limit', '5s', '--nemesis-interval', '5s']);
  t.is(r.exitCode, 254, String(r.stderr));
  t.regex(String(r.stderr), /--nemesis-interval 5s leaves no room to inject every requested fault \(kill\) within --time-limit 5s/);
});

test('--nemesis "" (an unset variable) is refused, not run fault-free', async (t) => {
  const r = await cli(['test', '--runtime', 'local', '--nemesis', '']);
  t.is(r.exitCode, 254, String(r.stderr));
  t.regex(String(r.stderr), /--nemesis/);
});

const nem = (index: number, type: Op['type'], f: string, value: unknown, error?: string): Op => ({ index, type, process: 'nemesis', f, value, timeNs: index, ...(error ? { error } : {}) });

test('a requested fault that never took effect is named, with why', (t) => {
  const history: Op[] = [
    nem(0, 'invoke', 'kill', { target: 'leader' }),
    nem(1, 'info', 'kill', { target: 'leader', nodes: [] }, 'no leader to target'),
    nem(2, 'invoke', 'start-partition', { kind: 'halves' }),
    nem(3, 'info', 'start-partition', { kind: 'halves', components: [['n1'], ['n2', 'n3']] }),
  ];
  t.deepEqual(faultsNeverTookEffect(['kill', 'partition', 'pause'], history), [
    { fault: 'kill', why: 'no leader to target' },
    { fault: 'pause', why: 'it was never injected' },
  ]);
  t.deepEqual(faultsNeverTookEffect(['partition'], history), []);
});
