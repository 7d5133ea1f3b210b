// Removes what a harness that died without healing left behind: containers and networks labelled
// faultline.run (with the iptables rules inside them, which live in the containers' own network
// namespaces), and local node processes listed in $FAULTLINE_HOME/pids/*.json. It touches nothing
// it cannot prove is ours: docker objects by label, processes by pid file plus a marker (the
// node's data folder) in their command line, never by name.
//
// And it removes only what is provably abandoned (issue 11, item 4: on a shared Docker daemon a
// plain cleanup deleted other hosts' live runs). Without --run or --all, a run's objects go only
// when their harness label names THIS host and no live harness process has that pid. A run of
// another host, or with no harness label, cannot be proved dead from here: it is kept and listed.
// --run RUN removes that run whatever its harness; --all removes every faultline object.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { isOurProcess, isZombie, readPidFiles, removePidFile, sleep } from './common.js';
import type { Progress } from './types.js';

export interface KeptRun {
  runId: string;
  why: string;
}

/** A process a pid file listed, and what cleanup did with it. */
export interface FoundProcess {
  runId: string;
  name: string;
  pid: number;
  /** killed: it was running (paused too: SIGKILL ends a stopped process); gone: it had already exited. */
  state: 'killed' | 'gone';
  /** It was stopped (SIGSTOP: a paused node of a killed harness), so it would have stayed frozen. */
  wasPaused: boolean;
}

export interface CleanupReport {
  docker: { available: boolean; containers: string[]; networks: string[]; kept: KeptRun[] };
  /** The processes killed (as `local` with state killed). */
  processes: { runId: string; name: string; pid: number }[];
  /** Every process of every pid file cleanup went through, killed or already gone. */
  local: FoundProcess[];
  /** Pid files left alone, and why (a live harness, a cluster left running). */
  localKept: KeptRun[];
  pidFiles: string[];
}

export interface CleanupOptions {
  /** Only this run, whatever its harness. */
  runId?: string;
  /** Every faultline object: persistent clusters and other hosts' runs too. */
  includePersistent?: boolean;
  /** Only runs whose id starts with this (tests clean up nothing but their own objects). */
  runPrefix?: string;
}

/** Why a plain cleanup must keep a run's docker objects (undefined: provably abandoned, remove). */
export function keepReason(labels: Record<string, string> | undefined, o: { includePersistent?: boolean } = {}, self = process.pid): string | undefined {
  if (o.includePersistent) return undefined;
  if (labels?.['faultline.persistent'] === '1') return 'a `faultline cluster up` or `test --leave-running` cluster (stop it with `faultline cluster down`, or pass --run or --all)';
  const label = labels?.['faultline.harness'];
  if (!label) return 'no harness label, so its harness cannot be proved dead (pass --run to remove it)';
  const at = label.lastIndexOf(':');
  const host = label.slice(0, at);
  const pid = Number(label.slice(at + 1));
  if (at < 0 || !Number.isInteger(pid) || pid <= 0) return `unreadable harness label ${JSON.stringify(label)} (pass --run to remove it)`;
  if (host !== hostname()) return `its harness runs on host ${host}, whose processes this host cannot see (pass --run to remove it)`;
  if (pid !== self && isOurProcess(pid, 'node') && !isZombie(pid)) return `its harness (pid ${pid}) is still running`;
  return undefined;
}

/**
 * Cleans up one run (runId), every provably abandoned run (default), or everything (includePersistent).
 * See the header for what counts as abandoned.
 */
export async function cleanup(p: Progress, o: CleanupOptions = {}): Promise<CleanupReport> {
  const runId = o.runId;
  const report: CleanupReport = { docker: { available: false, containers: [], networks: [], kept: [] }, processes: [], local: [], localKept: [], pidFiles: [] };
  const { dockerAnswers, dockerClient, removeRun, RUN_LABEL } = await import('./docker.js');
  if (await dockerAnswers()) {
    report.docker.available = true;
    const docker = dockerClient();
    let runs: string[];
    if (runId !== undefined) runs = [runId];
    else {
      // Decide per run, from the labels of its containers and networks; a run is removed only if
      // every one of its objects says it is abandoned.
      const labelled = [
        ...(await docker.listContainers({ all: true, filters: { label: [RUN_LABEL] } })).map((c) => c.Labels),
        ...(await docker.listNetworks({ filters: { label: [RUN_LABEL] } })).map((n) => n.Labels),
      ];
      const verdict = new Map<string, string | undefined>();
      for (const labels of labelled) {
        const id = labels?.[RUN_LABEL];
        if (!id || (o.runPrefix !== undefined && !id.startsWith(o.runPrefix))) continue;
        const why = keepReason(labels, o);
        if (!verdict.has(id) || why !== undefined) verdict.set(id, verdict.get(id) ?? why);
      }
      runs = [...verdict].filter(([, why]) => why === undefined).map(([id]) => id);
      report.docker.kept = [...verdict].filter(([, why]) => why !== undefined).map(([id, why]) => ({ runId: id, why: why! }));
    }
    for (const id of runs) {
      const removed = await removeRun(docker, { runId: id, includePersistent: true }, p);
      report.docker.containers.push(...removed.containers);
      report.docker.networks.push(...removed.networks);
    }
  }
  for (const file of readPidFiles()) {
    if (runId !== undefined && file.runId !== runId) continue;
    if (o.runPrefix !== undefined && !file.runId.startsWith(o.runPrefix)) continue;
    if (runId === undefined && file.persistent && !o.includePersistent) {
      report.localKept.push({ runId: file.runId, why: 'a cluster left running (`cluster up` or `test --leave-running`); stop it with `faultline cluster down` or pass --all' });
      continue;
    }
    if (runId === undefined && file.harnessPid !== process.pid && isAlive(file.harnessPid) && isOurProcess(file.harnessPid, 'node') && !isZombie(file.harnessPid)) {
      // a live harness owns these; leave its run alone
      report.localKept.push({ runId: file.runId, why: `its harness (pid ${file.harnessPid}) is still running` });
      continue;
    }
    for (const proc of file.processes) {
      const found: FoundProcess = { runId: file.runId, name: proc.name, pid: proc.pid, state: 'gone', wasPaused: false };
      report.local.push(found);
      if (!isOurProcess(proc.pid, proc.marker) || isZombie(proc.pid)) continue;
      found.wasPaused = processState(proc.pid) === 'T';
      try {
        // SIGKILL ends a stopped (paused) process too; SIGCONT after it is only belt and braces.
        process.kill(proc.pid, 'SIGKILL');
        if (found.wasPaused) process.kill(proc.pid, 'SIGCONT');
        found.state = 'killed';
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

/** One-letter state from /proc (T: stopped), '' when gone. */
function processState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
