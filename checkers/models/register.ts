// A read/write register (Jepsen's `register`): read returns the last value written.

import type { Model } from '../model.js';
import type { Scalar } from '../values.js';
import { toScalar } from '../values.js';
import {
  certainlyStaleRead, crashedRegisterCallIsIrrelevant, decodeRegisterCall, registerIsPure, registerNeeds, registerProvides, describeRegisterCall, hashRegister,
  registerInputKey, showRegister, stepRegister, type RegisterInput, type RegisterKind, type RegisterOutput,
} from './register-ops.js';

/** Builds a register-like model restricted to some operations (shared with cas-register). */
export function registerFamilyModel(
  name: string,
  kinds: readonly RegisterKind[],
  fs: readonly string[],
  initial: unknown,
): Model<Scalar, RegisterInput, RegisterOutput> {
  const start = toScalar(initial);
  return {
    name,
    fs,
    init: () => start,
    step: stepRegister,
    equal: (a, b) => a === b,
    hash: hashRegister,
    decode: (invoke, completion) => decodeRegisterCall(invoke, name, kinds, invoke.value, completion),
    isPure: registerIsPure,
    crashedIsIrrelevant: crashedRegisterCallIsIrrelevant,
    certainViolation: (calls) => certainlyStaleRead(calls, start),
    // The initial value needs no writer.
    needs: (input, output) => registerNeeds(input, output).filter((t) => t !== JSON.stringify(start)),
    provides: registerProvides,
    inputKey: registerInputKey,
    describeCall: describeRegisterCall,
    describeState: (s) => `the register holds ${showRegister(s)}`,
  };
}

export function registerModel(initial: unknown = null): Model<Scalar, RegisterInput, RegisterOutput> {
  return registerFamilyModel('register', ['read', 'write'], ['read', 'write'], initial);
}
