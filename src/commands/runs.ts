import { Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { withDb } from '../history/db.js';
import { listRuns, type RunRow } from '../history/runs.js';
import { verdictText } from '../cli/verdict.js';

export interface RunsResult {
  database: string;
  runs: { id: number; name: string; source: string; started: string; finished: string | null; status: string; ops: number; valid: RunRow['valid'] }[];
}

export default class Runs extends FaultlineCommand {
  static override summary = 'List stored runs, newest first.';
  static override description = 'Shows each run\'s id, name, start time, op count and verdict, from the embedded database or DATABASE_URL.';
  static override examples = ['<%= config.bin %> runs', '<%= config.bin %> runs --limit 5 --json'];
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'How many runs to show.', default: 50, min: 1 }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<RunsResult> {
    const { flags } = await this.parse(Runs);
    return withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const runs = await listRuns(db.sql, flags.limit);
      if (runs.length === 0) this.say(`No runs yet in ${db.where}.`);
      else {
        const rows = runs.map((r) => [String(r.id), r.name, r.startedAt.toISOString().replace('T', ' ').slice(0, 19), String(r.ops), r.status === 'finished' ? verdictText(r.valid) : r.status]);
        const head = ['ID', 'NAME', 'STARTED (UTC)', 'OPS', 'VERDICT'];
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
        const line = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
        this.say(line(head));
        for (const r of rows) this.say(line(r));
      }
      return {
        database: db.where,
        runs: runs.map((r) => ({
          id: r.id,
          name: r.name,
          source: r.source,
          started: r.startedAt.toISOString(),
          finished: r.finishedAt?.toISOString() ?? null,
          status: r.status,
          ops: r.ops,
          valid: r.valid,
        })),
      };
    });
  }
}
