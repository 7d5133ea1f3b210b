// A read/write register (Jepsen's `register`): read returns the last value written.

import type { Model } from '../model.js';
import type { Scalar } from '../values.js';
import { toScalar } from '../values.js';
import { StringInterner } from './append-text.js';
import {
  decodeRegisterCall, registerModelCommon, showRegister, type RegisterInput, type RegisterKind, type RegisterOutput, type RegisterState,
} from './register-ops.js';

/** Builds a register-like model restricted to some operations (shared with cas-register). */
export function registerFamilyModel(
  name: string,
  kinds: readonly RegisterKind[],
  fs: readonly string[],
  initial: unknown,
  nilReadsAnything = false,
): Model<RegisterState, RegisterInput, RegisterOutput> {
  const start = toScalar(initial);
  const interner = new StringInterner();
  return {
    name,
    fs,
    ...registerModelCommon(start),
    decode: (invoke, completion) => decodeRegisterCall(invoke, name, kinds, invoke.value, completion, interner, nilReadsAnything),
    describeState: (s) => `the register holds ${showRegister(s)}`,
  };
}

export function registerModel(initial: unknown = null, nilReadsAnything = false): Model<RegisterState, RegisterInput, RegisterOutput> {
  return registerFamilyModel('register', ['read', 'write'], ['read', 'write'], initial, nilReadsAnything);
}
