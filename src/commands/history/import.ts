import { Args, Flags } from '@oclif/core';
import { basename } from 'node:path';
import { FaultlineCommand } from '../../cli/base.js';
import { databaseUrlFlag } from '../../cli/flags.js';
import { withDb } from '../../history/db.js';
import { HISTORY_FORMATS, detectFormat, parseHistory, readTextFile } from '../../history/formats.js';
import { createRun, finishRun, getRun, resolveRun } from '../../history/runs.js';
import { readOpPages } from '../../history/source.js';
import { opToJsonl } from '../../history/jsonl.js';
import { printable } from '../../core/text.js';
import { checkRunRef } from '../../core/bounds.js';
import { openSink } from '../../history/sink.js';
import { UserError } from '../../core/errors.js';
import type { Op } from '../../core/op.js';

export interface ImportResult {
  runId: number;
  ops: number;
  /** With --into: ops of the file the run already had (identical), so not added again. */
  alreadyStored?: number;
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
    '<%= config.bin %> history import ~/.faultline/runs/my-run/unstored-ops.jsonl --into 12',
  ];
  static override enableJsonFlag = true;
  static override args = {
    file: Args.string({ description: 'History file (.edn or .jsonl).', required: true }),
  };
  static override flags = {
    name: Flags.string({ description: 'Run name (default: the file name).' }),
    into: Flags.string({
      description:
        'Add the file\'s ops to this existing run (id, name or `latest`) instead of making a new one: for the unstored-ops.jsonl a run saves when the database was unreachable. Ops the run already has must be identical; they are not added twice.',
      exclusive: ['name'],
    }),
    format: Flags.string({ description: 'File format (default: from the extension or contents).', options: [...HISTORY_FORMATS] }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<ImportResult> {
    const { args, flags } = await this.parse(HistoryImport);
    const text = await readTextFile(args.file);
    const format = (flags.format as (typeof HISTORY_FORMATS)[number] | undefined) ?? detectFormat(args.file, text);
    if (!format) throw new UserError(`${args.file}: unknown history format; pass --format edn or --format jsonl`);
    const ops = parseHistory(text, format, args.file);
    if (flags.into !== undefined) checkRunRef(flags.into);
    if (flags.into !== undefined) return this.into(flags.into, args.file, format, ops, flags['database-url']);
    const name = flags.name ?? basename(args.file);
    return withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const runId = await createRun(db.sql, { name, source: 'import', spec: { importedFrom: args.file, format } });
      const sink = openSink(db, runId);
      try {
        for (const op of ops) {
          sink.append(op);
          if (sink.full) await sink.drain();
        }
        await sink.close();
      } catch (err) {
        // Never a half-imported run left `running`: it is marked crashed (best effort) and the error stands.
        await finishRun(db.sql, runId, 'crashed', null).catch(() => {});
        throw err;
      }
      await finishRun(db.sql, runId, 'finished', null);
      this.say(`Imported ${ops.length} ops from ${printable(args.file)} as run ${runId} (${printable(name)}) into ${db.where}`);
      return { runId, ops: ops.length, name, format, database: db.where };
    });
  }

  /**
   * Adds ops to an existing run: every op of the file whose index the run lacks is stored; an index
   * the run already has must hold the same op (else nothing is stored and the mismatch is named).
   */
  private async into(ref: string, file: string, format: string, ops: Op[], databaseUrl: string | undefined): Promise<ImportResult> {
    return withDb({ databaseUrl }, async (db) => {
      const run = await resolveRun(db.sql, ref, db.where);
      const byIndex = new Map(ops.map((op) => [op.index, op]));
      let already = 0;
      for await (const page of readOpPages(db, run.id)) {
        for (const stored of page) {
          const mine = byIndex.get(stored.index);
          if (!mine) continue;
          if (opToJsonl(mine) !== opToJsonl(stored)) {
            throw new UserError(
              `${printable(file)}: op ${stored.index} differs from the one run ${run.id} already has (stored ${printable(opToJsonl(stored).slice(0, 120))}); is this file from another run?`,
            );
          }
          byIndex.delete(stored.index);
          already++;
        }
      }
      const fresh = ops.filter((op) => byIndex.has(op.index));
      // insert, not COPY: its ON CONFLICT keeps a concurrent writer's rows and counts only new ones.
      const sink = openSink(db, run.id, { method: 'insert' });
      for (const op of fresh) {
        sink.append(op);
        if (sink.full) await sink.drain();
      }
      await sink.close();
      const total = (await getRun(db.sql, run.id))?.ops ?? 0;
      this.say(`Added ${fresh.length} ops from ${printable(file)} to run ${run.id} (${printable(run.name)}; ${already} were already stored; it now has ${total}). \`faultline analyze ${run.id}\` checks it again.`);
      return { runId: run.id, ops: fresh.length, alreadyStored: already, name: run.name, format, database: db.where };
    });
  }
}
