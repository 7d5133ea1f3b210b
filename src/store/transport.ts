// Node-to-node transport over TCP, newline-delimited JSON. The contract the fault-injection
// runtime relies on: a node SENDS only on connections it dialed itself, to the address its
// --peers gives for the destination, and only READS from connections others dialed to it.
// So a proxy on the directed link n1→n2 carries exactly n1's messages to n2, and cutting it
// is a one-way partition. Outbound queues are bounded (oldest messages dropped first: the
// protocols tolerate loss) and dialing retries with capped backoff.

import { createServer, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Server, Socket } from 'node:net';
import { LineReader } from './lines.js';

export interface TransportOptions {
  id: string;
  /** Every member's peer address, this node's own included (it listens there). */
  peers: Record<string, { host: string; port: number }>;
  onMessage: (msg: unknown) => void;
  maxQueuedMessages?: number;
  reconnectMsMin?: number;
  reconnectMsMax?: number;
  log?: (line: string) => void;
}

const CONNECT_TIMEOUT_MS = 2000;
const STUCK_MS = 5000;

class Outbound {
  private socket: Socket | null = null;
  private connecting = false;
  private queue: string[] = [];
  private backoffMs: number;
  private timer: NodeJS.Timeout | null = null;
  private flushScheduled = false;
  private blockedSinceMs = 0;

  constructor(
    private readonly to: string,
    private readonly addr: { host: string; port: number },
    private readonly hello: string,
    private readonly o: Required<Pick<TransportOptions, 'maxQueuedMessages' | 'reconnectMsMin' | 'reconnectMsMax'>>,
    private readonly closed: () => boolean,
  ) {
    this.backoffMs = o.reconnectMsMin;
  }

  /** Queues a line; a connected socket gets everything queued in one write per loop turn. */
  send(line: string): void {
    this.queue.push(line);
    if (this.queue.length > this.o.maxQueuedMessages) {
      this.queue.shift();
    }
    if (!this.socket) return this.dial();
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private dial(): void {
    if (this.connecting || this.timer || this.closed()) return;
    this.connecting = true;
    const s = connect({ host: this.addr.host, port: this.addr.port, noDelay: true });
    // A partition that drops SYNs would otherwise leave the dial hanging for minutes of kernel
    // retries after the partition heals.
    s.setTimeout(CONNECT_TIMEOUT_MS, () => s.destroy());
    s.on('connect', () => {
      s.setTimeout(0);
      this.connecting = false;
      this.blockedSinceMs = 0;
      this.backoffMs = this.o.reconnectMsMin;
      this.socket = s;
      s.write(this.hello);
      this.flush();
    });
    s.on('drain', () => {
      this.blockedSinceMs = 0;
      this.flush();
    });
    s.on('data', () => undefined); // nothing is ever sent back on a connection we dialed
    s.on('error', () => undefined); // 'close' follows
    s.on('close', () => {
      this.connecting = false;
      if (this.socket === s) this.socket = null;
      this.scheduleRedial();
    });
  }

  private scheduleRedial(): void {
    if (this.closed() || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.queue.length > 0) this.dial();
    }, this.backoffMs);
    this.backoffMs = Math.min(this.o.reconnectMsMax, this.backoffMs * 2);
  }

  private flush(): void {
    const s = this.socket;
    if (!s || this.queue.length === 0) return;
    if (s.writableNeedDrain) return this.checkStuck(s);
    const batch = this.queue.join('');
    this.queue = [];
    s.write(batch);
  }

  /**
   * With a full socket buffer we wait for 'drain' (the queue stays bounded meanwhile); a
   * connection that stays full that long leads nowhere (packets dropped), so dial afresh.
   */
  private checkStuck(s: Socket): void {
    const now = performance.now();
    if (this.blockedSinceMs === 0) this.blockedSinceMs = now;
    else if (now - this.blockedSinceMs > STUCK_MS) s.destroy();
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.destroy();
    this.socket = null;
    this.queue = [];
  }
}

export class Transport {
  private server: Server | null = null;
  private readonly outbound = new Map<string, Outbound>();
  private readonly inbound = new Set<Socket>();
  private closed = false;

  constructor(private readonly o: TransportOptions) {
    const limits = {
      maxQueuedMessages: o.maxQueuedMessages ?? 10_000,
      reconnectMsMin: o.reconnectMsMin ?? 20,
      reconnectMsMax: o.reconnectMsMax ?? 500,
    };
    const hello = JSON.stringify({ hello: o.id }) + '\n';
    for (const [id, addr] of Object.entries(o.peers)) {
      if (id !== o.id) this.outbound.set(id, new Outbound(id, addr, hello, limits, () => this.closed));
    }
  }

  /** Listens for peers on the port of this node's own --peers entry. */
  async listen(): Promise<void> {
    const me = this.o.peers[this.o.id];
    if (!me) throw new Error(`--peers has no entry for this node ${this.o.id}`);
    const server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(me.port, me.host, () => resolve());
    });
    this.server = server;
  }

  private accept(s: Socket): void {
    this.inbound.add(s);
    s.setNoDelay(true);
    const reader = new LineReader((line) => {
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        this.o.log?.(`dropping unparsable peer message: ${line.slice(0, 80)}`);
        return;
      }
      if (typeof msg === 'object' && msg !== null && !('hello' in msg)) this.o.onMessage(msg);
    });
    s.on('data', (chunk) => reader.push(chunk));
    s.on('error', () => undefined);
    s.on('close', () => this.inbound.delete(s));
  }

  /** Queues a message to a peer; never blocks and never throws. */
  send(to: string, msg: unknown): void {
    this.outbound.get(to)?.send(JSON.stringify(msg) + '\n');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const o of this.outbound.values()) o.close();
    for (const s of this.inbound) s.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
