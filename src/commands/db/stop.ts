import { FaultlineCommand } from '../../cli/base.js';
import { faultlineHome } from '../../core/home.js';
import { dbDir, pidAlive, readState } from '../../history/embedded.js';

export default class DbStop extends FaultlineCommand {
  static override summary = 'Stop the embedded database process of this FAULTLINE_HOME.';
  static override description = 'Asks the background PGlite server to close the database cleanly and exit. Its data stay in FAULTLINE_HOME/db.';
  static override examples = ['<%= config.bin %> db stop'];
  static override enableJsonFlag = true;

  async run(): Promise<{ stopped: boolean; pid?: number }> {
    await this.parse(DbStop);
    const home = faultlineHome();
    const state = readState(home);
    if (!state || !pidAlive(state.pid)) {
      this.say(`Embedded database ${dbDir(home)} is not running.`);
      return { stopped: false };
    }
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 15_000;
    while (pidAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (pidAlive(state.pid)) this.error(`the embedded database (pid ${state.pid}) did not stop within 15 s`, { exit: 255 });
    this.say(`Stopped the embedded database ${dbDir(home)} (pid ${state.pid}).`);
    return { stopped: true, pid: state.pid };
  }
}
