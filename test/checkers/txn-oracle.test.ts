// The list-append checker against a brute-force serializability oracle: thousands of small
// generated histories (valid ones, and ones from broken isolation or with planted anomalies);
// the checker's serializable and strict-serializable verdicts must equal the oracle's, and each
// planted anomaly must be named.

import test from 'ava';
import { checkListAppend } from '../../checkers/txn/list-append.js';
import type { AnomalyKind } from '../../checkers/txn/models.js';
import { MODES, oracleSerializable, smallTxnHistory, type Mode } from './txn-gen.js';

const PER_MODE = 700; // 9 modes × 700 = 6,300 histories

const expected: Partial<Record<Mode, AnomalyKind[]>> = {
  garbage: ['garbage-read'],
  duplicate: ['duplicate-appends'],
  aborted: ['G1a'],
  internal: ['internal'],
  incompatible: ['incompatible-order'],
};

test('checker verdicts equal the brute-force oracle on 6,300 small histories', (t) => {
  const disagreements: string[] = [];
  const tally: Record<string, number> = {};
  let checked = 0;
  let invalid = 0;
  let strictOnly = 0;
  for (const mode of MODES) {
    for (let seed = 1; seed <= PER_MODE; seed++) {
      const h = smallTxnHistory(seed * 31 + MODES.indexOf(mode), mode);
      const ser = checkListAppend(h, { consistencyModel: 'serializable' });
      const strict = checkListAppend(h, { consistencyModel: 'strict-serializable' });
      if (ser.valid === 'unknown') {
        // only when nothing committed
        if (ser.stats.ok !== 0) disagreements.push(`${mode}/${seed}: unknown: ${ser.unknownReasons.join('; ')}`);
        continue;
      }
      checked++;
      const oSer = oracleSerializable(h, false);
      const oStrict = oracleSerializable(h, true);
      if (ser.valid !== oSer) disagreements.push(`${mode}/${seed}: serializable checker=${ser.valid} oracle=${oSer} ${ser.anomalyTypes.join(',')}\n${h.map((o) => JSON.stringify(o)).join('\n')}`);
      if (strict.valid !== oStrict) disagreements.push(`${mode}/${seed}: strict checker=${strict.valid} oracle=${oStrict} ${strict.anomalyTypes.join(',')}\n${h.map((o) => JSON.stringify(o)).join('\n')}`);
      if (!oSer) invalid++;
      if (oSer && !oStrict) strictOnly++;
      for (const k of strict.anomalyTypes) tally[k] = (tally[k] ?? 0) + 1;
      for (const k of expected[mode] ?? []) tally[`planted ${mode}`] = (tally[`planted ${mode}`] ?? 0) + (strict.anomalyTypes.includes(k) ? 1 : 0);
    }
  }
  t.log(`checked ${checked}; not serializable ${invalid}; serializable but not strict ${strictOnly}`);
  t.log(JSON.stringify(tally));
  t.deepEqual(disagreements.slice(0, 3), []);
  t.is(disagreements.length, 0);
  t.true(checked >= 5000, `checked ${checked}`);
  // Both verdicts occur plenty (the test cannot pass by always saying one thing).
  t.true(invalid > 500 && checked - invalid > 500, `invalid ${invalid} of ${checked}`);
  t.true(strictOnly > 20, `serializable-but-not-strict ${strictOnly}`);
  // Every planted anomaly kind is named in many histories, and the cycle kinds all occur.
  for (const mode of Object.keys(expected)) t.true((tally[`planted ${mode}`] ?? 0) > 100, `planted ${mode}: ${tally[`planted ${mode}`]}`);
  for (const k of ['G0', 'G1b', 'G1c', 'G-single', 'G2-item', 'G-single-realtime']) t.true((tally[k] ?? 0) > 5, `${k}: ${tally[k]}`);
});

test('atomic executions are strict serializable (no false alarms)', (t) => {
  for (let seed = 1; seed <= 500; seed++) {
    const h = smallTxnHistory(seed, 'atomic');
    const r = checkListAppend(h, { consistencyModel: 'strict-serializable' });
    if (r.stats.ok === 0) continue;
    t.is(r.valid, true, `seed ${seed}: ${r.anomalies.map((a) => a.text).join('\n')}`);
  }
});
