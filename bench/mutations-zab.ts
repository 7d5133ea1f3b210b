// Prints, for every test-only Zab mutation and every --bug switch that applies to Zab, how many
// seeds of the randomized simulation run before its checks catch it (and what they caught).
//
//   node dist/bench/mutations-zab.js [--max-seeds 500] [--steps 1000]

import { BUGS, type Bug } from '../src/store/bugs.js';
import { ZAB_MUTATIONS } from '../src/store/zab/config.js';
import { firstCatch } from '../src/store/zab/mutations.js';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i === -1 ? fallback : Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`bad --${name} ${JSON.stringify(process.argv[i + 1])} (expected a positive integer)\n`);
    process.exit(254);
  }
  return v;
}

const maxSeeds = flag('max-seeds', 500);
const steps = flag('steps', 1000);
const bugs = BUGS.filter((b): b is Bug => b !== 'lease-read');
console.log(`zab: seeds to first catch (max ${maxSeeds} seeds × ${steps} steps)`);
console.log('mutation / bug'.padEnd(28) + 'seeds'.padStart(7) + 'ms'.padStart(9) + '  first violation');
for (const what of [...ZAB_MUTATIONS.map((mutation) => ({ mutation })), ...bugs.map((bug) => ({ bug }))]) {
  const c = firstCatch(what, maxSeeds, steps);
  const why = c.message ? c.message.replace(/^sim seed \d+: /, '').replace(/ \(rerun with .*\)$/, '') : 'ESCAPED';
  console.log(c.name.padEnd(28) + String(c.seeds ?? `>${maxSeeds}`).padStart(7) + String(c.ms).padStart(9) + '  ' + why);
}
