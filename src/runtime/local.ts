// The local runtime: each node is a child process running the Db's command (node:child_process,
// its log file as its stdio) on a loopback address of its own — 127.X.Y.11, .12, … from a /24
// block picked per run (another block when an address is taken) — so every node listens on the
// Db's own clientPort. For a Db that declares `peerPort` (nodes dial each other only at
// ip:peerPort; the bundled store does), each directed link n1 -> n2 goes through a LinkProxy the
// harness controls, listening on an address of its own in the block (127.X.Y.1<from><to>): n1's
// view of the cluster names that proxy as n2's ip. Partitions blackhole proxies, loss and delay
// are injected by proxies; a Db without `peerPort` gets no proxies, and those faults are refused
// before the run (`preflight`), by name. Pause is SIGSTOP/SIGCONT, kill is SIGKILL, and the clock
// is libfaketime where the host has it. Pids go to $FAULTLINE_HOME/pids/<run>.json so `faultline
// cleanup` can kill what a SIGKILLed harness left (a node is recognised by FAULTLINE_NODE in its
// environment).

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db, DbCluster } from '../db/types.js';
import { blockedLinks } from './types.js';
import {
  faketimeEnv,
  faketimeOffset,
  hostFaketimeLib,
  isOurProcess,
  isZombie,
  nodeEnv,
  nodeNames,
  recordCommand,
  removePidFile,
  tcpOpen,
  writeAtomic,
  writePidFile,
} from './common.js';
import { LinkProxy } from './proxy.js';
import type { AdoptedMessage, AdoptMessage } from './proxy-main.js';
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

interface LocalNode {
  handle: NodeHandle;
  ip: string;
  port: number;
  argv: string[];
  env: Record<string, string>;
  clockFile: string;
  child?: ChildProcess;
  pid?: number;
  paused: boolean;
  killed: boolean;
}

export interface LocalOptions {
  /**
   * Let nodes outlive this process (cluster up, test --leave-running): each in its own session
   * (a Ctrl-C on the harness's terminal does not reach them), not our children to wait for.
   */
  detached?: boolean;
}

/** Nodes of this process that must not outlive it when it exits normally (down() is the usual way). */
const live = new Set<ChildProcess>();
let exitHook = false;
function trackForExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

export class LocalRuntime implements Host, CanKill, CanPause, CanPartition, CanShape, CanSkewClock {
  readonly kind = 'local' as const;
  private spec?: ClusterSpec;
  /** The Db this runtime runs (from preflight or up): whether it can have link proxies. */
  private db?: Db;
  private byName = new Map<string, LocalNode>();
  private proxies = new Map<string, LinkProxy>(); // key "from->to"
  private readonly faketimeLib = hostFaketimeLib();
  private downDone = false;
  /** The detached process serving the link proxies after leave(). */
  private proxyProcess?: { pid: number; marker: string };

  constructor(private readonly opts: LocalOptions = {}) {}

  mechanisms(): FaultMechanisms {
    const unavailable: Record<string, string> = {};
    if (!this.faketimeLib) {
      const given = process.env.FAULTLINE_FAKETIME_LIB;
      unavailable.clock = given ? `libfaketime is not at FAULTLINE_FAKETIME_LIB=${given}` : 'libfaketime is not installed on this machine (Debian package faketime)';
    }
    const why = this.noProxiesBecause();
    if (why) for (const f of ['partition', 'loss', 'delay']) unavailable[f] = why;
    return {
      partition: why ? 'unavailable' : 'tcp proxy per directed link: blackhole + cut live connections',
      loss: why ? null : 'tcp proxy: lost chunks held back a retransmission timeout (200 ms, doubling)',
      delay: why ? null : 'tcp proxy: per-chunk delay + jitter',
      clock: this.faketimeLib ? `libfaketime (${this.faketimeLib}), offset file per node` : null,
      unavailable,
    };
  }

  /** Why this cluster has no link proxies, or undefined when it has (or will have) them. */
  private noProxiesBecause(): string | undefined {
    if (this.spec?.proxied === false) return 'this cluster was started without link proxies';
    if (this.db && this.db.peerPort === undefined) {
      return `the ${this.db.name} adapter declares no peerPort, so the local runtime cannot put a proxy on its node-to-node links (use --runtime docker, where faults are iptables rules inside each container)`;
    }
    return undefined;
  }

  async preflight(db: Db, _dbDir?: string, _p?: Progress): Promise<void> {
    this.db = db;
  }

  nodes(): NodeHandle[] {
    return [...this.byName.values()].map((n) => n.handle);
  }

  async up(spec: ClusterSpec, p: Progress): Promise<NodeHandle[]> {
    if (this.spec) throw new Error('this runtime is already up');
    this.spec = spec;
    const db = (this.db = spec.db);
    const names = nodeNames(spec.nodeCount);
    const proxied = this.noProxiesBecause() === undefined;
    const peerPort = db.peerPort;
    const { block, release } = await reserveBlock(spec.runId, names.length, [db.clientPort, ...(peerPort !== undefined ? [peerPort] : [])]);
    const ipOf = (i: number) => `${block}.${11 + i}`;
    const proxyIp = (from: number, to: number) => `${block}.${100 + 10 * (from + 1) + (to + 1)}`;

    if (proxied && peerPort !== undefined) {
      for (const [fi, from] of names.entries()) {
        for (const [ti, to] of names.entries()) {
          if (from === to) continue;
          const proxy = new LinkProxy(`${from}->${to}`, { host: ipOf(ti), port: peerPort }, fi * 31 + ti);
          await proxy.listen(peerPort, proxyIp(fi, ti));
          this.proxies.set(`${from}->${to}`, proxy);
        }
      }
    }

    for (const [i, name] of names.entries()) {
      const dir = join(spec.runDir, name);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const clockFile = join(dir, 'clock-offset');
      writeAtomic(clockFile, faketimeOffset(0));
      // This node's view: itself at its own address, every other node at the proxy of the link to it.
      const view: DbCluster = { nodes: names.map((other, j) => ({ name: other, ip: j === i || this.proxies.size === 0 ? ipOf(j) : proxyIp(i, j) })) };
      const cmd = db.command({ name, ip: ipOf(i), dataDir, runtime: 'local' }, view);
      const handle: NodeHandle = { name, clientAddr: `${ipOf(i)}:${db.clientPort}`, peerAddr: `${ipOf(i)}:${peerPort ?? db.clientPort}`, dataDir, logFile: join(dir, 'node.log') };
      const env = nodeEnv(cmd.env, this.faketimeLib ? faketimeEnv(this.faketimeLib, clockFile) : {}, dataDir);
      recordCommand(dir, cmd.argv, env);
      this.byName.set(name, { handle, ip: ipOf(i), port: db.clientPort, argv: cmd.argv, env, clockFile, paused: false, killed: true });
    }
    await release();
    p.log(`local: starting ${names.length} nodes of ${db.name} on ${block}.0/24 under ${spec.runDir}`);
    for (const n of this.byName.values()) this.spawn(n);
    await Promise.all([...this.byName.values()].map((n) => this.waitListening(n, p)));
    return this.nodes();
  }

  private spawn(n: LocalNode): void {
    // The node writes its log file itself (the file is its stdout and stderr): no pipe runs
    // through this process, so a harness that dies (even SIGKILLed) neither kills the node by
    // EPIPE nor loses what it printed; `cleanup` finds it by its pid file. A detached node (one
    // that must outlive this process) also gets its own process group.
    const fd = openSync(n.handle.logFile, 'a');
    try {
      const detached = this.opts.detached === true;
      const child = spawn(n.argv[0]!, n.argv.slice(1), { env: { ...process.env, ...n.env }, stdio: ['ignore', fd, fd], detached });
      child.on('error', (err) => {
        // e.g. argv[0] not found: say so in the node's log, which waitListening quotes
        try {
          writeFileSync(n.handle.logFile, `faultline: cannot start ${n.argv[0]}: ${err.message}\n`, { flag: 'a' });
        } catch {
          // the run folder is gone
        }
      });
      if (detached) child.unref();
      else trackForExit(child);
      n.child = child;
      n.pid = child.pid;
    } finally {
      closeSync(fd);
    }
    n.killed = false;
    n.paused = false;
    this.savePids();
  }

  private savePids(): void {
    if (!this.spec) return;
    writePidFile({
      runId: this.spec.runId,
      harnessPid: process.pid,
      // Meant to outlive the harness: a `cluster up` cluster (no proxies) from the start; a proxied
      // one only once leave() handed its proxies over (before that, a dead harness took the
      // proxies with it, and a plain cleanup may remove what is left).
      persistent: this.opts.detached === true && (this.spec.proxied === false || this.proxyProcess !== undefined),
      processes: [...this.byName.values()]
        .filter((n) => n.pid !== undefined && !n.killed)
        .map((n) => ({ name: n.handle.name, pid: n.pid!, marker: n.handle.dataDir }))
        .concat(this.proxyProcess ? [{ name: 'proxies', ...this.proxyProcess }] : []),
    });
  }

  private async waitListening(n: LocalNode, p: Progress): Promise<void> {
    await pollUntil(`${n.handle.name} to listen on ${n.handle.clientAddr}`, async () => {
      if (n.pid === undefined || !isOurProcess(n.pid, n.handle.dataDir) || isZombie(n.pid)) {
        throw new GiveUp(`${n.handle.name} exited before listening: ${tail(n.handle.logFile)}`);
      }
      return tcpOpen(n.ip, n.port, 200);
    }, p.signal, 50);
  }

  private node(h: NodeHandle): LocalNode {
    const n = this.byName.get(h.name);
    if (!n) throw new Error(`unknown node ${h.name}`);
    return n;
  }

  async start(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (!n.killed) return;
    this.spawn(n);
    await this.waitListening(n, p);
  }

  async kill(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (n.killed || n.pid === undefined) return;
    try {
      process.kill(n.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    // Our child: reaped only once every thread has exited and its sockets are closed (a
    // multi-threaded process's leader shows as a zombie while its other threads still hold them).
    const child = n.child;
    const dead = child ? () => child.exitCode !== null || child.signalCode !== null : () => !isOurProcess(n.pid!, n.handle.dataDir) || isZombie(n.pid!);
    await pollUntil(`${h.name} to die`, async () => dead(), p.signal, 20);
    n.killed = true;
    n.paused = false;
    this.savePids();
  }

  async pause(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (n.killed || n.paused || n.pid === undefined) return;
    process.kill(n.pid, 'SIGSTOP');
    n.paused = true;
    // Signals are delivered asynchronously: return only once the process is really stopped.
    await pollUntil(`${h.name} to stop`, async () => processState(n.pid!) === 'T', p.signal, 5);
  }

  async resume(h: NodeHandle, p: Progress): Promise<void> {
    const n = this.node(h);
    if (!n.paused || n.pid === undefined) return;
    process.kill(n.pid, 'SIGCONT');
    n.paused = false;
    await pollUntil(`${h.name} to continue`, async () => processState(n.pid!) !== 'T', p.signal, 5);
  }

  async partition(grudge: Grudge, _p?: Progress): Promise<string[]> {
    this.needProxies('partition');
    const blocked = new Set(blockedLinks(grudge).map(([from, to]) => `${from}->${to}`));
    const rules: string[] = [];
    for (const [link, proxy] of this.proxies) {
      if (blocked.has(link)) {
        proxy.setMode('blackhole');
        rules.push(`${link} blackhole`);
      } else if (proxy.getMode() !== 'pass') {
        proxy.setMode('pass');
      }
    }
    return rules;
  }

  async heal(p: Progress): Promise<void> {
    for (const proxy of this.proxies.values()) {
      proxy.setMode('pass');
      proxy.setImpairment({});
    }
    for (const n of this.byName.values()) if (n.paused) await this.resume(n.handle, p);
    for (const n of this.byName.values()) if (n.killed && n.pid !== undefined) await this.start(n.handle, p);
  }

  async skewClock(h: NodeHandle, offsetMs: number, _p?: Progress): Promise<void> {
    if (!this.faketimeLib) throw new UnsupportedFault('clock', this.mechanisms().unavailable.clock!);
    writeAtomic(this.node(h).clockFile, faketimeOffset(offsetMs));
  }

  async resetClocks(_p?: Progress): Promise<void> {
    for (const n of this.byName.values()) writeAtomic(n.clockFile, faketimeOffset(0));
  }

  async netem(h: NodeHandle, o: NetemOptions, _p?: Progress): Promise<string[]> {
    this.needProxies('loss/delay');
    const rules: string[] = [];
    for (const [link, proxy] of this.proxies) {
      if (!link.startsWith(`${h.name}->`)) continue;
      proxy.setImpairment({ lossPct: o.lossPct ?? 0, delayMs: o.delayMs ?? 0, jitterMs: o.jitterMs ?? 0 });
      if (o.lossPct || o.delayMs) rules.push(`${link} loss ${o.lossPct ?? 0}% delay ${o.delayMs ?? 0}±${o.jitterMs ?? 0} ms`);
    }
    return rules;
  }

  /** Link statistics (for tests and reports): "from->to" -> stats. */
  linkStats(): Record<string, LinkProxy['stats']> {
    return Object.fromEntries([...this.proxies].map(([k, v]) => [k, { ...v.stats }]));
  }

  /** The node's output, then each of the Db's logFiles (relative to its data folder unless absolute). */
  async logs(h: NodeHandle): Promise<string> {
    const n = this.node(h);
    let text: string;
    try {
      text = readFileSync(n.handle.logFile, 'utf8');
    } catch {
      text = '';
    }
    for (const f of this.spec?.db.logFiles ?? []) {
      let body: string;
      try {
        body = readFileSync(f.startsWith('/') ? f : join(n.handle.dataDir, f), 'utf8');
      } catch (err) {
        body = `(${(err as Error).message})`;
      }
      text += `\n==> ${f} <==\n${body}`;
    }
    return text;
  }

  async down(p: Progress): Promise<void> {
    if (this.downDone || !this.spec) return;
    this.downDone = true;
    for (const n of this.byName.values()) {
      if (n.pid !== undefined && !n.killed) {
        if (n.paused) process.kill(n.pid, 'SIGCONT');
        await this.kill(n.handle, p).catch(() => {});
      }
    }
    await Promise.all([...this.proxies.values()].map((x) => x.close()));
    this.proxies.clear();
    if (this.proxyProcess && isOurProcess(this.proxyProcess.pid, this.proxyProcess.marker)) {
      try {
        process.kill(this.proxyProcess.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    removePidFile(this.spec.runId);
  }

  /**
   * Leaves the (healed) cluster running after this process exits (test --leave-running): the
   * nodes already run detached; the link proxies, which live in this process, move to a detached
   * proxy process (proxy-main.ts). Each listening socket is handed over through IPC, so the ports
   * the nodes dial never close; live connections through this process's copies are cut and the
   * nodes dial again (as after any heal). The proxy process's pid joins the run's pid file, where
   * `cluster down` and `cleanup --run` find it. Faults are over: the links pass everything.
   */
  async leave(p: Progress): Promise<void> {
    if (!this.spec) return;
    if (this.opts.detached !== true) throw new Error('only a cluster started detached can be left running');
    if (this.proxies.size === 0) return;
    const marker = this.spec.runDir;
    const fd = openSync(join(this.spec.runDir, 'proxies.log'), 'a');
    let child: ChildProcess;
    try {
      child = fork(proxyMainPath(), [marker], { detached: true, stdio: ['ignore', fd, fd, 'ipc'], execArgv: [] });
    } finally {
      closeSync(fd);
    }
    try {
      const pending = new Set(this.proxies.keys());
      const adopted = new Promise<void>((resolve, reject) => {
        const fail = (why: string) => reject(new Error(`the proxy process ${why} before adopting ${[...pending].join(', ')} (see ${marker}/proxies.log)`));
        child.on('message', (m: AdoptedMessage) => {
          if (m?.type === 'adopted') pending.delete(m.name);
          if (pending.size === 0) resolve();
        });
        child.once('exit', (code, signal) => fail(`exited (${signal ?? code})`));
        child.once('error', (err) => fail(`failed: ${err.message}`));
        p.signal.addEventListener('abort', () => fail('gave up'), { once: true });
      });
      for (const proxy of this.proxies.values()) {
        const msg: AdoptMessage = { type: 'link', name: proxy.name, target: proxy.target, seed: proxy.seed };
        await new Promise<void>((resolve, reject) => child.send(msg, proxy.listener, (err) => (err ? reject(err) : resolve())));
      }
      await adopted;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    this.proxyProcess = { pid: child.pid!, marker };
    this.savePids();
    // Our copies of the listening sockets close; the proxy process keeps serving its own.
    await Promise.all([...this.proxies.values()].map((x) => x.close()));
    this.proxies.clear();
    child.removeAllListeners();
    child.on('error', () => {});
    child.disconnect();
    child.unref();
    p.log(`local: link proxies handed to process ${child.pid}; the cluster runs on without this harness`);
  }

  private needProxies(fault: string): void {
    if (this.proxies.size === 0) throw new UnsupportedFault(fault, this.noProxiesBecause() ?? 'this cluster has no link proxies');
  }
}

/** The detached link-proxy process's entry point in this build (dist/src/runtime/proxy-main.js). */
function proxyMainPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'proxy-main.js');
}

/**
 * A loopback /24 of this run, 127.X.Y.0 (X in 100..227 from a hash of the run id, then onwards),
 * whose node addresses .11… are free on every port the nodes will bind: held until release().
 */
async function reserveBlock(runId: string, count: number, ports: number[]): Promise<{ block: string; release: () => Promise<void> }> {
  let h = 0;
  for (const c of runId) h = (h * 31 + c.charCodeAt(0)) % (128 * 256);
  for (let k = 0; k < 64; k++) {
    const v = (h + k * 977) % (128 * 256);
    const block = `127.${100 + (v >> 8)}.${v & 255}`;
    const held: net.Server[] = [];
    const close = () => Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => {});
    try {
      for (let i = 0; i < count; i++) {
        for (const port of ports) {
          const server = net.createServer();
          await new Promise<void>((r, j) => server.once('error', j).listen(port, `${block}.${11 + i}`, () => r()));
          held.push(server);
        }
      }
      return { block, release: close };
    } catch (err) {
      await close();
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw err;
    }
  }
  throw new Error(`no free loopback block for ${count} nodes on port(s) ${ports.join(', ')} (tried 64 blocks of 127.100-227.x.0/24)`);
}

/** One-letter process state from /proc (R, S, T stopped, Z zombie, ...), '' when gone. */
function processState(pid: number): string {
  try {
    return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? '';
  } catch {
    return '';
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-5).join(' | ');
  } catch {
    return '(no log)';
  }
}

/** Removes a run folder (data + logs) unless the user asked to keep it. */
export function removeRunDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
