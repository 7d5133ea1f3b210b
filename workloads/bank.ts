// bank (Jepsen's): transfers of money between accounts as transactions, and reads of every
// balance in one transaction; checked by checkers/bank.ts: every read keeps the total, shows
// exactly the known accounts, and is a state reachable from the initial balances by the
// transfers that may have happened by then (a stale or torn snapshot is not).
//
// Each transfer is unconditional (the store's txn has no conditional micro-op), so balances may go
// negative: the checker is told so (`negativeBalances`), and the rest of the check is unchanged.

import { bankChecker } from '../checkers/bank.js';
import { fn, limit, mix, onClients, once, repeat, untilOk } from '../src/generator/index.js';
import type { Workload } from './types.js';

export interface BankWorkloadOptions {
  /** Number of accounts, named "0".."n-1" (default 5). */
  accounts?: number;
  /** Initial balance of every account (default 20). */
  balance?: number;
  /** Largest amount of one transfer (default 5). */
  maxTransfer?: number;
}

export const BANK_DEFAULTS = { accounts: 5, balance: 20, maxTransfer: 5 } as const;

/** Account names and initial balances of a bank workload. */
export function bankAccounts(o: BankWorkloadOptions = {}): Record<string, number> {
  const n = o.accounts ?? BANK_DEFAULTS.accounts;
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [String(i), o.balance ?? BANK_DEFAULTS.balance]));
}

export function bankWorkload(o: BankWorkloadOptions = {}): Workload {
  const initial = bankAccounts(o);
  const names = Object.keys(initial);
  const maxTransfer = o.maxTransfer ?? BANK_DEFAULTS.maxTransfer;
  const transfer = fn((ctx) => {
    const [from, to] = ctx.rng.sample(names, 2) as [string, string];
    return { f: 'transfer', value: { from, to, amount: ctx.rng.int(1, maxTransfer) } };
  });
  // A read carries the accounts and their initial balances, so a client knows what to read and
  // what an account never written holds.
  const read = fn(() => ({ f: 'read', value: initial }));
  return {
    name: 'bank',
    ops: {
      transfer:
        `value {from, to, amount}: accounts "0".."${names.length - 1}" (each starting at ${initial[names[0]!]}), amount 1..${maxTransfer} ` +
        '→ ok when, in one transaction, amount left `from` and reached `to` (balances may go negative); fail when it certainly did not happen; info when it may have',
      read: 'value {account: initial balance} (every account) → ok with every account\'s balance read in one transaction, as {account: balance} (an account never written holds its initial balance)',
    },
    generator: mix([transfer, transfer, read]),
    final: onClients(limit(20, untilOk(repeat(once({ f: 'read', value: initial }))))),
    checkers: { bank: bankChecker({ initial, negativeBalances: true }) },
  };
}
