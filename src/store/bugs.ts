// The --bug switches: deliberate, documented mistakes the harness must catch (see README.md).

export const BUGS = ['stale-read', 'early-ack', 'no-fsync', 'lease-read', 'skip-prepare'] as const;
export type Bug = (typeof BUGS)[number];

/** Bugs that exist only in one protocol's core (the others apply to every protocol). */
export const PROTOCOL_BUGS: Partial<Record<Bug, string>> = { 'skip-prepare': 'paxos' };

/** Parses a comma-separated list of bug names; throws naming the first unknown one. */
export function parseBugs(text: string): Bug[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(BUGS as readonly string[]).includes(n)) throw new Error(`unknown bug ${JSON.stringify(n)} (known: ${BUGS.join(', ')})`);
  }
  return [...new Set(names)] as Bug[];
}
