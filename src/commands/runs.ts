import { Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { colorEnabled } from '../cli/color.js';
import { databaseUrlFlag, runFilterFlags, runFilterOf } from '../cli/flags.js';
import { JSON_SCHEMA_VERSION, runJson, type RunJson } from '../cli/json.js';
import { verdictText } from '../cli/verdict.js';
import { withDb } from '../history/db.js';
import { gatedVerdict, listRuns, type RunRow, type RunStatus } from '../history/runs.js';

/** `runs --json`, schema version 1 (docs/json.md). */
export interface RunsResult {
  schemaVersion: typeof JSON_SCHEMA_VERSION;
  database: string;
  runs: RunJson[];
}

const STATUSES: RunStatus[] = ['running', 'finished', 'crashed', 'aborted'];

/** The verdict column: a run that did not finish is never shown valid (the status column says why). */
export function verdictCell(r: Pick<RunRow, 'status' | 'valid'>, color = false): string {
  if (r.valid === null) return r.status === 'finished' ? 'unchecked' : 'unknown';
  return verdictText(gatedVerdict(r.status, r.valid), color);
}

export default class Runs extends FaultlineCommand {
  static override summary = 'List stored runs, newest first.';
  static override description =
    'Shows each run\'s id, name, start time, history events, status (finished, running, crashed, aborted), ' +
    'verdict and who ran it where, from the embedded database or DATABASE_URL. A run that did not finish is never ' +
    'shown valid.';
  static override examples = ['<%= config.bin %> runs', '<%= config.bin %> runs --mine --limit 5', '<%= config.bin %> runs --status crashed --json'];
  static override enableJsonFlag = true;
  static override flags = {
    limit: Flags.integer({ description: 'How many runs to show.', default: 50, min: 1 }),
    status: Flags.string({ description: 'Only runs with this status.', options: STATUSES }),
    ...runFilterFlags,
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<RunsResult> {
    const { flags } = await this.parse(Runs);
    const filter = { ...runFilterOf(flags), ...(flags.status ? { status: flags.status as RunStatus } : {}) };
    return withDb({ databaseUrl: flags['database-url'] }, async (db) => {
      const runs = await listRuns(db.sql, flags.limit, filter);
      if (runs.length === 0) this.say(`No runs${Object.keys(filter).length ? ' match' : ' yet'} in ${db.where}.`);
      else {
        const color = colorEnabled(process.stdout);
        const rows = runs.map((r) => [
          String(r.id),
          r.name,
          r.startedAt.toISOString().replace('T', ' ').slice(0, 19),
          String(r.ops),
          r.status,
          verdictCell(r, color),
          [r.user && r.host ? `${r.user}@${r.host}` : (r.user ?? r.host ?? ''), r.ci ?? ''].filter(Boolean).join(' · '),
        ]);
        const head = ['ID', 'NAME', 'STARTED (UTC)', 'EVENTS', 'STATUS', 'VERDICT', 'BY'];
        // eslint-disable-next-line no-control-regex
        const width = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '').length;
        const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => width(r[i]!))));
        const pad = (c: string, i: number) => (i === 3 ? ' '.repeat(widths[i]! - width(c)) + c : c + ' '.repeat(widths[i]! - width(c)));
        const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
        this.say(line(head));
        for (const r of rows) this.say(line(r));
      }
      return { schemaVersion: JSON_SCHEMA_VERSION, database: db.where, runs: runs.map(runJson) };
    });
  }
}
