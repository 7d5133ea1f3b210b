// A TCP proxy for one directed node-to-node link (n1 -> n2), owned by the harness: the local
// runtime's stand-in for iptables and netem. It can pass traffic, blackhole it (accept and
// discard, like dropped packets), refuse it (reset new connections), cut live connections, and
// delay chunks. Loss on a TCP stream cannot drop bytes (the peer would read corrupt frames), so
// it is modelled the way TCP experiences packet loss: a "lost" chunk is held back one
// retransmission timeout (200 ms, doubling for each further loss in a row); 100 % is a blackhole.
// Order within a connection is always preserved.
//
// A proxy can also serve a listening server made elsewhere (adopt): that is how the proxies of a
// cluster left running (`faultline test --leave-running`, local runtime) move out of the harness
// into a detached process (proxy-main.ts) without their ports ever closing.

import net from 'node:net';
import { createRng, type Rng } from '../core/rng.js';

export type LinkMode = 'pass' | 'blackhole' | 'refuse';

export interface LinkStats {
  accepted: number;
  refused: number;
  blackholed: number;
  cut: number;
  bytesForwarded: number;
  chunksDelayed: number;
}

/** Retransmission timeout a lost chunk waits, per loss in a row (Linux's minimum RTO is 200 ms). */
const RTO_MS = 200;
const LOSS_RETRIES_MAX = 4;

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
}

export class LinkProxy {
  private server = net.createServer((s) => this.onConnection(s));
  private pairs = new Set<Pair>();
  private mode: LinkMode = 'pass';
  private lossPct = 0;
  private delayMs = 0;
  private jitterMs = 0;
  private rng: Rng;
  readonly stats: LinkStats = { accepted: 0, refused: 0, blackholed: 0, cut: 0, bytesForwarded: 0, chunksDelayed: 0 };
  port = 0;

  constructor(
    readonly name: string,
    readonly target: { host: string; port: number },
    readonly seed = 1,
  ) {
    this.rng = createRng(seed);
  }

  /** The listening server (LocalRuntime.leave hands it to the detached proxy process). */
  get listener(): net.Server {
    return this.server;
  }

  /** Serves a server that already listens (one handed over by another process) instead of its own. */
  adopt(server: net.Server): number {
    this.server = server;
    server.on('connection', (s: net.Socket) => this.onConnection(s));
    this.port = (server.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Starts listening on 127.0.0.1 (port 0 = any free port); resolves to the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  getMode(): LinkMode {
    return this.mode;
  }

  /**
   * Changes the mode and cuts every live connection: into a fault so it bites at once, and out of
   * one so senders stuck on a blackholed connection (which looks open to them) dial again.
   */
  setMode(mode: LinkMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.cutAll();
  }

  /** Destroys every live connection on this link (both sides); returns how many. */
  cutAll(): number {
    const n = this.pairs.size;
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    this.pairs.clear();
    this.stats.cut += n;
    return n;
  }

  /** Loss in percent (0..100) and delay for chunks from now on; zeros clear them. */
  setImpairment(o: { lossPct?: number; delayMs?: number; jitterMs?: number }): void {
    const lossPct = o.lossPct ?? 0;
    if (!(lossPct >= 0 && lossPct <= 100)) throw new RangeError(`loss must be 0..100 %, got ${lossPct}`);
    // 100 % is a blackhole: entering it must cut live streams (dropping bytes mid-stream would
    // corrupt them), and leaving it must cut the blackholed ones so their senders dial again.
    if ((lossPct >= 100) !== (this.lossPct >= 100)) this.cutAll();
    this.lossPct = lossPct;
    this.delayMs = Math.max(0, o.delayMs ?? 0);
    this.jitterMs = Math.max(0, o.jitterMs ?? 0);
  }

  impairment(): { lossPct: number; delayMs: number; jitterMs: number } {
    return { lossPct: this.lossPct, delayMs: this.delayMs, jitterMs: this.jitterMs };
  }

  async close(): Promise<void> {
    this.cutAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onConnection(client: net.Socket): void {
    client.on('error', () => {});
    if (this.mode === 'refuse') {
      this.stats.refused++;
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client };
    this.pairs.add(pair);
    client.on('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    if (this.mode === 'blackhole' || this.lossPct >= 100) {
      // Accept and swallow: the sender sees a connection that never answers, like dropped packets.
      this.stats.blackholed++;
      client.resume();
      return;
    }
    this.stats.accepted++;
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => client.destroy());
    this.pipe(client, upstream, pair);
    this.pipe(upstream, client, pair);
  }

  /** Forwards chunks from one socket to the other, through the delay/loss model. */
  private pipe(from: net.Socket, to: net.Socket, pair: Pair): void {
    let releaseAtMs = 0; // keeps chunks in order: none leaves before the one ahead of it
    from.on('data', (chunk: Buffer) => {
      if (!this.pairs.has(pair)) return;
      if (this.mode !== 'pass' || this.lossPct >= 100) return; // blackholed mid-stream
      let waitMs = this.delayMs + (this.jitterMs > 0 ? this.rng.float() * this.jitterMs : 0);
      for (let i = 0; i < LOSS_RETRIES_MAX && this.lossPct > 0 && this.rng.float() * 100 < this.lossPct; i++) {
        waitMs += RTO_MS * 2 ** i;
      }
      const now = Date.now();
      if (waitMs <= 0 && releaseAtMs <= now) {
        this.stats.bytesForwarded += chunk.length;
        to.write(chunk);
        return;
      }
      // Counted only when this chunk itself was delayed or "lost", not when it merely waits its turn
      // behind chunks sent before a heal.
      if (waitMs > 0) this.stats.chunksDelayed++;
      releaseAtMs = Math.max(releaseAtMs, now + waitMs);
      setTimeout(() => {
        if (!this.pairs.has(pair) || to.destroyed) return;
        this.stats.bytesForwarded += chunk.length;
        to.write(chunk);
      }, releaseAtMs - now);
    });
  }
}
