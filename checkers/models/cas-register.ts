// A compare-and-set register (Jepsen's `cas-register`): read, write, and cas [from to], which sets
// `to` only when the register holds `from`.

import type { Model } from '../model.js';
import type { Scalar } from '../values.js';
import type { RegisterInput, RegisterOutput, RegisterState } from './register-ops.js';
import { registerFamilyModel } from './register.js';

export function casRegisterModel(initial: unknown = null, nilReadsAnything = false): Model<RegisterState, RegisterInput, RegisterOutput> {
  return registerFamilyModel('cas-register', ['read', 'write', 'cas'], ['read', 'write', 'cas'], initial, nilReadsAnything);
}
