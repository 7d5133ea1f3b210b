// withFaults heals and takes the cluster down on every way out: success, error, time limit; and
// healAll keeps going when one step fails. (Signals are tested with a child harness in
// local.test.ts and docker.test.ts.)

import test from 'ava';
import { healAll, withFaults } from '../../src/runtime/guard.js';
import { chooseRuntime, parseRuntimeChoice } from '../../src/runtime/index.js';
import { dockerAnswers } from '../../src/runtime/docker.js';
import type { Runtime } from '../../src/runtime/types.js';

function recordingRuntime(failHeal = false): { rt: Runtime; calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => async () => void calls.push(name);
  const rt: Runtime = {
    kind: 'local',
    up: async () => [],
    nodes: () => [],
    mechanisms: () => ({ partition: 'x', loss: null, delay: null, clock: null, unavailable: {} }),
    start: rec('start'),
    kill: rec('kill'),
    pause: rec('pause'),
    resume: rec('resume'),
    partition: async () => [],
    heal: failHeal
      ? async () => {
          calls.push('heal');
          throw new Error('daemon gone');
        }
      : rec('heal'),
    skewClock: rec('skew'),
    resetClocks: rec('reset-clocks'),
    netem: async () => [],
    logs: async () => '',
    down: rec('down'),
  };
  return { rt, calls };
}

test('success: the body result comes back after heal and down', async (t) => {
  const { rt, calls } = recordingRuntime();
  const v = await withFaults(rt, async () => 42, { log: () => {}, healNemeses: async () => void calls.push('nemeses') });
  t.is(v, 42);
  t.deepEqual(calls, ['nemeses', 'heal', 'reset-clocks', 'down']);
});

test('error: heal and down still run, then the error is rethrown', async (t) => {
  const { rt, calls } = recordingRuntime();
  await t.throwsAsync(() => withFaults(rt, async () => Promise.reject(new Error('boom')), { log: () => {} }), { message: 'boom' });
  t.deepEqual(calls, ['heal', 'reset-clocks', 'down']);
});

test('time limit: the body is aborted, heal and down run without waiting for a stuck body', async (t) => {
  const { rt, calls } = recordingRuntime();
  let sawAbort = false;
  const started = Date.now();
  await t.throwsAsync(
    () =>
      withFaults(
        rt,
        (signal) =>
          new Promise(() => {
            signal.addEventListener('abort', () => (sawAbort = true));
          }),
        { timeLimitMs: 100, log: () => {} },
      ),
    { message: /time limit/ },
  );
  t.true(sawAbort);
  t.true(Date.now() - started < 2000);
  t.deepEqual(calls, ['heal', 'reset-clocks', 'down']);
});

test('keepUp heals without taking the cluster down; a failing step does not stop the others', async (t) => {
  const ok = recordingRuntime();
  await healAll(ok.rt, { keepUp: true });
  t.deepEqual(ok.calls, ['heal', 'reset-clocks']);
  const bad = recordingRuntime(true);
  await t.throwsAsync(() => healAll(bad.rt), { message: /healing was incomplete: heal: daemon gone/ });
  t.deepEqual(bad.calls, ['heal', 'reset-clocks', 'down']);
});

test('--runtime: bad values are refused; auto picks docker exactly when a daemon answers', async (t) => {
  t.throws(() => parseRuntimeChoice('vm'), { message: 'unknown runtime "vm" (allowed: auto, docker, local)' });
  const chosen = await chooseRuntime('auto');
  const answers = await dockerAnswers();
  t.is(chosen.runtime.kind, answers ? 'docker' : 'local');
  t.regex(chosen.reason, answers ? /docker \(auto: a Docker daemon answers\)/ : /local \(auto: no Docker daemon answers\)/);
  t.is((await chooseRuntime('local')).runtime.kind, 'local');
});
