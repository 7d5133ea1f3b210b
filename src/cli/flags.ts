// Flags shared by several commands.

import { Flags } from '@oclif/core';
import { mineFilter, type RunFilter } from '../history/runs.js';

export const databaseUrlFlag = Flags.string({
  summary: 'Postgres URL to store histories in (default: the embedded database under FAULTLINE_HOME).',
  env: 'DATABASE_URL',
  helpValue: 'postgres://user:pass@host:5432/db',
});

/** Which runs `latest` and lists consider: host, user and CI job are recorded with every run. */
export const runFilterFlags = {
  mine: Flags.boolean({ summary: 'Only runs made by this user on this host.', default: false }),
  host: Flags.string({ summary: 'Only runs made on this host.' }),
  user: Flags.string({ summary: 'Only runs made by this user.' }),
  ci: Flags.string({ summary: 'Only runs whose CI job description contains this text (e.g. a GitHub run id).' }),
};

/** The RunFilter the filter flags ask for (`--mine` = this user on this host). */
export function runFilterOf(flags: { mine?: boolean; host?: string; user?: string; ci?: string }): RunFilter {
  const f: RunFilter = flags.mine ? mineFilter() : {};
  if (flags.host !== undefined) f.host = flags.host;
  if (flags.user !== undefined) f.user = flags.user;
  if (flags.ci !== undefined) f.ci = flags.ci;
  return f;
}
