// `faultline cluster down`: stops every node of the running cluster and removes its containers,
// network and processes; data folders and logs go too unless kept (--keep-data here or at up).

import { Flags } from '@oclif/core';
import { existsSync } from 'node:fs';
import { FaultlineCommand } from '../../cli/base.js';
import { cleanup } from '../../runtime/cleanup.js';
import { removeClusterState, requireClusterState } from '../../runtime/cluster-state.js';
import { removeRunDir } from '../../runtime/local.js';
import { progress } from '../../runtime/types.js';

export interface ClusterDownResult {
  runId: string;
  containers: string[];
  networks: string[];
  processes: number[];
  kept: string | null;
  downMs: number;
}

export default class ClusterDown extends FaultlineCommand {
  static override summary = 'Stop the running cluster and remove what it left.';
  static override description =
    'Stops the cluster started by `faultline cluster up` or left by `faultline test --leave-running`: removes its containers and network (docker) or kills its processes (local: the nodes, and the process carrying the link proxies of a cluster left by a test), then its data folders and logs unless --keep-data was given here or at `cluster up` (a test\'s cluster folder belongs to its run and is always kept).';
  static override examples = ['<%= config.bin %> cluster down', '<%= config.bin %> cluster down --keep-data'];
  static override enableJsonFlag = true;
  static override flags = {
    'keep-data': Flags.boolean({ description: 'Keep data folders and logs.', default: false }),
  };

  async run(): Promise<ClusterDownResult> {
    const { flags } = await this.parse(ClusterDown);
    const state = requireClusterState();
    const started = Date.now();
    const report = await cleanup(progress(30_000, (m) => this.note(m)), { runId: state.runId });
    const keep = flags['keep-data'] || state.keepData;
    if (!keep) removeRunDir(state.spec.runDir);
    removeClusterState();
    const downMs = Date.now() - started;
    const kept = keep && existsSync(state.spec.runDir) ? state.spec.runDir : null;
    this.say(`cluster ${state.runId} down in ${(downMs / 1000).toFixed(1)} s${kept ? `; kept ${kept}` : ''}`);
    return { runId: state.runId, containers: report.docker.containers, networks: report.docker.networks, processes: report.processes.map((x) => x.pid), kept, downMs };
  }
}
