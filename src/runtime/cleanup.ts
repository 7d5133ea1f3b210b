// Removes what a harness that died without healing left behind: containers and networks labelled
// faultline.run (with the iptables rules inside them, which live in the containers' own network
// namespaces), and local node processes listed in $FAULTLINE_HOME/pids/*.json. It touches nothing
// it cannot prove is ours: docker objects by label, processes by pid file plus a marker (the
// node's data folder) in their command line, never by name.

import { isOurProcess, isZombie, readPidFiles, removePidFile, sleep } from './common.js';
import type { Progress } from './types.js';

export interface CleanupReport {
  docker: { available: boolean; containers: string[]; networks: string[] };
  processes: { runId: string; name: string; pid: number }[];
  pidFiles: string[];
}

/**
 * Cleans up one run (runId) or every run. Without a runId it skips runs whose harness is still
 * alive (a live test's nodes) and clusters started by `faultline cluster up` (persistent: they are
 * meant to outlive their harness) unless `includePersistent`.
 */
export async function cleanup(p: Progress, o: { runId?: string; includePersistent?: boolean } = {}): Promise<CleanupReport> {
  const runId = o.runId;
  const report: CleanupReport = { docker: { available: false, containers: [], networks: [] }, processes: [], pidFiles: [] };
  const { dockerAnswers, dockerClient, removeRun } = await import('./docker.js');
  if (await dockerAnswers()) {
    report.docker.available = true;
    const removed = await removeRun(dockerClient(), { runId, includePersistent: o.includePersistent || runId !== undefined }, p);
    report.docker.containers = removed.containers;
    report.docker.networks = removed.networks;
  }
  for (const file of readPidFiles()) {
    if (runId !== undefined && file.runId !== runId) continue;
    if (runId === undefined && file.persistent && !o.includePersistent) continue;
    if (runId === undefined && file.harnessPid !== process.pid && isAlive(file.harnessPid) && isOurProcess(file.harnessPid, 'node') && !isZombie(file.harnessPid)) {
      // a live harness owns these; leave its run alone
      continue;
    }
    for (const proc of file.processes) {
      if (!isOurProcess(proc.pid, proc.marker)) continue;
      try {
        process.kill(proc.pid, 'SIGKILL');
        report.processes.push({ runId: file.runId, name: proc.name, pid: proc.pid });
      } catch {
        // exited in between
      }
    }
    for (let i = 0; i < 50 && file.processes.some((x) => isOurProcess(x.pid, x.marker) && !isZombie(x.pid)); i++) await sleep(20);
    removePidFile(file.runId);
    report.pidFiles.push(file.runId);
  }
  return report;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
