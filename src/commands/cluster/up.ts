// `faultline cluster up`: starts a cluster of the bundled store and leaves it running, for
// exploring by hand with `kv` and `cluster status`; `cluster down` stops it.

import { Flags } from '@oclif/core';
import { join } from 'node:path';
import { FaultlineCommand } from '../../cli/base.js';
import { UserError } from '../../core/errors.js';
import { faultlineHome } from '../../core/home.js';
import { newRunId } from '../../runtime/common.js';
import { readClusterState, writeClusterState, type ClusterState } from '../../runtime/cluster-state.js';
import { chooseRuntime, parseRuntimeChoice, RUNTIME_CHOICES } from '../../runtime/index.js';
import { pollUntil, progress, serializableSpec, type ClusterSpec } from '../../runtime/types.js';
import { BUGS, parseBugs } from '../../store/bugs.js';
import { statuses, leaderOf, storeDb, type StoreProtocol } from '../../db/store.js';

const DBS = ['raft', 'paxos', 'zab'] as const;

export interface ClusterUpResult extends ClusterState {
  runtimeReason: string;
  leader: string | null;
  upMs: number;
  leaderMs: number | null;
}

export default class ClusterUp extends FaultlineCommand {
  static override summary = 'Start a cluster of the bundled store and leave it running.';
  static override description =
    'Starts N nodes of the bundled replicated store (docker containers on a private bridge, or local processes on 127.0.0.1), waits until each listens and a leader is elected, and records the cluster in $FAULTLINE_HOME/cluster.json for `cluster status`, `cluster down` and `kv`. One cluster per FAULTLINE_HOME. Local clusters run without link proxies (no faults outlive this command), so nemeses need `faultline test`.';
  static override examples = [
    '<%= config.bin %> cluster up',
    '<%= config.bin %> cluster up --nodes 5 --runtime local',
    '<%= config.bin %> cluster up --db raft --bug stale-read --json',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    db: Flags.string({ description: `Replication protocol (${DBS.join(', ')}).`, default: 'raft' }),
    nodes: Flags.string({ description: 'Number of nodes (1-9).', default: '3' }),
    runtime: Flags.string({ description: `Where nodes run (${RUNTIME_CHOICES.join(', ')}); auto = docker when a daemon answers.`, default: 'auto' }),
    bug: Flags.string({ description: `Comma-separated bugs to switch on (${BUGS.join(', ')}).`, default: '' }),
    'keep-data': Flags.boolean({ description: 'Keep data folders and logs at `cluster down`.', default: false }),
    'timeout-ms': Flags.integer({ description: 'Give up when the cluster is not up after this long (image build included).', default: 300_000, min: 1 }),
  };

  async run(): Promise<ClusterUpResult> {
    const { flags } = await this.parse(ClusterUp);
    if (!(DBS as readonly string[]).includes(flags.db)) throw new UserError(`unknown --db "${flags.db}" (allowed: ${DBS.join(', ')})`);
    const nodeCount = Number(flags.nodes);
    if (!/^\d+$/.test(flags.nodes) || nodeCount < 1 || nodeCount > 9) throw new UserError(`bad --nodes "${flags.nodes}" (allowed: 1-9)`);
    const choice = parseRuntimeChoice(flags.runtime);
    let bugs: string[];
    try {
      bugs = parseBugs(flags.bug);
    } catch (err) {
      throw new UserError(`bad --bug "${flags.bug}": ${(err as Error).message} (allowed: ${BUGS.join(', ')})`, { cause: err });
    }
    const existing = readClusterState();
    if (existing) throw new UserError(`a cluster is already up (run ${existing.runId}, ${existing.runtime}); stop it with: faultline cluster down`);

    const { runtime, reason } = await chooseRuntime(choice, { persistent: true });
    this.note(reason);
    const runId = newRunId();
    const spec: ClusterSpec = { runId, db: storeDb(flags.db as StoreProtocol, bugs), nodeCount, runDir: join(faultlineHome(), 'clusters', runId), proxied: false };
    const p = progress(flags['timeout-ms'], (m) => this.note(m));
    const started = Date.now();
    let nodes;
    try {
      nodes = await runtime.up(spec, p);
    } catch (err) {
      await runtime.down(progress(30_000)).catch(() => {});
      throw err;
    }
    const upMs = Date.now() - started;
    const state: ClusterState = {
      runId, runtime: runtime.kind, spec: { ...serializableSpec(spec), bugs }, nodes, mechanisms: runtime.mechanisms(), keepData: flags['keep-data'], startedAt: new Date(started).toISOString(),
      ...('image' in runtime && runtime.image ? { image: (runtime.image as { tag: string }).tag } : {}),
    };
    writeClusterState(state);
    let leader: string | null = null;
    let leaderMs: number | null = null;
    try {
      leader = await pollUntil('a leader', async () => leaderOf(await statuses(nodes, 500)), progress(15_000).signal, 100);
      leaderMs = Date.now() - started;
    } catch {
      this.note('no leader elected within 15 s (the cluster is up; see `faultline cluster status`)');
    }
    this.say(`cluster ${runId} up on ${runtime.kind} in ${(upMs / 1000).toFixed(1)} s${leader ? `, leader ${leader} after ${((leaderMs ?? 0) / 1000).toFixed(1)} s` : ''}`);
    for (const n of nodes) this.say(`  ${n.name}  client ${n.clientAddr}  data ${n.dataDir}`);
    return { ...state, runtimeReason: reason, leader, upMs, leaderMs };
  }
}
