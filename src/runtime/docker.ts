// The docker runtime (the only module that imports dockerode): one container per node on a
// user-defined bridge network of this run with an explicit 10.213.x.0/24 subnet and fixed IPs.
// Containers get NET_ADMIN only (never privileged, never SYS_TIME): partitions and loss are
// iptables rules inside each container's own network namespace, clocks are libfaketime reading an
// offset file bind-mounted from the host. Every container and network carries the label
// faultline.run=<runId>, which is how `down` and `faultline cleanup` find them.

import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { PassThrough } from 'node:stream';
import { isAbsolute, join, resolve } from 'node:path';
import Docker from 'dockerode';
import { UserError } from '../core/errors.js';
import type { Db, DbCluster } from '../db/types.js';
import { blockedLinks } from './types.js';
import { faketimeEnv, faketimeOffset, isOurProcess, recordCommand, isZombie, nodeEnv, nodeNames, tcpOpen, writeAtomic } from './common.js';
import { DEB_REPO, DEFAULT_REPOS, ensureDbImage, ensureNodeImage, type ImageEngine, type ImageRepos, type ImageResult } from './image.js';
import {
  GiveUp,
  pollUntil,
  UnsupportedFault,
  type ClusterSpec,
  type FaultMechanisms,
  type Grudge,
  type NetemOptions,
  type NodeHandle,
  type Progress,
  type CanKill,
  type CanPartition,
  type CanPause,
  type CanShape,
  type CanSkewClock,
  type Host,
} from './types.js';

export const RUN_LABEL = 'faultline.run';
export const NODE_LABEL = 'faultline.node';
export const PERSISTENT_LABEL = 'faultline.persistent';
/** host:pid of the harness that made the object: a plain cleanup leaves runs whose harness still lives. */
export const HARNESS_LABEL = 'faultline.harness';
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const MOUNT = '/faultline';

export function dockerClient(): Docker {
  return new Docker();
}

/** True when a Docker daemon answers within timeoutMs. */
export async function dockerAnswers(timeoutMs = 1500): Promise<boolean> {
  try {
    await Promise.race([dockerClient().ping(), new Promise((_, j) => setTimeout(() => j(new Error('timeout')), timeoutMs))]);
    return true;
  } catch {
    return false;
  }
}

/** Waits for a dockerode progress stream (build, import) to end; throws on an error event. */
function follow(docker: Docker, stream: NodeJS.ReadableStream, p: Progress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted', { cause: p.signal.reason }));
    p.signal.addEventListener('abort', onAbort, { once: true });
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: { error?: string }[]) => {
        p.signal.removeEventListener('abort', onAbort);
        const failed = events?.find((e) => e.error);
        if (err || failed) reject(err ?? new Error(failed?.error));
        else resolve();
      },
      (e: { stream?: string; status?: string }) => {
        const line = (e.stream ?? e.status ?? '').trim();
        if (line) p.log(`image: ${line}`);
      },
    );
  });
}

/** The dockerode side of image.ts. */
export function imageEngine(docker = dockerClient()): ImageEngine {
  return {
    async imageExists(tag) {
      try {
        await docker.getImage(tag).inspect();
        return true;
      } catch {
        return false;
      }
    },
    async importRootfs(tarPath, repo, tag, p) {
      await follow(docker, await docker.importImage(createReadStream(tarPath), { repo, tag }), p);
    },
    async tag(source, repo, tag) {
      await docker.getImage(source).tag({ repo, tag });
    },
    async build(contextDir, dockerfile, tag, buildArgs, p) {
      const stream = await docker.buildImage(
        { context: contextDir, src: readdirSync(contextDir) },
        { t: tag, dockerfile, buildargs: buildArgs, rm: true, forcerm: true, labels: { 'faultline.image': '1' } },
      );
      await follow(docker, stream, p);
    },
  };
}

/**
 * Removes faultline images (node and, with `base`, base) that no container uses, except `keepTag`.
 * Used after a rebuild (superseded node images) and by tests and bench that build from nothing.
 */
export async function removeImages(
  o: { base?: boolean; keepTag?: string; repos?: ImageRepos } = {},
  docker = dockerClient(),
): Promise<{ removed: string[]; kept: string[] }> {
  const inUse = new Set((await docker.listContainers({ all: true })).map((c) => c.ImageID));
  const removed: string[] = [], kept: string[] = [];
  const names = o.repos ?? DEFAULT_REPOS;
  const repos = o.base ? [names.node, names.base] : [names.node]; // node images first: they sit on the base
  for (const repo of repos) {
    for (const img of await docker.listImages()) {
      const tags = (img.RepoTags ?? []).filter((t) => t.startsWith(`${repo}:`));
      if (tags.length === 0) continue;
      if (inUse.has(img.Id) || (o.keepTag && tags.includes(o.keepTag))) {
        kept.push(...tags);
        continue;
      }
      try {
        await docker.getImage(img.Id).remove({ force: true });
        removed.push(...tags);
      } catch {
        kept.push(...tags);
      }
    }
  }
  return { removed, kept };
}

/** Containers and networks labelled with this run id that still exist. */
export async function runObjects(runId: string, docker = dockerClient()): Promise<{ containers: number; networks: number }> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] };
  return { containers: (await docker.listContainers({ all: true, filters })).length, networks: (await docker.listNetworks({ filters })).length };
}

/** Entrypoint of an image (tests check the store is PID 1). */
export async function imageEntrypoint(tag: string, docker = dockerClient()): Promise<string[]> {
  return (await docker.getImage(tag).inspect()).Config.Entrypoint as unknown as string[];
}

/** Builds (or finds) the bundled store's node image; exported for tests and bench. */
export async function ensureImage(p: Progress, root?: string, repos: ImageRepos = DEFAULT_REPOS): Promise<ImageResult> {
  const r = await ensureNodeImage(imageEngine(), p, root, repos);
  if (r.built) await pruneSuperseded(r.tag, repos);
  return r;
}

/** After a build: drop the superseded images of the same repository that no container uses. */
async function pruneSuperseded(tag: string, repos: ImageRepos = DEFAULT_REPOS): Promise<void> {
  const repo = tag.slice(0, tag.lastIndexOf(':'));
  // Debian-package images are one per package list (redis, socat, nats…), not versions of one
  // image: a new one supersedes none of the others (pruning them rebuilt each, minutes apiece).
  if (repo === repos.base || repo === DEB_REPO) return;
  await removeImages({ keepTag: tag, repos: { base: repos.base, node: repo } }).catch(() => {});
  // Images whose tag moved on to a newer build (same repo:tag rebuilt) are left untagged.
  await dockerClient().pruneImages({ filters: { dangling: ['true'], label: ['faultline.image=1'] } }).catch(() => {});
}

/** Subnets already used by docker networks and host routes, as "a.b.c" /24 prefixes we must avoid. */
async function usedPrefixes(docker: Docker): Promise<Set<string>> {
  const used = new Set<string>();
  for (const net of await docker.listNetworks()) {
    for (const c of net.IPAM?.Config ?? []) if (c.Subnet) used.add(c.Subnet.split('.').slice(0, 3).join('.'));
  }
  try {
    for (const m of execFileSync('ip', ['-4', 'route'], { encoding: 'utf8' }).matchAll(/(\d+\.\d+\.\d+)\.\d+\/\d+/g)) used.add(m[1] as string);
  } catch {
    // no `ip`: docker's own check below still refuses overlapping pools
  }
  return used;
}

interface DockerNode {
  handle: NodeHandle;
  /** Where the node's data folder is inside the container (bind-mounted from handle.dataDir). */
  innerDataDir: string;
  ip: string;
  container: Docker.Container;
  clockFile: string;
  paused: boolean;
  killed: boolean;
}

/** Desired iptables state of one container: peers it drops, loss toward peers. */
interface Rules {
  dropFrom: Set<string>; // IPs whose packets INPUT drops
  dropTo: Set<string>; // IPs OUTPUT drops
  lossPct: number;
}

export class DockerRuntime implements Host, CanKill, CanPause, CanPartition, CanShape, CanSkewClock {
  readonly kind = 'docker' as const;
  private readonly docker = dockerClient();
  private spec?: ClusterSpec;
  private network?: Docker.Network;
  private byName = new Map<string, DockerNode>();
  private rules = new Map<string, Rules>();
  private mech: FaultMechanisms = {
    partition: 'iptables DROP (INPUT+OUTPUT) inside each container + ss -K',
    loss: 'iptables -m statistic (OUTPUT to peers) inside the container',
    delay: null,
    clock: `libfaketime (${FAKETIME_LIB}), offset file bind-mounted per node`,
    unavailable: {},
  };
  image?: ImageResult;

  /** `root`: the package folder whose dist/ goes into the image (default: this checkout). */
  constructor(private readonly opts: { root?: string; persistent?: boolean } = {}) {}

  private labels(extra: Record<string, string> = {}): Record<string, string> {
    return {
      [RUN_LABEL]: this.spec!.runId,
      [HARNESS_LABEL]: `${hostname()}:${process.pid}`,
      ...(this.opts.persistent ? { [PERSISTENT_LABEL]: '1' } : {}),
      ...extra,
    };
  }

  mechanisms(): FaultMechanisms {
    return this.mech;
  }

  nodes(): NodeHandle[] {
    return [...this.byName.values()].map((n) => n.handle).sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  }

  /** The image `up` runs, made in preflight for this Db (or in up, when preflight was not called). */
  private prepared?: { db: Db; image: ImageResult };

  /** Before anything starts: builds or finds the Db's image; a missing { tag } or Dockerfile is a UserError. */
  async preflight(db: Db, dbDir: string, p: Progress): Promise<void> {
    const image = this.opts.root ? await ensureImage(p, this.opts.root) : await ensureDbImage(imageEngine(this.docker), db, dbDir, p);
    if (image.built) await pruneSuperseded(image.tag);
    await this.checkCommand(db, image.tag);
    this.prepared = { db, image };
  }

  /**
   * A node's argv[0] that the image does not have would only show when the first container
   * fails to start, after the run began (a crash, 255): look for it first, in a throwaway
   * container with no network, and refuse it as bad input. An image with no /bin/sh cannot be
   * looked into this way; its command is then found out at start, as before.
   */
  private async checkCommand(db: Db, tag: string): Promise<void> {
    const sample = { name: 'n1', ip: '10.0.0.11', dataDir: `${MOUNT}/data`, runtime: 'docker' as const };
    const argv0 = db.command(sample, { nodes: [{ name: 'n1', ip: sample.ip }] }).argv[0];
    if (!argv0) return; // the loader refuses an empty argv
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        Image: tag,
        Entrypoint: ['/bin/sh', '-c', 'command -v -- "$0" >/dev/null 2>&1 || [ -x "$0" ]', argv0],
        Labels: { [RUN_LABEL]: `preflight-${process.pid}`, [HARNESS_LABEL]: `${hostname()}:${process.pid}` },
        HostConfig: { NetworkMode: 'none', AutoRemove: false },
      });
    } catch {
      return;
    }
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      if (StatusCode !== 0) throw new UserError(`--db ${db.name}: the node command "${argv0}" is not in image ${tag} (not on its PATH, not an executable file)`);
    } catch (err) {
      if (err instanceof UserError) throw err;
      // No /bin/sh in the image (or it could not start): not checkable here.
    } finally {
      await container.remove({ force: true }).catch(() => {});
    }
  }

  async up(spec: ClusterSpec, p: Progress): Promise<NodeHandle[]> {
    if (this.spec) throw new Error('this runtime is already up');
    this.spec = spec;
    const db = spec.db;
    if (this.prepared?.db !== db) await this.preflight(db, spec.dbDir ?? process.cwd(), p);
    this.image = this.prepared!.image;
    const names = nodeNames(spec.nodeCount);
    const prefix = await this.createNetwork(spec.runId, p);
    const ipOf = (i: number) => `${prefix}.${11 + i}`;
    const cluster: DbCluster = { nodes: names.map((name, i) => ({ name, ip: ipOf(i) })) };
    await Promise.all(
      names.map(async (name, i) => {
        const dir = join(spec.runDir, name);
        mkdirSync(join(dir, 'data'), { recursive: true });
        const clockFile = join(dir, 'clock-offset');
        writeAtomic(clockFile, faketimeOffset(0));
        const innerDataDir = `${MOUNT}/data`;
        const cmd = db.command({ name, ip: ipOf(i), dataDir: innerDataDir, runtime: 'docker' }, cluster);
        const env = nodeEnv(cmd.env, faketimeEnv(FAKETIME_LIB, `${MOUNT}/clock-offset`));
        recordCommand(dir, cmd.argv, env);
        const container = await this.docker.createContainer({
          name: `faultline-${spec.runId}-${name}`,
          Image: this.image!.tag,
          // argv[0] becomes the entrypoint: the database's own process is PID 1, so kill and pause hit it.
          Entrypoint: [cmd.argv[0]!],
          Cmd: cmd.argv.slice(1),
          Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
          Labels: this.labels({ [NODE_LABEL]: name }),
          HostConfig: { NetworkMode: this.netName(), CapAdd: ['NET_ADMIN'], Binds: [`${dir}:${MOUNT}`], Privileged: false },
          NetworkingConfig: { EndpointsConfig: { [this.netName()]: { IPAMConfig: { IPv4Address: ipOf(i) } } } },
        });
        const handle: NodeHandle = {
          name,
          clientAddr: `${ipOf(i)}:${db.clientPort}`,
          peerAddr: `${ipOf(i)}:${db.peerPort ?? db.clientPort}`,
          dataDir: join(dir, 'data'),
          logFile: join(dir, 'node.log'),
        };
        this.byName.set(name, { handle, innerDataDir, ip: ipOf(i), container, clockFile, paused: false, killed: true });
        this.rules.set(name, { dropFrom: new Set(), dropTo: new Set(), lossPct: 0 });
      }),
    );
    p.log(`docker: starting ${names.length} containers of ${this.image.tag} on ${this.netName()} (${prefix}.0/24)`);
    await Promise.all(this.nodes().map((h) => this.start(h, p)));
    await this.detectTooling(p);
    await this.detectNetem(p);
    return this.nodes();
  }

  /** The nemeses' tools inside the image (an image not FROM Faultline's base may lack them): a missing one makes its faults unavailable, by name. */
  private async detectTooling(p: Progress): Promise<void> {
    const first = [...this.byName.values()][0];
    if (!first) return;
    const r = await this.exec(first, ['sh', '-c', `command -v iptables >/dev/null && echo iptables; test -e ${FAKETIME_LIB} && echo faketime; true`], p).catch((err: Error) => ({ code: -1, out: err.message }));
    const tag = this.image?.tag ?? 'the image';
    if (!/^iptables$/m.test(r.out)) {
      const why = `${tag} has no iptables (${r.code === 0 ? 'not on PATH' : `no sh to look: ${r.out.trim().split('\n')[0]}`}); build it FROM ${DEFAULT_REPOS.base} or add the iptables package`;
      this.mech.partition = 'unavailable';
      this.mech.loss = null;
      this.mech.unavailable.partition = why;
      this.mech.unavailable.loss = why;
    }
    if (!/^faketime$/m.test(r.out)) {
      this.mech.clock = null;
      this.mech.unavailable.clock = `${tag} has no libfaketime at ${FAKETIME_LIB}; build it FROM ${DEFAULT_REPOS.base} or add the libfaketime package`;
    }
  }

  private netName(): string {
    return `faultline-${this.spec!.runId}`;
  }

  /** Creates the run's bridge on a free 10.213.x.0/24 (starting from a hash of the run id). */
  private async createNetwork(runId: string, p: Progress): Promise<string> {
    const used = await usedPrefixes(this.docker);
    let start = 0;
    for (const c of runId) start = (start * 31 + c.charCodeAt(0)) % 250;
    for (let k = 0; k < 250; k++) {
      const prefix = `10.213.${1 + ((start + k) % 250)}`;
      if (used.has(prefix)) continue;
      try {
        this.network = await this.docker.createNetwork({
          Name: this.netName(),
          Driver: 'bridge',
          CheckDuplicate: true,
          Labels: this.labels(),
          IPAM: { Config: [{ Subnet: `${prefix}.0/24`, Gateway: `${prefix}.1` }] },
        });
        return prefix;
      } catch (err) {
        if (!/overlap/i.test(String((err as Error).message))) throw err;
        p.log(`docker: ${prefix}.0/24 is taken, trying the next`);
      }
    }
    throw new Error('no free 10.213.x.0/24 subnet for the run network');
  }

  /** netem needs the sch_netem kernel module; try it once in the first container and record the answer. */
  private async detectNetem(p: Progress): Promise<void> {
    const first = [...this.byName.values()][0];
    if (!first) return;
    const r = await this.exec(first, ['sh', '-c', 'tc qdisc add dev eth0 root netem delay 1ms && tc qdisc del dev eth0 root'], p);
    if (r.code === 0) this.mech.delay = 'tc netem inside the container';
    else {
      this.mech.delay = null;
      this.mech.unavailable.delay = `the kernel has no netem (tc: ${r.out.trim().split('\n')[0]})`;
    }
  }

  private node(h: NodeHandle): DockerNode {
    const n = this.byName.get(h.name);
    if (!n) throw new Error(`unknown node ${h.name}`);
    return n;
  }

  /** Runs a command in a container; resolves to its exit code and combined output. */
  private async exec(n: DockerNode, cmd: string[], p: Progress): Promise<{ code: number; out: string }> {
    const exec = await n.container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const sink = new PassThrough();
    let out = '';
    sink.on('data', (b: Buffer) => (out += b.toString()));
    this.docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(new Error(`aborted: ${cmd.join(' ')} in ${n.handle.name}`));
      p.signal.addEventListener('abort', onAbort, { once: true });
      stream.on('end', () => (p.signal.removeEventListener('abort', onAbort), resolve()));
      stream.on('error', reject);
    });
    const info = await exec.inspect();
    return { code: info.ExitCode ?? -1, out };
  }

  async start(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (!n.killed) return;
    await n.container.start();
    n.killed = false;
    n.paused = false;
    const [host, port] = n.handle.clientAddr.split(':') as [string, string];
    await pollUntil(`${h.name} to listen on ${n.handle.clientAddr}`, async () => {
      const state = (await n.container.inspect()).State;
      if (!state.Running) throw new GiveUp(`${h.name} exited with code ${state.ExitCode}: ${(await this.logs(h)).trim().split('\n').slice(-3).join(' | ')}`);
      return tcpOpen(host, Number(port), 200);
    }, p.signal, 50);
    // A restarted container has a fresh network namespace: put its fault rules back.
    await this.applyRules(n, p);
  }

  async kill(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (n.killed) return;
    if (n.paused) await n.container.unpause().catch(() => {});
    await n.container.kill({ signal: 'SIGKILL' }).catch((err: Error) => {
      if (!/is not running/.test(err.message)) throw err;
    });
    await pollUntil(`${h.name} to stop`, async () => !(await n.container.inspect()).State.Running, p.signal, 50);
    n.killed = true;
    n.paused = false;
  }

  async pause(h: NodeHandle, _p?: Progress): Promise<void> {
    const n = this.node(h);
    if (n.killed || n.paused) return;
    await n.container.pause();
    n.paused = true;
  }

  async resume(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (!n.paused) return;
    await n.container.unpause();
    n.paused = false;
    await this.applyRules(n, p); // rules changed while it was frozen are applied now
  }

  async partition(grudge: Grudge, p: Progress): Promise<string[]> {
    for (const r of this.rules.values()) (r.dropFrom.clear(), r.dropTo.clear());
    const described: string[] = [];
    for (const [from, to] of blockedLinks(grudge)) {
      const a = this.byName.get(from), b = this.byName.get(to);
      if (!a || !b) throw new Error(`grudge names an unknown node: ${from} -> ${to}`);
      // Drop the directed flow at both ends, so it holds even while one end is paused or restarting.
      this.rules.get(from)!.dropTo.add(b.ip);
      this.rules.get(to)!.dropFrom.add(a.ip);
      described.push(`${from}: OUTPUT -d ${b.ip} DROP; ${to}: INPUT -s ${a.ip} DROP`);
    }
    await Promise.all([...this.byName.values()].map((n) => this.applyRules(n, p, true)));
    return described;
  }

  /** Rewrites the container's FL-IN/FL-OUT chains from the desired rules; cuts live flows to newly blocked peers. */
  private async applyRules(n: DockerNode, p: Progress, cut = false): Promise<void> {
    if (n.killed || n.paused) return; // applied at start/resume
    const r = this.rules.get(n.handle.name)!;
    const lines = [
      'set -e',
      'iptables -N FL-IN 2>/dev/null || true',
      'iptables -N FL-OUT 2>/dev/null || true',
      'iptables -C INPUT -j FL-IN 2>/dev/null || iptables -I INPUT -j FL-IN',
      'iptables -C OUTPUT -j FL-OUT 2>/dev/null || iptables -I OUTPUT -j FL-OUT',
      'iptables -F FL-IN',
      'iptables -F FL-OUT',
    ];
    for (const ip of r.dropFrom) lines.push(`iptables -A FL-IN -s ${ip} -j DROP`);
    for (const ip of r.dropTo) lines.push(`iptables -A FL-OUT -d ${ip} -j DROP`);
    if (r.lossPct > 0) {
      for (const other of this.byName.values()) {
        if (other !== n) lines.push(`iptables -A FL-OUT -d ${other.ip} -m statistic --mode random --probability ${(r.lossPct / 100).toFixed(4)} -j DROP`);
      }
    }
    // Established TCP streams would otherwise keep their buffered state; kill them so the store notices.
    if (cut) for (const ip of new Set([...r.dropFrom, ...r.dropTo])) lines.push(`ss -K dst ${ip} >/dev/null 2>&1 || true`);
    const res = await this.exec(n, ['sh', '-c', lines.join('\n')], p);
    if (res.code !== 0) throw new Error(`iptables in ${n.handle.name} failed (${res.code}): ${res.out.trim()}`);
  }

  async heal(p: Progress): Promise<void> {
    for (const r of this.rules.values()) (r.dropFrom.clear(), r.dropTo.clear(), (r.lossPct = 0));
    for (const n of this.byName.values()) if (n.paused) await this.resume(n.handle, p);
    await Promise.all([...this.byName.values()].map(async (n) => (n.killed ? this.start(n.handle, p) : this.applyRules(n, p))));
    if (this.mech.delay) {
      await Promise.all([...this.byName.values()].map((n) => this.exec(n, ['sh', '-c', 'tc qdisc del dev eth0 root 2>/dev/null || true'], p)));
    }
  }

  async skewClock(h: NodeHandle, offsetMs: number, _p?: Progress): Promise<void> {
    writeAtomic(this.node(h).clockFile, faketimeOffset(offsetMs));
  }

  async resetClocks(_p?: Progress): Promise<void> {
    for (const n of this.byName.values()) writeAtomic(n.clockFile, faketimeOffset(0));
  }

  async netem(h: NodeHandle, o: NetemOptions, p: Progress): Promise<string[]> {
    const n = this.node(h);
    const out: string[] = [];
    if ((o.delayMs ?? 0) > 0 || (o.jitterMs ?? 0) > 0) {
      if (!this.mech.delay) throw new UnsupportedFault('delay', this.mech.unavailable.delay ?? 'no netem');
      const cmd = `tc qdisc replace dev eth0 root netem delay ${o.delayMs ?? 0}ms ${o.jitterMs ?? 0}ms`;
      const r = await this.exec(n, ['sh', '-c', cmd], p);
      if (r.code !== 0) throw new Error(`${cmd} failed in ${h.name}: ${r.out.trim()}`);
      out.push(`${h.name}: ${cmd}`);
    } else if (this.mech.delay) {
      await this.exec(n, ['sh', '-c', 'tc qdisc del dev eth0 root 2>/dev/null || true'], p);
    }
    this.rules.get(h.name)!.lossPct = o.lossPct ?? 0;
    await this.applyRules(n, p);
    if (o.lossPct) out.push(`${h.name}: OUTPUT -d <peers> -m statistic --probability ${o.lossPct / 100} DROP`);
    return out;
  }

  /** The container's state and settings as docker reports them (for tests and reports). */
  async inspect(h: NodeHandle): Promise<{ running: boolean; paused: boolean; privileged: boolean; capAdd: string[]; labels: Record<string, string> }> {
    const i = await this.node(h).container.inspect();
    return { running: i.State.Running, paused: i.State.Paused, privileged: i.HostConfig.Privileged ?? false, capAdd: i.HostConfig.CapAdd ?? [], labels: i.Config.Labels };
  }

  /** The iptables rules currently in a container (for tests and reports). */
  async iptables(h: NodeHandle, p: Progress): Promise<string> {
    return (await this.exec(this.node(h), ['iptables', '-S'], p)).out;
  }

  /** Runs a command in a node's container (tests use it to read Date.now() under libfaketime). */
  async run(h: NodeHandle, cmd: string[], p: Progress): Promise<{ code: number; out: string }> {
    return this.exec(this.node(h), cmd, p);
  }

  /** The container's output, then each of the Db's logFiles (relative ones from the bind-mounted data folder). */
  async logs(h: NodeHandle): Promise<string> {
    const n = this.node(h);
    const buf = (await n.container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    let text = demux(buf);
    for (const f of this.spec?.db.logFiles ?? []) {
      let body: string;
      if (!isAbsolute(f)) body = readText(join(h.dataDir, f));
      else if (!n.killed) body = (await this.exec(n, ['cat', f], progress5s()).catch((err: Error) => ({ out: `(${err.message})` }))).out;
      else body = '(the container is stopped)';
      text += `\n==> ${f} <==\n${body}`;
    }
    return text;
  }

  async down(p: Progress): Promise<void> {
    if (!this.spec) return;
    // Keep each node's log next to its data before the container goes.
    await Promise.all(
      [...this.byName.values()].map(async (n) => {
        try {
          writeFileSync(n.handle.logFile, await this.logs(n.handle));
        } catch {
          // container never started or already removed
        }
      }),
    );
    await removeRun(this.docker, { runId: this.spec.runId, includePersistent: true }, p);
    this.byName.clear();
  }
}

/**
 * Removes every container and network labelled with the run id, or of every faultline run when
 * runId is undefined (clusters of `cluster up`, labelled persistent, only with includePersistent).
 */
export async function removeRun(
  docker: Docker,
  o: { runId?: string | undefined; includePersistent?: boolean },
  p: Progress,
): Promise<{ containers: string[]; networks: string[] }> {
  const label = o.runId ? `${RUN_LABEL}=${o.runId}` : RUN_LABEL;
  const keep = (labels: Record<string, string> | undefined) =>
    !o.runId && ((!o.includePersistent && labels?.[PERSISTENT_LABEL] === '1') || harnessAlive(labels?.[HARNESS_LABEL]));
  const containers = (await docker.listContainers({ all: true, filters: { label: [label] } })).filter((c) => !keep(c.Labels));
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true }).catch(() => {})));
  const networks = (await docker.listNetworks({ filters: { label: [label] } })).filter((n) => !keep(n.Labels));
  for (const n of networks) {
    if (p.signal.aborted) break;
    await docker.getNetwork(n.Id).remove().catch(() => {});
  }
  return { containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')), networks: networks.map((n) => n.Name) };
}

/** True when the label names a live harness process on this host (never our own pid: we are cleaning up). */
function harnessAlive(label: string | undefined): boolean {
  if (!label) return false;
  const [host, pidText] = label.split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid) || pid === process.pid) return false;
  return isOurProcess(pid, 'node') && !isZombie(pid);
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    return `(${(err as Error).message})`;
  }
}

function progress5s(): Progress {
  return { signal: AbortSignal.timeout(5000), log: () => {} };
}

/** Docker's multiplexed log format: 8-byte headers (stream, size) before each chunk. */
function demux(buf: Buffer): string {
  if (!Buffer.isBuffer(buf)) return String(buf);
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + size).toString();
    i += 8 + size;
  }
  return out;
}
