// A FIFO queue: dequeue returns the oldest element still enqueued.

import { UNKNOWN_OUTPUT, type Model } from '../model.js';
import { elemKey, showElems, type Elems } from './collection.js';
import { queueModelCommon, type QueueInput, type QueueOutput } from './queue-ops.js';

export function fifoQueueModel(initial: unknown = []): Model<Elems, QueueInput, QueueOutput> {
  const start: Elems = Array.isArray(initial) ? initial.map(elemKey) : [];
  return {
    name: 'fifo-queue',
    fs: ['enqueue', 'dequeue'],
    init: () => start,
    step(state, input, output) {
      if (input.kind === 'enqueue') return [[...state, input.elem]];
      const head = state[0];
      if (output === UNKNOWN_OUTPUT) return [head === undefined ? state : state.slice(1)];
      if (output === null) return head === undefined ? [state] : [];
      return head === output ? [state.slice(1)] : [];
    },
    ...queueModelCommon('fifo-queue', start),
    describeState: (s) => `the queue is ${showElems(s, '[', ']')} (oldest first)`,
  };
}
