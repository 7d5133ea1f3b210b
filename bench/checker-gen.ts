// Writes generated histories to files for whole-process benchmarks of `faultline check`
// (a script, not a test): `node dist/bench/checker-gen.js kv1m OUT.jsonl` — the 1M-op kv history
// of issue 14 (1,000 keys, 20 clients, 70 crashed ops, valid by construction); `append214 OUT`
// — a 214-op, 4-client one-key append history with 15 crashed appends; `append20k OUT` — 20k
// ops, 50 clients, 10 keys. Add `--violation` to plant a violation. Then e.g.
//   /usr/bin/time -v node bin/run.js check OUT.jsonl --model kv
// (figures: wall time and "Maximum resident set size").

import { createWriteStream } from 'node:fs';
import type { Op } from '../src/core/op.js';
import { appendHistory, bigHistory } from '../test/checkers/generate.js';

const [kind, out] = process.argv.slice(2);
const violation = process.argv.includes('--violation');
let ops: Op[];
switch (kind) {
  case 'kv1m':
    ops = bigHistory({ ops: 1_000_000, concurrency: 20, crashed: 70, keys: 1000, seed: 5, ...(violation ? { violationAt: 0.5 } : {}) });
    break;
  case 'append214':
    ops = appendHistory({ ops: 214, clients: 4, keys: 1, crashed: 15, seed: 5, violation });
    break;
  case 'append20k':
    ops = appendHistory({ ops: 20_000, clients: 50, keys: 10, crashed: 100, seed: 1, violation });
    break;
  default:
    console.error('usage: checker-gen kv1m|append214|append20k OUT.jsonl [--violation]');
    process.exit(254);
}
if (!out) {
  console.error('usage: checker-gen kv1m|append214|append20k OUT.jsonl [--violation]');
  process.exit(254);
}
const stream = createWriteStream(out);
for (let i = 0; i < ops.length; i += 10_000) stream.write(ops.slice(i, i + 10_000).map((o) => JSON.stringify(o)).join('\n') + '\n');
stream.end(() => console.log(`${out}: ${ops.length} ops (${kind}${violation ? ', violation' : ''})`));
