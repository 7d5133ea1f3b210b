// A mutex: acquire succeeds only when free, release only when held (by anyone: Jepsen's model
// does not track owners).

import { UNKNOWN_OUTPUT, UnsupportedOpError, type Model } from '../model.js';
import { bareKeyword } from '../values.js';

export type MutexInput = 'acquire' | 'release';

export function mutexModel(initial: unknown = false): Model<boolean, MutexInput, null> {
  const start = initial === true || initial === ':locked' || initial === 'locked';
  return {
    name: 'mutex',
    fs: ['acquire', 'release'],
    init: () => start,
    step: (held, input) => (input === 'acquire' ? (held ? [] : [true]) : held ? [false] : []),
    equal: (a, b) => a === b,
    hash: (held) => (held ? 0x68e31da4 : 0x1b56c4e9),
    decode(invoke, completion) {
      const f = bareKeyword(invoke.f);
      if (f !== 'acquire' && f !== 'release') throw new UnsupportedOpError(invoke, 'mutex', 'f must be one of acquire, release');
      return { input: f, output: completion ? null : UNKNOWN_OUTPUT };
    },
    inputKey: (input) => input,
    describeCall: (input, output) => `${input}${output === UNKNOWN_OUTPUT ? ' (crashed)' : ''}`,
    describeState: (held) => (held ? 'the mutex is held' : 'the mutex is free'),
  };
}
