// `faultline cleanup`: removes what a killed harness left behind (containers, networks and the
// iptables rules inside them, node processes), found by label / run id / pid file only.

import { Flags } from '@oclif/core';
import { FaultlineCommand } from '../cli/base.js';
import { cleanup, type CleanupReport } from '../runtime/cleanup.js';
import { progress } from '../runtime/types.js';
import { databaseUrlFlag } from '../cli/flags.js';
import { openDb } from '../history/db.js';
import type { ReapedRun } from '../history/harness.js';
import { printable } from '../core/text.js';

export default class Cleanup extends FaultlineCommand {
  static override summary = 'Remove containers, networks and processes a killed harness left behind.';
  static override description =
    'Finds leftovers only by what faultline put on them: docker containers and networks labelled faultline.run (the partition and loss rules live inside those containers and go with them), and node processes listed in $FAULTLINE_HOME/pids/ whose command line still names their data folder. Runs whose harness is still alive, and the cluster of `faultline cluster up`, are left alone unless --run names them or --all is given.';
  static override examples = ['<%= config.bin %> cleanup', '<%= config.bin %> cleanup --run fl1abc --json', '<%= config.bin %> cleanup --all'];
  static override enableJsonFlag = true;
  static override flags = {
    run: Flags.string({ description: 'Only this run id.' }),
    all: Flags.boolean({ description: 'Also the cluster started by `faultline cluster up`.', default: false }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<CleanupReport & { crashedRuns: number[] }> {
    const { flags } = await this.parse(Cleanup);
    const report = await cleanup(progress(60_000, (m) => this.note(m)), { ...(flags.run ? { runId: flags.run } : {}), includePersistent: flags.all });
    const d = report.docker;
    if (!d.available) this.say('docker: no daemon answers; nothing to remove there');
    else this.say(`docker: removed ${d.containers.length} container(s)${d.containers.length ? ` (${d.containers.join(', ')})` : ''} and ${d.networks.length} network(s)${d.networks.length ? ` (${d.networks.join(', ')})` : ''}`);
    this.say(`local: killed ${report.processes.length} process(es)${report.processes.length ? ` (${report.processes.map((x) => `${x.name}/${x.pid}`).join(', ')})` : ''}`);
    // Opening the database marks crashed every run still `running` whose harness died on this
    // host (src/history/harness.ts); cleanup reports them. A database that does not answer is
    // reported, not fatal: the leftovers above are removed either way.
    let reaped: ReapedRun[] = [];
    try {
      const db = await openDb({ databaseUrl: flags['database-url'] });
      reaped = db.reaped ?? [];
      await db.close();
      this.say(`history: marked ${reaped.length} run(s) of dead harnesses crashed${reaped.length ? ` (${reaped.map((r) => `${r.id} ${printable(r.name)}`).join(', ')})` : ''}`);
    } catch (err) {
      this.say(`history: not checked for runs of dead harnesses: ${printable((err as Error).message)}`);
    }
    return { ...report, crashedRuns: reaped.map((r) => r.id) };
  }
}
