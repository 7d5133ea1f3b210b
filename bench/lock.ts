// Benchmark of the lock checker with the lease-aware mutex: histories simulated from the store's
// own lock service (test/checkers/lock-oracle.ts: 10 client threads, a 50 ms lease, a 5 ms clock
// tolerance, 15 % crashed calls — far more than a real run's ~3 %), valid by construction.
// Prints calls, grants, crashed acquires and releases, the check's time and its verdict.
//
//   node dist/bench/lock.js                 # 1k, 10k, 50k calls
//   node dist/bench/lock.js 100000          # chosen sizes

import { checkLock } from '../checkers/lock.js';
import { simulateLock } from '../test/checkers/lock-oracle.js';

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
for (const calls of sizes.length ? sizes : [1000, 10_000, 50_000]) {
  const c = simulateLock(7, false, { threads: 10, ops: calls, leaseMs: 50, toleranceMs: 5 });
  const crashedReleases = c.history.filter((o) => o.f === 'release' && o.type === 'info').length;
  const t0 = performance.now();
  const r = checkLock(c.history, { clockSkewMs: 5 });
  const ms = performance.now() - t0;
  console.log(
    `${calls} calls (${c.history.length} ops): ${r.acquires.ok} grants, ${r.acquires.info} crashed acquires, ${crashedReleases} crashed releases — ` +
      `check ${ms.toFixed(0)} ms, lock ${String(r.valid)}, lease-aware mutex ${String(r.mutex?.valid)}`,
  );
}
