import { Args, Flags } from '@oclif/core';
import { FaultlineCommand } from '../../cli/base.js';
import { databaseUrlFlag } from '../../cli/flags.js';
import { withDb } from '../../history/db.js';
import { HISTORY_FORMATS, formatOp } from '../../history/formats.js';
import { resolveRun } from '../../history/runs.js';
import { readOpPages } from '../../history/source.js';
import { stdoutClosed, writeStdout } from '../../core/output.js';
import { checkRunRef } from '../../core/bounds.js';

export default class HistoryExport extends FaultlineCommand {
  static override summary = 'Write a stored run\'s history to stdout as Jepsen EDN or JSON Lines.';
  static override description =
    'Streams the ops of a run in index order, one per line, in constant memory. EDN output is ' +
    'Jepsen\'s history.edn format; JSON Lines are Faultline op records. Both import back losslessly.';
  static override examples = [
    '<%= config.bin %> history export latest --format edn > history.edn',
    '<%= config.bin %> history export 12 --format jsonl | head',
  ];
  static override args = {
    run: Args.string({ description: 'Run id, run name, or `latest`.', required: true }),
  };
  static override flags = {
    format: Flags.string({ description: 'Output format.', options: [...HISTORY_FORMATS], default: 'jsonl' }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(HistoryExport);
    const format = flags.format as (typeof HISTORY_FORMATS)[number];
    checkRunRef(args.run);
    await withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const run = await resolveRun(db.sql, args.run, db.where);
      for await (const page of readOpPages(db, run.id)) {
        const chunk = page.map((op) => formatOp(op, format)).join('\n') + '\n';
        // A reader that went away (`| head`) ends the export quietly, exit 0.
        if (!(await writeStdout(chunk))) return;
      }
    });
    // oclif's flush() after a command waits for a 'drain' a closed stdout never emits (the process
    // then ends with Node's exit 13); leaving through exit(0) skips it.
    if (stdoutClosed()) this.exit(0);
  }
}
