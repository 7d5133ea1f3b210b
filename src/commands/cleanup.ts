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
    'Finds leftovers only by what faultline put on them: docker containers and networks labelled faultline.run (the partition and loss rules live inside those containers and go with them), and node processes listed in $FAULTLINE_HOME/pids/ whose command line still names their data folder. ' +
    'Without --run or --all it removes only what is provably abandoned: runs whose harness ran on THIS host and is gone. Runs of other hosts sharing the Docker daemon, runs whose harness still lives, and the cluster of `faultline cluster up` are kept and listed. ' +
    'It also marks crashed the stored runs still `running` whose harness died on this host.';
  static override examples = ['<%= config.bin %> cleanup', '<%= config.bin %> cleanup --run fl1abc --json', '<%= config.bin %> cleanup --all'];
  static override enableJsonFlag = true;
  static override flags = {
    run: Flags.string({ description: 'Only this run id (removed whatever its harness).' }),
    all: Flags.boolean({ description: 'Everything faultline made on this Docker daemon and host: also the `faultline cluster up` cluster and other hosts\' runs.', default: false }),
    'database-url': databaseUrlFlag,
  };

  async run(): Promise<CleanupReport & { crashedRuns: number[] }> {
    const { flags } = await this.parse(Cleanup);
    const report = await cleanup(progress(60_000, (m) => this.note(m)), { ...(flags.run ? { runId: flags.run } : {}), includePersistent: flags.all });
    const d = report.docker;
    if (!d.available) this.say('docker: no daemon answers; nothing to remove there');
    else {
      this.say(`docker: removed ${d.containers.length} container(s)${d.containers.length ? ` (${d.containers.map(printable).join(', ')})` : ''} and ${d.networks.length} network(s)${d.networks.length ? ` (${d.networks.map(printable).join(', ')})` : ''}`);
      for (const k of d.kept) this.say(`docker: kept run ${printable(k.runId)}: ${printable(k.why)}`);
    }
    this.say(`local: killed ${report.processes.length} process(es)${report.processes.length ? ` (${report.processes.map((x) => `${printable(x.name)}/${x.pid}`).join(', ')})` : ''}`);
    // Every process of every pid file gone through, by run, name and pid: what was killed, what
    // was paused (it would have stayed frozen), what had already exited.
    for (const x of report.local) {
      this.say(`local: run ${printable(x.runId)}: ${printable(x.name)} pid ${x.pid} ${x.state === 'killed' ? (x.wasPaused ? 'was paused; killed' : 'killed') : 'had already exited'}`);
    }
    for (const k of report.localKept) this.say(`local: kept run ${printable(k.runId)}: ${printable(k.why)}`);
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
