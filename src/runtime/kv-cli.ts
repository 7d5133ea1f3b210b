// Shared by the `kv` commands: a client for the running cluster, value parsing, and exit codes
// (0 ok; 1 the op did not happen: cas mismatch or a definite failure; 2 unknown outcome).

import { clientNodes, requireClusterState } from './cluster-state.js';
import { StoreClient, type Outcome } from '../db/store.js';

/** A value from the command line: JSON when it parses, else the string itself. */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export async function withClusterClient<T>(f: (c: StoreClient) => Promise<T>, timeoutMs = 5000): Promise<T> {
  const client = new StoreClient({ nodes: clientNodes(requireClusterState()), timeoutMs });
  try {
    return await f(client);
  } finally {
    await client.close();
  }
}

export function exitCodeOf(o: Outcome<unknown>): number {
  return o.type === 'ok' ? 0 : o.type === 'fail' ? 1 : 2;
}

export interface KvResult {
  outcome: Outcome<unknown>['type'];
  value?: unknown;
  error?: string;
  node?: string;
}

export function kvResult(o: Outcome<unknown>): KvResult {
  return o.type === 'ok' ? { outcome: 'ok', value: o.value, node: o.node } : { outcome: o.type, error: o.error, ...(o.node ? { node: o.node } : {}) };
}
