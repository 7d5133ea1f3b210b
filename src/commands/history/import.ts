import { Args, Flags } from '@oclif/core';
import { basename } from 'node:path';
import { FaultlineCommand } from '../../cli/base.js';
import { databaseUrlFlag } from '../../cli/flags.js';
import { withDb } from '../../history/db.js';
import { HISTORY_FORMATS, detectFormat, parseHistory, readTextFile } from '../../history/formats.js';
import { createRun, finishRun } from '../../history/runs.js';
import { openSink } from '../../history/sink.js';
import { UserError } from '../../core/errors.js';

export interface ImportResult {
  runId: number;
  ops: number;
  name: string;
  format: string;
  database: string;
}

export default class HistoryImport extends FaultlineCommand {
  static override summary = 'Import a history file (Jepsen EDN or JSON Lines) as a stored run.';
  static override description =
    'Reads a Jepsen history.edn (one op map per line, or a vector of maps) or a JSON Lines file of ' +
    'Faultline op records, checks it is a well-formed history, and stores it as a new run, so ' +
    '`faultline analyze`, `report` and `history export` can use it. A malformed file is rejected with the line number.';
  static override examples = [
    '<%= config.bin %> history import store/latest/history.edn',
    '<%= config.bin %> history import ops.jsonl --name etcd-partition --json',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'History file (.edn or .jsonl).', required: true }),
  };
  static override flags = {
    name: Flags.string({ description: 'Run name (default: the file name).' }),
    format: Flags.string({ description: 'File format (default: from the extension or contents).', options: [...HISTORY_FORMATS] }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<ImportResult> {
    const { args, flags } = await this.parse(HistoryImport);
    const text = await readTextFile(args.file);
    const format = (flags.format as (typeof HISTORY_FORMATS)[number] | undefined) ?? detectFormat(args.file, text);
    if (!format) throw new UserError(`${args.file}: unknown history format; pass --format edn or --format jsonl`);
    const ops = parseHistory(text, format, args.file);
    const name = flags.name ?? basename(args.file);
    return withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const runId = await createRun(db.sql, { name, source: 'import', spec: { importedFrom: args.file, format } });
      const sink = openSink(db, runId);
      for (const op of ops) {
        sink.append(op);
        if (sink.full) await sink.drain();
      }
      await sink.close();
      await finishRun(db.sql, runId, 'finished', null);
      this.say(`Imported ${ops.length} ops from ${args.file} as run ${runId} (${name}) into ${db.where}`);
      return { runId, ops: ops.length, name, format, database: db.where };
    });
  }
}
