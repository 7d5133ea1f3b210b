// The local runtime: each node is a child process on 127.0.0.1 (node:child_process, its log file as its stdio), and each directed
// node-to-node link n1 -> n2 goes through a LinkProxy the harness controls, because the store sends
// only over connections it dialed to the addresses in its --peers list. Partitions blackhole
// proxies, loss and delay are injected by proxies, pause is SIGSTOP/SIGCONT, kill is SIGKILL, and
// the clock is libfaketime where the host has it. Pids go to $FAULTLINE_HOME/pids/<run>.json so
// `faultline cleanup` can kill what a SIGKILLed harness left.

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { blockedLinks } from './types.js';
import {
  faketimeEnv,
  faketimeOffset,
  hostFaketimeLib,
  isOurProcess,
  isZombie,
  nodeNames,
  removePidFile,
  reservePorts,
  storeArgs,
  storeMainPath,
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
  args: string[];
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
  private byName = new Map<string, LocalNode>();
  private proxies = new Map<string, LinkProxy>(); // key "from->to"
  private readonly faketimeLib = hostFaketimeLib();
  private downDone = false;
  /** The detached process serving the link proxies after leave(). */
  private proxyProcess?: { pid: number; marker: string };

  constructor(private readonly opts: LocalOptions = {}) {}

  mechanisms(): FaultMechanisms {
    const proxied = this.spec?.proxied !== false;
    const unavailable: Record<string, string> = {};
    if (!this.faketimeLib) {
      const given = process.env.FAULTLINE_FAKETIME_LIB;
      unavailable.clock = given ? `libfaketime is not at FAULTLINE_FAKETIME_LIB=${given}` : 'libfaketime is not installed on this machine (Debian package faketime)';
    }
    if (!proxied) {
      for (const f of ['partition', 'loss', 'delay']) unavailable[f] = 'this cluster was started without link proxies';
    }
    return {
      partition: proxied ? 'tcp proxy per directed link: blackhole + cut live connections' : 'unavailable',
      loss: proxied ? 'tcp proxy: lost chunks held back a retransmission timeout (200 ms, doubling)' : null,
      delay: proxied ? 'tcp proxy: per-chunk delay + jitter' : null,
      clock: this.faketimeLib ? `libfaketime (${this.faketimeLib}), offset file per node` : null,
      unavailable,
    };
  }

  nodes(): NodeHandle[] {
    return [...this.byName.values()].map((n) => n.handle);
  }

  async up(spec: ClusterSpec, p: Progress): Promise<NodeHandle[]> {
    if (this.spec) throw new Error('this runtime is already up');
    this.spec = spec;
    const names = nodeNames(spec.nodeCount);
    const proxied = spec.proxied !== false;
    const reserved = await reservePorts(2 * names.length);
    const ports = new Map(names.map((name, i) => [name, { client: reserved.ports[2 * i]!, peer: reserved.ports[2 * i + 1]! }]));
    const peerAddr = (n: string) => `127.0.0.1:${ports.get(n)!.peer}`;

    if (proxied) {
      for (const from of names) {
        for (const to of names) {
          if (from === to) continue;
          const proxy = new LinkProxy(`${from}->${to}`, { host: '127.0.0.1', port: ports.get(to)!.peer }, names.indexOf(from) * 31 + names.indexOf(to));
          await proxy.listen();
          this.proxies.set(`${from}->${to}`, proxy);
        }
      }
    }

    for (const name of names) {
      const dir = join(spec.runDir, name);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      const clockFile = join(dir, 'clock-offset');
      writeAtomic(clockFile, faketimeOffset(0));
      const peers: Record<string, string> = {};
      for (const other of names) {
        peers[other] = other === name || !proxied ? peerAddr(other) : `127.0.0.1:${this.proxies.get(`${name}->${other}`)!.port}`;
      }
      const { client } = ports.get(name)!;
      const handle: NodeHandle = { name, clientAddr: `127.0.0.1:${client}`, peerAddr: peerAddr(name), dataDir, logFile: join(dir, 'node.log') };
      const args = [storeMainPath(), ...storeArgs({ name, peers, spec, dataDir, clientPort: client, clientHost: '127.0.0.1' })];
      const env = this.faketimeLib ? faketimeEnv(this.faketimeLib, clockFile) : {};
      this.byName.set(name, { handle, args, env, clockFile, paused: false, killed: true });
    }
    await reserved.release();
    p.log(`local: starting ${names.length} nodes under ${spec.runDir}`);
    await Promise.all([...this.byName.values()].map((n) => this.spawn(n)));
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
      const child = spawn(process.execPath, n.args, { env: { ...process.env, ...n.env }, stdio: ['ignore', fd, fd], detached });
      child.on('error', () => {}); // exits are observed through pid checks
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
    const port = Number(n.handle.clientAddr.split(':')[1]);
    await pollUntil(`${n.handle.name} to listen on ${n.handle.clientAddr}`, async () => {
      if (n.pid === undefined || !isOurProcess(n.pid, n.handle.dataDir) || isZombie(n.pid)) {
        throw new GiveUp(`${n.handle.name} exited before listening: ${tail(n.handle.logFile)}`);
      }
      return tcpOpen('127.0.0.1', port, 200);
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
    await pollUntil(`${h.name} to die`, async () => !isOurProcess(n.pid!, n.handle.dataDir) || isZombie(n.pid!), p.signal, 20);
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

  async logs(h: NodeHandle): Promise<string> {
    try {
      return readFileSync(this.node(h).handle.logFile, 'utf8');
    } catch {
      return '';
    }
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
    if (this.proxies.size === 0) throw new UnsupportedFault(fault, 'this cluster was started without link proxies');
  }
}

/** The detached link-proxy process's entry point in this build (dist/src/runtime/proxy-main.js). */
function proxyMainPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'proxy-main.js');
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
