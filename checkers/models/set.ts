// A grow-only set: add x, and read, which returns every element added so far (in any order).

import type { Op } from '../../src/core/op.js';
import { UNKNOWN_OUTPUT, UnsupportedOpError, type Model, type PlacedCall } from '../model.js';
import { bareKeyword } from '../values.js';
import { elemKey, hashElems, insertSorted, sameElems, showElems, sortedKeysOf, type Elems } from './collection.js';

export type SetInput = { kind: 'add'; elem: string } | { kind: 'read' };
/** A read's elements, sorted and deduplicated; null for an add. */
export type SetOutput = Elems | null;

function readElems(op: Op, value: unknown): Elems {
  if (!Array.isArray(value)) throw new UnsupportedOpError(op, 'set', 'a read must return a list of elements');
  return [...new Set(sortedKeysOf(value))];
}

/**
 * Pruning rule "unread crashed add": a crashed add(x) may be treated as never having happened
 * when no read that completes after its invoke contains x. Argument: in any linearization using
 * the add, every read linearized after it completes after its invoke and sees x, so by assumption
 * there is none except crashed reads (which see anything); removing the add changes only x's
 * membership, which no remaining read observes, and adds never depend on the state.
 */
function unreadCrashedAdd(calls: readonly PlacedCall<SetInput, SetOutput>[], crashed: number): boolean {
  const add = calls[crashed]!;
  if (add.input.kind !== 'add') return false;
  const x = add.input.elem;
  return !calls.some((c) => c.returnAt > add.callAt && c.output !== UNKNOWN_OUTPUT && c.output !== null && c.output.includes(x));
}

export function setModel(initial: unknown = []): Model<Elems, SetInput, SetOutput> {
  const start: Elems = Array.isArray(initial) ? [...new Set(sortedKeysOf(initial))] : [];
  return {
    name: 'set',
    fs: ['add', 'read'],
    init: () => start,
    step(state, input, output) {
      if (input.kind === 'add') return [state.includes(input.elem) ? state : insertSorted(state, input.elem)];
      return output === UNKNOWN_OUTPUT || (output !== null && sameElems(state, output)) ? [state] : [];
    },
    equal: sameElems,
    hash: hashElems,
    decode(invoke, completion) {
      const f = bareKeyword(invoke.f);
      if (f === 'add') return { input: { kind: 'add', elem: elemKey(invoke.value) }, output: completion ? null : UNKNOWN_OUTPUT };
      if (f === 'read') return { input: { kind: 'read' }, output: completion ? readElems(invoke, completion.value) : UNKNOWN_OUTPUT };
      throw new UnsupportedOpError(invoke, 'set', 'f must be one of add, read');
    },
    isPure: (input) => input.kind === 'read',
    crashedIsIrrelevant: unreadCrashedAdd,
    needs: (_input, output) => (output === UNKNOWN_OUTPUT || output === null ? [] : output.filter((x) => !start.includes(x))),
    provides: (input) => (input.kind === 'add' ? [input.elem] : []),
    inputKey: (input) => (input.kind === 'add' ? `a${input.elem}` : 'r'),
    describeCall(input, output) {
      if (input.kind === 'add') return `add ${input.elem}${output === UNKNOWN_OUTPUT ? ' (crashed)' : ''}`;
      return output === UNKNOWN_OUTPUT || output === null ? 'read (crashed)' : `read of ${showElems(output)}`;
    },
    describeState: (s) => `the set is ${showElems(s)}`,
  };
}
