// `faultline serve`: browse every stored run and its report in a browser, until Ctrl-C.

import { Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { UserError } from '../core/errors.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { openDb } from '../history/db.js';
import { isLoopback, startReportServer } from '../serve/server.js';
import { openInBrowser } from './report.js';
import { printable } from '../core/text.js';
import { checkHost } from '../core/bounds.js';

export default class Serve extends FaultlineCommand {
  static override summary = 'Browse stored runs and their reports in a browser.';
  static override description =
    'Serves a list of every run in the database (coloured by verdict; filter by name, verdict and date) and ' +
    'each run\'s HTML report, read-only. Listens on 127.0.0.1 unless --host says otherwise; Ctrl-C stops it.';
  static override examples = ['<%= config.bin %> serve', '<%= config.bin %> serve --port 8080 --open', '<%= config.bin %> serve --port 0'];
  static override flags = {
    port: Flags.integer({ description: 'Port to listen on (0: any free port).', default: 7878 }),
    host: Flags.string({ description: 'Address to listen on. Anything but loopback exposes every stored history to the network.', default: '127.0.0.1' }),
    open: Flags.boolean({ description: 'Open the run list in the default browser.', default: false }),
    quiet: Flags.boolean({ description: 'Do not log requests.', default: false }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    if (!Number.isInteger(flags.port) || flags.port < 0 || flags.port > 65535) throw new UserError(`--port ${flags.port} must be between 0 and 65535`);
    // An empty --host (an unset $HOST in a script) would make Node listen on every interface.
    checkHost(flags.host);
    const db = await openDb({ databaseUrl: flags['database-url'] });
    let served;
    try {
      served = await startReportServer(db, {
        host: flags.host,
        port: flags.port,
        log: flags.quiet ? undefined : (m) => this.note(m),
        logError: (m) => process.stderr.write(`${m}\n`),
      });
    } catch (err) {
      await db.close();
      const e = err as NodeJS.ErrnoException;
      const why = e.code === 'EADDRINUSE' ? 'is in use (try --port 0 for any free port)' : e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' ? 'is not an address of this machine' : e.message;
      throw new UserError(`cannot listen on --host ${printable(flags.host)} --port ${flags.port}: ${printable(why)}`, { cause: err });
    }
    if (!isLoopback(flags.host)) this.warn(`listening on ${printable(flags.host)}: anyone who can reach it can read every stored history and log`);
    this.log(`Serving the runs in ${printable(db.where)} at ${served.url} (Ctrl-C stops)`);
    if (flags.open) openInBrowser(served.url, (m) => this.warn(m));
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        this.note(`${signal}: stopping`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await served.close();
    await db.close();
  }
}
