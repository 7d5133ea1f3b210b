// Spawns a cluster of store server processes on loopback (127.0.0.1, free ports) for the
// store's own tests and benchmark. The harness's runtimes (src/runtime/) have their own launcher.

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreClient } from './client.js';
import { Link } from './links.js';
import type { NodeStatus } from './client.js';

const MAIN = resolve(fileURLToPath(import.meta.url), '../main.js');

/** A free TCP port on 127.0.0.1 (asks the OS for one, then releases it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolvePort(port));
    });
  });
}

export interface LocalNode {
  id: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  proc: ChildProcess | null;
  output: string;
}

export interface LocalClusterOptions {
  /** Extra flags for every node. */
  args?: string[];
  /** Extra environment per node (e.g. libfaketime). */
  env?: (id: string) => NodeJS.ProcessEnv;
  /** Route every directed link through a Link the test can cut (see cut()). */
  links?: boolean;
  /** --protocol of every node (default raft). */
  protocol?: string;
}

export class LocalCluster {
  readonly clientAddrs: Record<string, string> = {};
  readonly nodes: LocalNode[] = [];

  private constructor(readonly dataRoot: string) {}

  static async start(n: number, opts: LocalClusterOptions = {}): Promise<LocalCluster> {
    const c = new LocalCluster(mkdtempSync(join(tmpdir(), 'faultline-cluster-')));
    const ids = Array.from({ length: n }, (_, i) => `n${i + 1}`);
    const peerPorts = await Promise.all(ids.map(() => freePort()));
    const clientPorts = await Promise.all(ids.map(() => freePort()));
    for (const [i, id] of ids.entries()) {
      const peers: string[] = [];
      for (const [j, to] of ids.entries()) peers.push(`${to}=127.0.0.1:${i === j || !opts.links ? peerPorts[j] : await c.link(id, to, peerPorts[j]!)}`);
      c.clientAddrs[id] = `127.0.0.1:${clientPorts[i]}`;
      const args = ['--id', id, '--peers', peers.join(','), '--protocol', opts.protocol ?? 'raft', '--data', join(c.dataRoot, id), '--client-port', String(clientPorts[i]), ...(opts.args ?? [])];
      c.nodes.push({ id, args, env: opts.env?.(id) ?? {}, proc: null, output: '' });
    }
    for (const id of ids) c.launch(id);
    return c;
  }

  private readonly links = new Map<string, Link>();

  private async link(from: string, to: string, port: number): Promise<number> {
    const l = new Link(port);
    this.links.set(`${from}>${to}`, l);
    return l.listen();
  }

  /** Cuts (or restores) the directed link from → to; needs `links: true`. */
  cut(from: string, to: string, cut = true): void {
    const l = this.links.get(`${from}>${to}`);
    if (!l) throw new Error(`no link ${from}>${to} (start the cluster with links: true)`);
    l.setCut(cut);
  }

  /** Cuts every link to and from a node. */
  isolate(id: string): void {
    for (const n of this.nodes) {
      if (n.id === id) continue;
      this.cut(id, n.id);
      this.cut(n.id, id);
    }
  }

  node(id: string): LocalNode {
    const n = this.nodes.find((x) => x.id === id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  /** Starts (or restarts) a node's process with the same flags and data directory. */
  launch(id: string): void {
    const n = this.node(id);
    const proc = spawn(process.execPath, [MAIN, ...n.args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...n.env } });
    proc.stdout!.on('data', (d: Buffer) => (n.output += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (n.output += d.toString()));
    n.proc = proc;
  }

  /** kill -9, and wait until the process is gone. */
  async kill(id: string): Promise<void> {
    const n = this.node(id);
    const p = n.proc;
    if (!p) return;
    n.proc = null;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => {
      p.once('exit', () => r());
      p.kill('SIGKILL');
    });
  }

  running(): string[] {
    return this.nodes.filter((n) => n.proc !== null).map((n) => n.id);
  }

  /** Status of every running node that answers. */
  async statuses(client: StoreClient): Promise<NodeStatus[]> {
    const all = await Promise.all(this.running().map((id) => client.status(id).catch(() => null)));
    return all.filter((s): s is NodeStatus => s !== null);
  }

  /** Polls until a running node is leader and every answering node agrees on it. */
  async awaitLeader(client: StoreClient, timeoutMs: number, not?: string): Promise<NodeStatus> {
    return pollUntil(async () => {
      const ss = await this.statuses(client);
      const l = ss.filter((s) => s.role === 'leader' && s.id !== not).sort((a, b) => b.term - a.term)[0];
      return l && ss.filter((s) => s.leader === l.id && s.term === l.term).length * 2 > this.nodes.length ? l : undefined;
    }, timeoutMs, 'a leader');
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.kill(n.id)));
    await Promise.all([...this.links.values()].map((l) => l.close()));
    rmSync(this.dataRoot, { recursive: true, force: true });
  }
}

/** Polls a condition every 25 ms until it yields a value; throws after the deadline. */
export async function pollUntil<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
