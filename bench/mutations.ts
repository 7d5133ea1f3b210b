// Prints the mutation table: each protocol mistake (switched on in the simulator only) and the
// number of randomized seeds (1000 steps each) until the simulator's checks first catch it.
// Usage: node dist/bench/mutations.js [--max-seeds 3000] [--only name,name]

import { MUTATIONS, firstCatch } from '../src/store/sim/mutations.js';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? undefined : args[i + 1];
};
const maxText = flag('max-seeds') ?? '3000';
const maxSeeds = Number(maxText);
if (!/^\d+$/.test(maxText) || maxSeeds < 1) {
  console.error(`bad --max-seeds ${JSON.stringify(maxText)} (expected a positive integer)`);
  process.exit(254);
}
const only = flag('only')?.split(',');
const unknown = only?.find((n) => !MUTATIONS.some((m) => m.name === n));
if (unknown !== undefined) {
  console.error(`unknown mutation ${JSON.stringify(unknown)} (known: ${MUTATIONS.map((m) => m.name).join(', ')})`);
  process.exit(254);
}

console.log(`protocol  mutation                   seeds to first catch (max ${maxSeeds})  ms      first violation`);
for (const m of MUTATIONS) {
  if (only && !only.includes(m.name)) continue;
  const t0 = Date.now();
  const c = firstCatch(m, maxSeeds);
  const ms = Date.now() - t0;
  const seeds = c.seed === undefined ? `ESCAPED (${c.seedsRun})` : String(c.seed);
  console.log(`${m.protocol.padEnd(9)} ${m.name.padEnd(26)} ${seeds.padEnd(38)} ${String(ms).padEnd(7)} ${(c.message ?? '').replace(/\(rerun with.*$/, '').slice(0, 140)}`);
}
