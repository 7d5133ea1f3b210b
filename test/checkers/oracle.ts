// Brute-force linearizability oracle for tests: tries every order consistent with real time,
// with every crashed op either taking effect (at any point after its invoke) or never. It shares
// nothing with the checker's search (no event list, no pruning, no dominance, no prefixes); it
// only memoizes failed (placed set, state) pairs, which are plainly equivalent.

import type { Op } from '../../src/core/op.js';
import type { AnyModel } from '../../checkers/model.js';

interface OracleCall {
  input: unknown;
  output: unknown;
  callPos: number;
  returnPos: number;
  required: boolean;
}

/** Jepsen semantics; `failMeansFalse` lists f values whose fail means "returned false". */
export function oracleLinearizable(history: readonly Op[], model: AnyModel, failMeansFalse: readonly string[] = []): boolean {
  const byKey = new Map<string, OracleCall[]>();
  const open = new Map<Op['process'], { op: Op; pos: number }>();
  const finish = (inv: { op: Op; pos: number }, done: Op | undefined, pos: number): void => {
    const { input, output } = model.decode(inv.op, done);
    const key = model.keyOf?.(inv.op) ?? '';
    const list = byKey.get(key) ?? [];
    byKey.set(key, list);
    list.push({ input, output, callPos: inv.pos, returnPos: done ? pos : Infinity, required: done !== undefined });
  };
  history.forEach((op, pos) => {
    if (op.process === 'nemesis') return;
    if (op.type === 'invoke') return void open.set(op.process, { op, pos });
    const inv = open.get(op.process);
    if (!inv) return;
    open.delete(op.process);
    if (op.type === 'ok') finish(inv, op, pos);
    else if (op.type === 'info') finish(inv, undefined, pos);
    else if (failMeansFalse.includes(op.f)) finish(inv, op, pos);
  });
  for (const inv of open.values()) finish(inv, undefined, Infinity);
  return [...byKey.values()].every((calls) => linearizableCalls(calls, model));
}

function linearizableCalls(calls: OracleCall[], model: AnyModel): boolean {
  const n = calls.length;
  const failed = new Set<string>();
  const requiredMask = calls.reduce((m, c, i) => (c.required ? m | (1 << i) : m), 0);
  const go = (placed: number, state: unknown): boolean => {
    if ((placed & requiredMask) === requiredMask) return true;
    const memo = `${placed}|${JSON.stringify(state)}`;
    if (failed.has(memo)) return false;
    for (let i = 0; i < n; i++) {
      if (placed & (1 << i)) continue;
      const c = calls[i]!;
      // c can go next only if no unplaced completed op returned before c was invoked.
      let blocked = false;
      for (let j = 0; j < n && !blocked; j++) {
        if (j !== i && !(placed & (1 << j)) && calls[j]!.required && calls[j]!.returnPos < c.callPos) blocked = true;
      }
      if (blocked) continue;
      for (const next of model.step(state, c.input, c.output)) if (go(placed | (1 << i), next)) return true;
    }
    failed.add(memo);
    return false;
  };
  return go(0, model.init());
}
