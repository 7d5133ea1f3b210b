// The --bug switches: deliberate, documented mistakes the harness must catch (see README.md).

export const BUGS = ['stale-read', 'early-ack', 'no-fsync', 'lease-read', 'skip-sync', 'local-read'] as const;
/** Zab-only switches (a Raft node refuses them); lease-read has no meaning in Zab (no leases). */
export const ZAB_ONLY_BUGS: readonly Bug[] = ['skip-sync', 'local-read'];
export type Bug = (typeof BUGS)[number];

/** Parses a comma-separated list of bug names; throws naming the first unknown one. */
export function parseBugs(text: string): Bug[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(BUGS as readonly string[]).includes(n)) throw new Error(`unknown bug ${JSON.stringify(n)} (known: ${BUGS.join(', ')})`);
  }
  return [...new Set(names)] as Bug[];
}
