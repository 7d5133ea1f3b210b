// The cluster that `faultline cluster up` left running, as $FAULTLINE_HOME/cluster.json: enough
// for `cluster status`, `cluster down` and `kv` (run id, runtime, node addresses, folders) from
// another process. One cluster at a time per FAULTLINE_HOME.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { faultlineHome } from '../core/home.js';
import { UserError } from '../core/errors.js';
import type { FaultMechanisms, NodeHandle, StoredClusterSpec } from './types.js';

export interface ClusterState {
  runId: string;
  runtime: 'docker' | 'local';
  /** The spec, the db by name (and the store's bug switches, when `cluster up` started the store). */
  spec: StoredClusterSpec & { bugs?: string[] };
  nodes: NodeHandle[];
  mechanisms: FaultMechanisms;
  /** Keep the run folder (data + logs) at `cluster down`. */
  keepData: boolean;
  startedAt: string;
  image?: string;
}

export function clusterStatePath(): string {
  return join(faultlineHome(), 'cluster.json');
}

export function readClusterState(): ClusterState | undefined {
  const file = clusterStatePath();
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

/** The running cluster, or a UserError saying how to start one. */
export function requireClusterState(): ClusterState {
  const s = readClusterState();
  if (!s) throw new UserError(`no cluster is up (no ${clusterStatePath()}); start one with: faultline cluster up`);
  return s;
}

export function writeClusterState(s: ClusterState): void {
  writeFileSync(clusterStatePath(), JSON.stringify(s, null, 2) + '\n');
}

export function removeClusterState(): void {
  rmSync(clusterStatePath(), { force: true });
}

/** The StoreClient's node map of a cluster. */
export function clientNodes(s: ClusterState): Record<string, string> {
  return Object.fromEntries(s.nodes.map((n) => [n.name, n.clientAddr]));
}
