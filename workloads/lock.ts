// lock: a lock service on the bundled store, Chubby / ZooKeeper-recipe style. Every client thread
// competes for one lock: acquire (a lease of `leaseMs` with a fencing token that grows with every
// grant), writes to the protected resource carrying its token, release; a holder that stops
// releasing loses the lock when its lease runs out. The resource rejects a token lower than the
// highest it accepted. Checked by checkers/lock.ts where safety matters, at the resource: no token
// granted twice, tokens growing in real time, and no write accepted with a token lower than one
// already accepted (two holders at once); and, at the lock service, acquire/release linearizable
// as a lease-aware mutex (checkers/models/lease-mutex.ts): a grant over a held lock only once the
// holder's lease could have run out. The lease each acquire asks for travels in its value
// ({leaseMs}), so the checker reads it from the history.

import { lockChecker } from '../checkers/lock.js';
import { fn, mix, nothing } from '../src/generator/index.js';
import type { Workload } from './types.js';

/** Lease length of every grant (ms, the granting node's clock). */
export const LOCK_LEASE_MS = 500;

export function lockWorkload(): Workload {
  const acquire = fn(() => ({ f: 'acquire', value: { leaseMs: LOCK_LEASE_MS } }));
  // Thread t's n-th op writes n·C + t: unique, and the same for the same seed.
  const write = fn((ctx, thread) => ({ f: 'write', value: { token: null, value: ctx.nth * ctx.threads.filter((x) => x !== 'nemesis').length + (thread as number) } }));
  const release = fn(() => ({ f: 'release', value: null }));
  return {
    name: 'lock',
    ops: {
      acquire:
        'value {leaseMs} → ok with {token, expiresAt} when this client was granted the lock for a lease of leaseMs with fencing token `token` ' +
        '(a number greater than every earlier grant\'s); fail when the lock is held by another lease; info when unknown. The client keeps its token',
      write:
        'value {token: null, value: v} → the client writes v to the protected resource with the token of its current grant; ok with {token, value} ' +
        'when the resource accepted it (it rejects a token lower than the highest it accepted: fail); fail (nothing sent) when the client holds no grant',
      release: 'value null → ok with the released token when this client held the lock; fail when it held none (or it had been granted to another)',
    },
    // Holders write many times between acquires and release rarely (1 op in 11), so leases mostly
    // run out and the lock passes on by expiry, with earlier holders still holding their grants.
    generator: mix([acquire, acquire, write, write, write, write, write, write, write, write, release]),
    // Nothing to read at the end: the verdict is in the resource's answers.
    final: nothing,
    checkers: { lock: lockChecker() },
  };
}
