// Asks the store which node leads: every node's status in parallel; among nodes that say they are
// leader, the one with the highest term (an old leader on the minority side may still think it is).

import { StoreClient, type NodeStatus } from '../src/store/client.js';
import type { NodeHandle } from '../src/runtime/types.js';

/** Status of every node that answers within timeoutMs (others are left out). */
export async function statuses(nodes: readonly NodeHandle[], timeoutMs = 1000): Promise<Map<string, NodeStatus>> {
  const client = new StoreClient({ nodes: Object.fromEntries(nodes.map((n) => [n.name, n.clientAddr])), timeoutMs });
  try {
    const all = await Promise.all(nodes.map((n) => client.status(n.name).then((s) => [n.name, s] as const, () => null)));
    return new Map(all.filter((x): x is readonly [string, NodeStatus] => x !== null));
  } finally {
    await client.close();
  }
}

/** The leader with the highest term, or undefined. */
export function leaderOf(st: ReadonlyMap<string, NodeStatus>): string | undefined {
  let best: NodeStatus | undefined;
  for (const s of st.values()) if (s.role === 'leader' && (!best || s.term > best.term)) best = s;
  return best?.id;
}

export async function findLeader(nodes: readonly NodeHandle[], timeoutMs = 1000): Promise<string | undefined> {
  return leaderOf(await statuses(nodes, timeoutMs));
}
