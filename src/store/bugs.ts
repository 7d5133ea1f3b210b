// The --bug switches: deliberate, documented mistakes the harness must catch (see README.md).

export const BUGS = ['stale-read', 'early-ack', 'no-fsync', 'lease-read', 'skip-sync', 'local-read'] as const;
/** Zab-only switches (a Raft node refuses them); lease-read has no meaning in Zab (no leases). */
export const ZAB_ONLY_BUGS: readonly Bug[] = ['skip-sync', 'local-read'];
export type Bug = (typeof BUGS)[number];

/** Why a bug switch cannot be used with a protocol (one line naming both), or undefined if it can. */
export function bugProtocolError(protocol: string, bug: Bug): string | undefined {
  if (protocol === 'zab' && bug === 'lease-read') return `--bug lease-read does not apply to zab (Zab has no leader lease)`;
  if (protocol !== 'zab' && ZAB_ONLY_BUGS.includes(bug)) return `--bug ${bug} applies only to zab, not ${protocol}`;
  return undefined;
}

/** Parses a comma-separated list of bug names; throws naming the first unknown one. */
export function parseBugs(text: string): Bug[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(BUGS as readonly string[]).includes(n)) throw new Error(`unknown bug ${JSON.stringify(n)} (known: ${BUGS.join(', ')})`);
  }
  return [...new Set(names)] as Bug[];
}
