// The --bug switches: deliberate, documented mistakes the harness must catch (see README.md).

export const BUGS = ['stale-read', 'early-ack', 'no-fsync', 'lease-read', 'skip-prepare', 'skip-sync', 'local-read', 'txn-local-read', 'lock-lease-clock'] as const;
export type Bug = (typeof BUGS)[number];

/** Bugs that exist only in one protocol's core (the others apply to every protocol). */
export const PROTOCOL_BUGS: Partial<Record<Bug, string>> = { 'skip-prepare': 'paxos', 'skip-sync': 'zab', 'local-read': 'zab' };

/** Shared bugs that cannot apply to a protocol, and why. */
const NOT_IN: Partial<Record<Bug, Record<string, string>>> = { 'lease-read': { zab: 'Zab has no leader lease' } };

/** Why a bug switch cannot be used with a protocol (one line naming both), or undefined if it can. */
export function bugProtocolError(protocol: string, bug: Bug): string | undefined {
  const only = PROTOCOL_BUGS[bug];
  if (only !== undefined && only !== protocol) return `--bug ${bug} exists only in --protocol ${only} (not ${protocol})`;
  const why = NOT_IN[bug]?.[protocol];
  return why === undefined ? undefined : `--bug ${bug} does not apply to --protocol ${protocol} (${why})`;
}

/** Parses a comma-separated list of bug names; throws naming the first unknown one. */
export function parseBugs(text: string): Bug[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const n of names) {
    if (!(BUGS as readonly string[]).includes(n)) throw new Error(`unknown bug ${JSON.stringify(n)} (known: ${BUGS.join(', ')})`);
  }
  return [...new Set(names)] as Bug[];
}
