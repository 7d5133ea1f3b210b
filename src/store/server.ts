// The store server: hosts a replication core behind the client protocol, with a WAL on disk,
// the peer transport and a monotonic tick timer. The loop is: events (ticks, peer messages,
// client requests) feed the core; one Ready at a time is persisted (everything that piled up
// meanwhile goes into the next one: group commit), then its messages are sent and its
// results answered. Nothing is sent or acknowledged before the state it depends on is durable.

import type { StoreArgs } from './args.js';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { commandError } from './kv.js';
import type { Command } from './kv.js';
import { WriteBatcher } from './batcher.js';
import { LineReader } from './lines.js';
import type { FsyncMode } from './log.js';
import { createCore } from './cores.js';
import type { CoreStatus, PeerMessage, ReplicationCore } from './protocol.js';
import { Replica } from './replica.js';
import type { Reply } from './replica.js';
import { DiskStorage } from './storage.js';
import { Transport } from './transport.js';
import type { WireRequest } from './wire.js';

/** The server's flags (see args.ts) plus what the process supplies: timers and a log. */
export interface ServerOptions extends StoreArgs {
  tickMs: number;
  requestTimeoutMs: number;
  log: (line: string) => void;
}

export class StoreServer {
  private clientServer: Server | null = null;
  private readonly clients = new Set<Socket>();
  private tickTimer: NodeJS.Timeout | null = null;
  private pumping = false;
  private pumpScheduled = false;
  private lastLogged = '';
  private stopped = false;

  private constructor(
    private readonly o: ServerOptions,
    private readonly storage: DiskStorage,
    private readonly core: ReplicationCore,
    private readonly replica: Replica,
    private readonly transport: Transport,
  ) {}

  static async start(o: ServerOptions): Promise<StoreServer> {
    const bugs = new Set(o.bugs);
    const mode: FsyncMode = bugs.has('no-fsync') ? 'lazy' : o.fsync;
    const { storage, state, tornBytes } = await DiskStorage.open(o.dataDir, mode);
    if (tornBytes > 0) o.log(`${o.id} recovered: cut a torn ${tornBytes}-byte record off the end of the log`);
    const { core, isMessage } = createCore(o.protocol, { id: o.id, members: Object.keys(o.peers), bugs, tickMs: o.tickMs, snapshotEntries: o.snapshotEntries }, state);
    const replica = new Replica(core, core.kv, bugs, Math.ceil(o.requestTimeoutMs / o.tickMs));
    let server: StoreServer | undefined;
    const onMessage = (m: unknown) => {
      if (isMessage(m)) server?.onPeerMessage(m);
    };
    const transport = new Transport({ id: o.id, peers: o.peers, onMessage, log: o.log });
    server = new StoreServer(o, storage, core, replica, transport);
    await transport.listen();
    await server.listenClients();
    server.tickTimer = setInterval(() => server.onTick(), o.tickMs);
    server.logChanges();
    return server;
  }

  private onTick(): void {
    this.replica.tick();
    this.schedulePump();
    this.logChanges();
  }

  private onPeerMessage(m: PeerMessage): void {
    if (this.stopped) return;
    this.core.step(m);
    this.schedulePump();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (this.pumping) this.sendUrgent();
      else void this.pump();
    });
  }

  /** While a write is being fsynced: replicate, confirm reads and answer what needs no disk. */
  private sendUrgent(): void {
    if (this.stopped || !this.core.hasUrgent()) return;
    const u = this.core.takeUrgent();
    for (const m of u.urgentMessages) this.transport.send(m.to, m);
    this.replica.deliver(u);
    this.logChanges();
  }

  /** Persist a Ready, then send and answer; one at a time so later events batch together. */
  private async pump(): Promise<void> {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped && this.core.hasReady()) {
        const r = this.core.takeReady();
        for (const m of r.urgentMessages) this.transport.send(m.to, m);
        this.replica.deliver(r);
        if (r.persist.length > 0) await this.storage.persist(r.persist);
        for (const m of r.messages) this.transport.send(m.to, m);
        this.replica.persisted(r);
        this.logChanges();
      }
    } catch (err) {
      // A write we cannot make durable leaves nothing safe to do but stop.
      this.o.log(`${this.o.id} fatal: cannot write the log: ${(err as Error).message}`);
      process.exit(1);
    } finally {
      this.pumping = false;
    }
  }

  /** One stdout line per role or term change (these become the node's log in reports). */
  private logChanges(): void {
    const s = this.core.status();
    const key = `${s.role}/${s.term}`;
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    this.o.log(`${new Date().toISOString()} ${this.o.id} term ${s.term} role ${s.role} leader ${s.leader ?? '-'} commit ${s.commitIndex}`);
  }

  private async listenClients(): Promise<void> {
    const server = createServer((s) => this.acceptClient(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.clientPort, this.o.clientHost, () => resolve());
    });
    this.clientServer = server;
  }

  private acceptClient(s: Socket): void {
    this.clients.add(s);
    s.setNoDelay(true);
    const out = new WriteBatcher(s);
    const send = (obj: unknown) => out.write(JSON.stringify(obj) + '\n');
    const reader = new LineReader(
      (line) => this.onClientLine(line, send),
      () => s.destroy(),
    );
    s.on('data', (chunk) => reader.push(chunk));
    s.on('error', () => undefined);
    s.on('close', () => this.clients.delete(s));
  }

  private onClientLine(line: string, send: (obj: unknown) => void): void {
    let req: WireRequest;
    try {
      req = JSON.parse(line) as WireRequest;
    } catch {
      return send({ id: null, ok: false, error: 'bad-request', definite: true, message: 'not JSON' });
    }
    const id = req?.id ?? null;
    const answer = (r: Reply) => send({ id, ...r });
    if (this.stopped) return answer({ ok: false, error: 'unavailable', definite: true });
    if (req?.op === 'status') return answer({ ok: true, value: this.status() });
    const bad = commandError(req);
    if (bad) return send({ id, ok: false, error: 'bad-request', definite: true, message: bad });
    this.replica.submit(req as unknown as Command, answer);
    this.schedulePump();
  }

  status(): CoreStatus & { protocol: string; bugs: string[] } {
    return { ...this.core.status(), protocol: this.o.protocol, bugs: [...this.o.bugs] };
  }

  /** Stops serving, answers what is pending, flushes the log and closes every socket. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
    this.replica.abandonAll();
    await this.transport.close();
    for (const c of this.clients) c.end();
    const cs = this.clientServer;
    if (cs) await new Promise<void>((resolve) => cs.close(() => resolve()));
    for (const c of this.clients) c.destroy();
    await this.storage.close();
  }
}
