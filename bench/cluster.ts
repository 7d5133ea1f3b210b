// Cluster figures: image build time from nothing (with --fresh), cluster up and down times for 3
// and 5 nodes, and time from partitioning the leader away to a new leader, on each runtime that is
// available here. Usage: node dist/bench/cluster.js [--fresh] [--runtime docker|local|both] [--repeat N]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolate } from '../nemeses/grudge.js';
import { leaderOf, statuses, storeDb } from '../src/db/store.js';
import { newRunId } from '../src/runtime/common.js';
import { dockerAnswers, DockerRuntime, ensureImage, removeImages } from '../src/runtime/docker.js';
import { LocalRuntime } from '../src/runtime/local.js';
import { need, pollUntil, progress, type NodeHandle, type Runtime } from '../src/runtime/types.js';

const argv = process.argv.slice(2);
const fresh = argv.includes('--fresh');
const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const which = flag('--runtime') ?? 'both';
const repeat = Number(flag('--repeat') ?? 3);
if (!['docker', 'local', 'both'].includes(which) || !(repeat >= 1)) {
  console.error('usage: node dist/bench/cluster.js [--fresh] [--runtime docker|local|both] [--repeat N]');
  process.exit(254);
}
process.env.FAULTLINE_HOME ??= mkdtempSync(join(tmpdir(), 'faultline-bench-'));

async function leader(nodes: NodeHandle[], not?: string, timeoutMs = 20_000): Promise<string> {
  return pollUntil('leader', async () => {
    const l = leaderOf(await statuses(nodes, 300));
    return l && l !== not ? l : undefined;
  }, AbortSignal.timeout(timeoutMs), 20);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function measure(kind: 'docker' | 'local', nodeCount: number) {
  const up: number[] = [], toLeader: number[] = [], down: number[] = [], failover: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const rt: Runtime = kind === 'docker' ? new DockerRuntime() : new LocalRuntime();
    const runDir = mkdtempSync(join(tmpdir(), 'faultline-bench-run-'));
    try {
      const t0 = performance.now();
      const nodes = await rt.up({ runId: newRunId(), db: storeDb('raft'), nodeCount, runDir }, progress(300_000));
      up.push(performance.now() - t0);
      const first = await leader(nodes);
      toLeader.push(performance.now() - t0);
      const t1 = performance.now();
      await need(rt, 'partition').partition(isolate(nodes.map((n) => n.name), first), progress(30_000));
      await leader(nodes.filter((n) => n.name !== first), first);
      failover.push(performance.now() - t1);
      const t2 = performance.now();
      await rt.down(progress(60_000));
      down.push(performance.now() - t2);
    } finally {
      await rt.down(progress(60_000)); // a no-op after a clean run; after a failure, leaves nothing behind
      rmSync(runDir, { recursive: true, force: true });
    }
  }
  const f = (xs: number[]) => `${(median(xs) / 1000).toFixed(2)} s`;
  console.log(`${kind.padEnd(6)} ${String(nodeCount).padStart(5)}  up ${f(up)}  up+leader ${f(toLeader)}  down ${f(down)}  partition->new leader ${f(failover)}  (median of ${repeat})`);
}

const hasDocker = await dockerAnswers();
if (hasDocker && which !== 'local') {
  if (fresh) {
    const { kept } = await removeImages({ base: true });
    if (kept.length > 0) console.log(`in use by containers, not removed: ${kept.join(', ')}`);
  }
  const t0 = performance.now();
  const r = await ensureImage(progress(900_000));
  console.log(`image ${r.tag}: ${r.built ? `built${r.baseBuilt ? ' from nothing (base + node)' : ' (node layer only)'} in ${((performance.now() - t0) / 1000).toFixed(1)} s` : 'cached'}`);
} else if (which !== 'local') console.log('docker: no daemon answers; docker figures skipped');
console.log('runtime nodes  figures');
for (const kind of ['docker', 'local'] as const) {
  if (which !== 'both' && which !== kind) continue;
  if (kind === 'docker' && !hasDocker) continue;
  for (const n of [3, 5]) await measure(kind, n);
}
