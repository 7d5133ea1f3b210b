// Flags shared by several commands.

import { Flags } from '@oclif/core';

export const databaseUrlFlag = Flags.string({
  summary: 'Postgres URL to store histories in (default: the embedded database under FAULTLINE_HOME).',
  env: 'DATABASE_URL',
  helpValue: 'postgres://user:pass@host:5432/db',
});
