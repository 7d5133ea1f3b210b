// `faultline cluster status`: role, term and leader of each node of the running cluster.

import { FaultlineCommand } from '../../cli/base.js';
import { requireClusterState } from '../../runtime/cluster-state.js';
import { statuses } from '../../db/store.js';

export interface ClusterStatusResult {
  runId: string;
  runtime: string;
  nodes: { name: string; clientAddr: string; up: boolean; role?: string; term?: number; leader?: string | null; commitIndex?: number }[];
}

export default class ClusterStatus extends FaultlineCommand {
  static override summary = 'Show role, term and leader of each node of the running cluster.';
  static override description = 'Asks every node of the cluster started by `faultline cluster up` for its status; a node that does not answer within a second is shown as down.';
  static override examples = ['<%= config.bin %> cluster status', '<%= config.bin %> cluster status --json'];
  static override enableJsonFlag = true;

  async run(): Promise<ClusterStatusResult> {
    await this.parse(ClusterStatus);
    const state = requireClusterState();
    const st = await statuses(state.nodes, 1000);
    const nodes = state.nodes.map((n) => {
      const s = st.get(n.name);
      return s
        ? { name: n.name, clientAddr: n.clientAddr, up: true, role: s.role, term: s.term, leader: s.leader ?? null, commitIndex: s.commitIndex }
        : { name: n.name, clientAddr: n.clientAddr, up: false };
    });
    this.say(`cluster ${state.runId} (${state.runtime}, ${state.spec.db})`);
    for (const n of nodes) {
      this.say(n.up ? `  ${n.name}  ${n.role!.padEnd(13)} term ${n.term}  leader ${n.leader ?? '-'}  commit ${n.commitIndex}` : `  ${n.name}  down (no answer from ${n.clientAddr})`);
    }
    return { runId: state.runId, runtime: state.runtime, nodes };
  }
}
