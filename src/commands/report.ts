// `faultline report RUN`: writes the self-contained HTML report of a stored run.

import { Args, Flags } from '@oclif/core';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeReport } from '../../reports/write.js';
import { FaultlineCommand } from '../cli/base.js';
import { UserError } from '../core/errors.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { faultlineHome } from '../core/home.js';
import { withDb } from '../history/db.js';
import { loadReportData } from '../serve/load.js';
import { checkRunRef } from '../core/bounds.js';
import { printable } from '../core/text.js';

export interface ReportResult {
  runId: number;
  name: string;
  file: string;
  bytes: number;
  ops: number;
}

/** Opens a file in the desktop's browser; a missing opener is reported, never fatal. */
export function openInBrowser(target: string, warn: (m: string) => void): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [target]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', target]] : ['xdg-open', [target]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', (err) => warn(`could not open a browser (${cmd}: ${err.message}); open ${target} yourself`));
  child.unref();
}

export default class Report extends FaultlineCommand {
  static override summary = 'Write the HTML report of a stored run.';
  static override description =
    'One self-contained HTML file (data, styles, scripts and charts inside; it fetches nothing): the verdict, ' +
    'the spec and rerun command, each checker\'s result with the minimal counterexample, the full timeline ' +
    'with fault windows, latency and throughput charts, availability per fault, and node logs. Default file: ' +
    'FAULTLINE_HOME/reports/run-<id>.html.';
  static override examples = [
    '<%= config.bin %> report latest --open',
    '<%= config.bin %> report 12 --out /tmp/run12.html',
    '<%= config.bin %> report etcd.edn --json',
  ];
  static override enableJsonFlag = true;
  static override args = { run: Args.string({ description: 'Run id, run name, or `latest`.', required: true }) };
  static override flags = {
    out: Flags.string({ char: 'o', description: 'Write the report to this file.', helpValue: 'FILE' }),
    open: Flags.boolean({ description: 'Open the report in the default browser.', default: false }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<ReportResult> {
    const { args, flags } = await this.parse(Report);
    if (flags.out !== undefined && (flags.out === '' || (existsSync(flags.out) && statSync(flags.out).isDirectory()))) {
      throw new UserError(`--out ${JSON.stringify(flags.out)} must be a file path, not ${flags.out === '' ? 'empty' : 'a directory'}`);
    }
    checkRunRef(args.run);
    const data = await withDb({ databaseUrl: flags['database-url'] }, (db) => loadReportData(db, args.run));
    const id = data.run.id!;
    const out = flags.out ?? join(faultlineHome(), 'reports', `run-${id}.html`);
    let file: string;
    try {
      file = writeReport(data, out);
    } catch (err) {
      throw new UserError(`cannot write the report to ${printable(out)}: ${printable((err as Error).message)}`, { cause: err });
    }
    const bytes = statSync(file).size;
    this.say(`Report of run ${id} (${printable(data.run.name)}, ${data.history.length} history ops): ${printable(file)}`);
    if (flags.open) openInBrowser(file, (m) => this.warn(m));
    return { runId: id, name: data.run.name, file, bytes, ops: data.history.length };
  }
}
