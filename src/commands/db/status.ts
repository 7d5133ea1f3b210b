import { FaultlineCommand } from '../../cli/base.js';
import { databaseUrlFlag } from '../../cli/flags.js';
import { faultlineHome } from '../../core/home.js';
import { redactUrl } from '../../history/db.js';
import { dbDir, logPath, runningServer } from '../../history/embedded.js';

export interface DbStatus {
  kind: 'embedded' | 'postgres';
  where: string;
  running?: boolean;
  pid?: number;
  port?: number;
  log?: string;
}

export default class DbStatusCommand extends FaultlineCommand {
  static override summary = 'Show which database histories go to, and whether the embedded one is running.';
  static override description =
    'With DATABASE_URL (or --database-url) histories go to that Postgres server. Otherwise they go to ' +
    'the embedded PGlite database under FAULTLINE_HOME, served on a loopback port by a background ' +
    'process that any faultline command starts on demand and that exits after a minute without clients.';
  static override examples = ['<%= config.bin %> db status', '<%= config.bin %> db status --json'];
  static override enableJsonFlag = true;
  static override flags = { 'database-url': databaseUrlFlag };

  async run(): Promise<DbStatus> {
    const { flags } = await this.parse(DbStatusCommand);
    if (flags['database-url']) {
      const where = redactUrl(flags['database-url']);
      this.say(`Postgres at ${where}`);
      return { kind: 'postgres', where };
    }
    const home = faultlineHome();
    const state = await runningServer(home);
    if (state) this.say(`Embedded database ${dbDir(home)}: running (pid ${state.pid}, 127.0.0.1:${state.port})`);
    else this.say(`Embedded database ${dbDir(home)}: not running (starts on demand)`);
    return { kind: 'embedded', where: dbDir(home), running: Boolean(state), pid: state?.pid, port: state?.port, log: logPath(home) };
  }
}
