// An unordered queue (a bag): dequeue returns any element still enqueued, each at most once.

import { UNKNOWN_OUTPUT, type Model } from '../model.js';
import { insertSorted, removeAt, showElems, sortedKeysOf, type Elems } from './collection.js';
import { queueModelCommon, type QueueInput, type QueueOutput } from './queue-ops.js';

export function unorderedQueueModel(initial: unknown = []): Model<Elems, QueueInput, QueueOutput> {
  const start: Elems = Array.isArray(initial) ? sortedKeysOf(initial) : [];
  return {
    name: 'unordered-queue',
    fs: ['enqueue', 'dequeue'],
    init: () => start,
    step(state, input, output) {
      if (input.kind === 'enqueue') return [insertSorted(state, input.elem)];
      if (output === null) return state.length === 0 ? [state] : [];
      if (output !== UNKNOWN_OUTPUT) {
        const i = state.indexOf(output);
        return i < 0 ? [] : [removeAt(state, i)];
      }
      // A crashed dequeue may have taken any one distinct element (or found the queue empty).
      if (state.length === 0) return [state];
      const next: Elems[] = [];
      for (let i = 0; i < state.length; i++) if (i === 0 || state[i] !== state[i - 1]) next.push(removeAt(state, i));
      return next;
    },
    ...queueModelCommon('unordered-queue', start),
    describeState: (s) => `the queue holds ${showElems(s)}`,
  };
}
