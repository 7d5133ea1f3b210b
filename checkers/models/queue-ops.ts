// Decoding and the pruning rule shared by the FIFO and unordered queues: enqueue x, dequeue → x
// (a dequeue that returns nil saw an empty queue).

import type { Op } from '../../src/core/op.js';
import { UNKNOWN_OUTPUT, UnsupportedOpError, type Call, type MaybeOutput, type PlacedCall } from '../model.js';
import { bareKeyword } from '../values.js';
import { elemKey, hashElems, sameElems, type Elems } from './collection.js';

export type QueueInput = { kind: 'enqueue'; elem: string } | { kind: 'dequeue' };
/** A dequeue's element, or null (empty queue, or an enqueue). */
export type QueueOutput = string | null;

export function decodeQueueCall(modelName: string, invoke: Op, completion: Op | undefined): Call<QueueInput, QueueOutput> {
  const f = bareKeyword(invoke.f);
  if (f === 'enqueue') return { input: { kind: 'enqueue', elem: elemKey(invoke.value) }, output: completion ? null : UNKNOWN_OUTPUT };
  if (f === 'dequeue') {
    if (!completion) return { input: { kind: 'dequeue' }, output: UNKNOWN_OUTPUT };
    const v = completion.value;
    return { input: { kind: 'dequeue' }, output: v === null || v === undefined ? null : elemKey(v) };
  }
  throw new UnsupportedOpError(invoke, modelName, 'f must be one of enqueue, dequeue');
}

/**
 * Pruning rule "never-dequeued crashed enqueue": a crashed enqueue(x) may be treated as never
 * having happened when no completed dequeue that completes after its invoke returned x.
 * Argument: take a linearization L using it and remove it, plus the crashed dequeue (if any)
 * that took this x out in L. Until that point the queue in L' is L's queue minus this x. A
 * completed dequeue in that stretch returned some y ≠ x; in a FIFO queue it returned the head,
 * so x was not the head and the head of L' is still y; in an unordered queue y is still present.
 * A dequeue that saw an empty queue in L sees one in L'. Enqueues do not depend on the state.
 * After the removed crashed dequeue the queues are equal again.
 */
export function neverDequeuedCrashedEnqueue(calls: readonly PlacedCall<QueueInput, QueueOutput>[], crashed: number): boolean {
  const enq = calls[crashed]!;
  if (enq.input.kind !== 'enqueue') return false;
  const x = enq.input.elem;
  return !calls.some((c) => c.input.kind === 'dequeue' && c.returnAt > enq.callAt && c.output === x);
}

export function describeQueueCall(input: QueueInput, output: QueueOutput | typeof UNKNOWN_OUTPUT): string {
  if (input.kind === 'enqueue') return `enqueue ${input.elem}${output === UNKNOWN_OUTPUT ? ' (crashed)' : ''}`;
  if (output === UNKNOWN_OUTPUT) return 'dequeue (crashed)';
  return output === null ? 'dequeue of nothing (empty)' : `dequeue of ${output}`;
}

/**
 * The fields every queue model shares (FIFO and unordered differ only in init/step and how the
 * state reads): decoding, purity, the crashed-enqueue rule, and what each call needs/provides.
 */
export function queueModelCommon(name: string, start: Elems) {
  return {
    equal: sameElems,
    hash: hashElems,
    decode: (invoke: Op, completion: Parameters<typeof decodeQueueCall>[2]) => decodeQueueCall(name, invoke, completion),
    isPure: (input: QueueInput, output: MaybeOutput<QueueOutput>) => input.kind === 'dequeue' && output === null,
    crashedIsIrrelevant: neverDequeuedCrashedEnqueue,
    needs: (_input: QueueInput, output: MaybeOutput<QueueOutput>): string[] =>
      output === UNKNOWN_OUTPUT || output === null || start.includes(output) ? [] : [output],
    provides: (input: QueueInput): string[] => (input.kind === 'enqueue' ? [input.elem] : []),
    inputKey: (input: QueueInput) => (input.kind === 'enqueue' ? `e${input.elem}` : 'd'),
    describeCall: describeQueueCall,
  };
}
