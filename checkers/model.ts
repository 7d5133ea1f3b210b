// The model contract of the linearizability checker: a record of pure functions over a sequential
// specification (init, step, equal, hash, describe), generic over state, input and output.
// A model never sees Op records directly at search time: `decode` turns an invoke + completion
// into one (input, output) call once, before the search, so the hot loop only calls `step`.

import type { Op } from '../src/core/op.js';

/** The output of a call whose completion we never saw (info, or no completion): any output. */
export const UNKNOWN_OUTPUT: unique symbol = Symbol('unknown output');
export type MaybeOutput<Output> = Output | typeof UNKNOWN_OUTPUT;

/** One call as the model sees it. */
export interface Call<Input, Output> {
  input: Input;
  output: MaybeOutput<Output>;
}

/** Why an op cannot be read by a model (wrong f, malformed value): reported, never guessed. */
export class UnsupportedOpError extends Error {
  constructor(readonly op: Op, readonly modelName: string, reason: string) {
    super(`op ${op.index} (${op.f} ${JSON.stringify(op.value)}): ${reason} for model ${modelName}`);
    this.name = 'UnsupportedOpError';
  }
}

export interface Model<State, Input, Output> {
  readonly name: string;
  /** The f values this model understands, for error messages. */
  readonly fs: readonly string[];
  init(): State;
  /**
   * The states the call may leave behind when applied to `state`; empty when the call is illegal
   * there. `output` is UNKNOWN_OUTPUT for crashed calls: then every output is allowed.
   * Must be pure: never mutate `state`.
   */
  step(state: State, input: Input, output: MaybeOutput<Output>): State[];
  equal(a: State, b: State): boolean;
  /** A 32-bit hash consistent with `equal`. */
  hash(state: State): number;
  /**
   * Reads an op pair into a call. `completion` is undefined for crashed calls (their output is
   * unknown); it is an `ok` op, or a `fail` op the caller declared to mean "completed, returned false".
   */
  decode(invoke: Op, completion: Op | undefined): Call<Input, Output>;
  /** P-compositionality: the independent key a call touches (kv), or undefined for one object. */
  keyOf?(invoke: Op): string | undefined;
  /**
   * True when every legal step of this call leaves the state as it was (a read; a cas that
   * returned false). Crashed pure calls are dropped (they are legal everywhere and change
   * nothing); completed ones are linearized as soon as they are legal (see wgl.ts).
   */
  isPure?(input: Input, output: MaybeOutput<Output>): boolean;
  /**
   * True when this crashed call (index `crashed` in `calls`) provably cannot matter, so the search
   * may treat it as never having happened. See each model for the argument.
   */
  crashedIsIrrelevant?(calls: readonly PlacedCall<Input, Output>[], crashed: number): boolean;
  /**
   * A position before which this crashed call (index `crashed` in `calls`) certainly took effect
   * (e.g. a completed read saw it), or undefined. The search then treats it as a completed call
   * returning there: the same linearizations, without trying to leave it out. See each model.
   */
  crashedDeadline?(calls: readonly PlacedCall<Input, Output>[], crashed: number): number | undefined;
  /**
   * Where observed values come from, so explanations stay readable: a call `needs` the tokens
   * of values it observed (a read of 3 needs "3") and `provides` the tokens of values it writes.
   * The shrinker keeps every need provided by some kept call (or the initial state).
   */
  needs?(input: Input, output: MaybeOutput<Output>): string[];
  provides?(input: Input, output: MaybeOutput<Output>): string[];
  /**
   * The token of the value a COMPLETED call certainly leaves behind, replacing whatever was there
   * (a write v, a cas that set v), or undefined. Used by explanations to tell which earlier
   * writers a read could still have observed: a writer of v followed in real time by a completed
   * call setting another value, itself before the read, was certainly overwritten.
   */
  sets?(input: Input, output: MaybeOutput<Output>): string | undefined;
  /**
   * Observations tokens cannot name (appends): true when `reader`'s output may reflect `writer`'s
   * effect. Explanations keep every such writer invoked before the reader returned.
   */
  observes?(reader: Call<Input, Output>, writer: Call<Input, Output>): boolean;
  /**
   * A completed call that provably cannot be linearized, found without search (index into
   * `calls`), or undefined. Must be sound: never name a call of a linearizable history.
   */
  certainViolation?(calls: readonly PlacedCall<Input, Output>[]): number | undefined;
  /**
   * True when every legal step of this call leaves a state that extends the one before (an
   * append, a read): between such calls only, `canPrecede` may prune.
   */
  extendsOnly?(input: Input, output: MaybeOutput<Output>): boolean;
  /**
   * False when a completed call with this input and output can no longer be linearized after
   * `state`, provided only `extendsOnly` calls run in between (a read of a string `state` is not
   * a prefix of). Must be sound.
   */
  canPrecede?(state: State, input: Input, output: MaybeOutput<Output>): boolean;
  /** A class key for inputs: crashed calls with equal keys are interchangeable in the search. */
  inputKey(input: Input): string;
  describeCall(input: Input, output: MaybeOutput<Output>): string;
  describeState(state: State): string;
}

/** A call with its place in real time (positions in the history; `returnAt` Infinity when crashed). */
export interface PlacedCall<Input, Output> extends Call<Input, Output> {
  callAt: number;
  returnAt: number;
  /** The invoke op, for reports. */
  invoke: Op;
  completion?: Op;
}

/** A model whose type parameters are erased, for registries and workers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyModel = Model<any, any, any>;
