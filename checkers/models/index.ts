// The model registry: models by name, so a model can be named on the command line and rebuilt
// inside a worker thread (functions do not cross threads; names and initial values do).

import type { AnyModel } from '../model.js';
import { casRegisterModel } from './cas-register.js';
import { fifoQueueModel } from './fifo-queue.js';
import { kvModel } from './kv.js';
import { mutexModel } from './mutex.js';
import { registerModel } from './register.js';
import { setModel } from './set.js';
import { unorderedQueueModel } from './unordered-queue.js';

export const MODEL_NAMES = ['register', 'cas-register', 'kv', 'set', 'fifo-queue', 'unordered-queue', 'mutex'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** A model named with its initial value (undefined = the model's default: nil, empty, free). */
export interface ModelSpec {
  name: ModelName;
  initial?: unknown;
  /**
   * register, cas-register, kv: 'any' reads a completed read of nil as Knossos does — "nothing
   * known", satisfied by any value (Knossos's register models, whose corpus has an initial value
   * and nil reads). Default 'value': nil is a value like any other.
   */
  nilReads?: 'value' | 'any';
}

export function isModelName(x: string): x is ModelName {
  return (MODEL_NAMES as readonly string[]).includes(x);
}

export function buildModel(spec: ModelSpec): AnyModel {
  const i = spec.initial;
  const nilAny = spec.nilReads === 'any';
  switch (spec.name) {
    case 'register':
      return registerModel(i ?? null, nilAny);
    case 'cas-register':
      return casRegisterModel(i ?? null, nilAny);
    case 'kv':
      return kvModel(i ?? null, nilAny);
    case 'set':
      return setModel(i ?? []);
    case 'fifo-queue':
      return fifoQueueModel(i ?? []);
    case 'unordered-queue':
      return unorderedQueueModel(i ?? []);
    case 'mutex':
      return mutexModel(i ?? false);
  }
}

export { casRegisterModel, fifoQueueModel, kvModel, mutexModel, registerModel, setModel, unorderedQueueModel };
