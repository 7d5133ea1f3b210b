// A key-value map checked as one cas-register per key (P-compositionality: a history of
// independent keys is linearizable iff each key's sub-history is). Values are Jepsen's
// independent tuples [key, value] or objects { key, value }; reads, writes, cas and appends.

import type { Op } from '../../src/core/op.js';
import { UnsupportedOpError, type Model } from '../model.js';
import { canonicalJson, type Scalar } from '../values.js';
import { decodeRegisterCall, registerModelCommon, showRegister, type RegisterInput, type RegisterKind, type RegisterOutput, type RegisterState } from './register-ops.js';
import { toScalar } from '../values.js';
import { StringInterner } from './append-text.js';

interface Keyed {
  key: string;
  value: unknown;
}

/** Splits an op's value into key and inner value, or undefined when it carries no key. */
function splitKeyed(value: unknown): Keyed | undefined {
  if (Array.isArray(value) && value.length === 2) {
    const k = value[0];
    return { key: typeof k === 'string' ? k : canonicalJson(k), value: value[1] };
  }
  if (value !== null && typeof value === 'object' && 'key' in value) {
    const v = value as { key: unknown; value?: unknown };
    return { key: typeof v.key === 'string' ? v.key : canonicalJson(v.key), value: v.value ?? null };
  }
  return undefined;
}

function isStringTuple(value: unknown): value is [string, unknown] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string';
}

export function kvModel(initial: unknown = null, nilReadsAnything = false): Model<RegisterState, RegisterInput, RegisterOutput> {
  const name = 'kv';
  const start = toScalar(initial);
  const interner = new StringInterner();
  const fs: RegisterKind[] = ['read', 'write', 'cas', 'append'];
  const keyed = (op: Op): Keyed => {
    const k = splitKeyed(op.value);
    if (!k) throw new UnsupportedOpError(op, name, 'the value must be [key, value] or {key, value}');
    return k;
  };
  return {
    name,
    fs: ['read', 'write', 'cas', 'append'],
    ...registerModelCommon(start),
    // The common [string key, value] tuple is read in place (no object per op: 1M-op histories).
    keyOf: (invoke) => (isStringTuple(invoke.value) ? invoke.value[0] : keyed(invoke).key),
    decode: (invoke, completion) =>
      decodeRegisterCall(
        invoke,
        name,
        fs,
        isStringTuple(invoke.value) ? invoke.value[1] : keyed(invoke).value,
        // Jepsen's independent checker reads the completion's own tuple; a missing one reads as nil.
        completion && { type: completion.type, value: (isStringTuple(completion.value) ? completion.value[1] : splitKeyed(completion.value)?.value) ?? null },
        interner,
        nilReadsAnything,
      ),
    describeState: (s) => `the key holds ${showRegister(s)}`,
  };
}
