// A Postgres wire-protocol server for one PGlite, safe for many concurrent clients.
//
// Why not pglite-socket's server: its multiplexer interleaves clients message by message, so one
// client's Parse/Bind/Execute can land between another's, whose unnamed portal then vanishes
// ("portal "" does not exist" — seen with two faultline processes at once; upstream
// electric-sql/pglite#1046), and it writes PGlite's output views to the socket uncopied. Here each
// client's extended-protocol batch (everything up to Sync) runs as one unit, and a client inside
// a transaction, or mid-batch (a Flush without Sync, as cursors do), keeps PGlite to itself until
// it is done. PGlite still executes the bytes; this file only decides whose turn it is.
//
// PGlite's output reaches onRawData as views into its WASM heap, reused for the next chunk before
// Node has flushed a socket under back-pressure; every chunk is copied before it is queued, or
// large replies arrive corrupted (a 4 MB value truncated a history; test/history/pgserver.test.ts).

import type { PGlite } from '@electric-sql/pglite';
import { createServer, type Server, type Socket } from 'node:net';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;
/** Message types that may be followed by more of the same batch (Parse, Bind, Describe, Execute, Close). */
const BATCHABLE = new Set(['P', 'B', 'D', 'E', 'C']);

interface Conn {
  id: number;
  socket: Socket;
  buffer: Buffer;
  started: boolean;
  batch: Uint8Array[];
  closed: boolean;
}

interface Unit {
  conn: Conn;
  messages: Uint8Array[];
  /** Ends with Sync or a simple Query, so no unnamed portal outlives it. */
  complete: boolean;
}

export class PgliteServer {
  private server: Server | undefined;
  private readonly conns = new Set<Conn>();
  private queue: Unit[] = [];
  private pumping = false;
  private owner: Conn | undefined;
  private nextId = 1;
  port = 0;

  constructor(private readonly db: PGlite, private readonly log: (m: string) => void = () => {}) {}

  get connections(): number {
    return this.conns.size;
  }

  /** Listens on host:port (0 = any free port) and resolves with the port. */
  start(host = '127.0.0.1', port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => this.accept(socket));
      server.once('error', reject);
      server.listen(port, host, () => {
        this.server = server;
        this.port = (server.address() as { port: number }).port;
        resolve(this.port);
      });
    });
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.socket.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  private accept(socket: Socket): void {
    const conn: Conn = { id: this.nextId++, socket, buffer: Buffer.alloc(0), started: false, batch: [], closed: false };
    this.conns.add(conn);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => {
      conn.buffer = conn.buffer.length ? Buffer.concat([conn.buffer, chunk]) : chunk;
      try {
        this.split(conn);
      } catch (err) {
        this.log(`connection ${conn.id}: ${(err as Error).message}`);
        socket.destroy();
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => void this.drop(conn));
  }

  /** Cuts complete messages off the connection's buffer and queues them in units. */
  private split(conn: Conn): void {
    for (;;) {
      const buf = conn.buffer;
      if (!conn.started) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        conn.buffer = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) conn.socket.write('N');
        else if (code === CANCEL_REQUEST) conn.socket.end();
        else {
          conn.started = true;
          this.enqueue({ conn, messages: [new Uint8Array(buf.subarray(0, len))], complete: true });
        }
        continue;
      }
      if (buf.length < 5) return;
      const len = 1 + buf.readInt32BE(1);
      if (buf.length < len) return;
      const type = String.fromCharCode(buf[0]!);
      const message = new Uint8Array(buf.subarray(0, len));
      conn.buffer = buf.subarray(len);
      if (type === 'X') {
        conn.socket.end();
        return;
      }
      conn.batch.push(message);
      if (!BATCHABLE.has(type)) {
        this.enqueue({ conn, messages: conn.batch, complete: type === 'S' || type === 'Q' });
        conn.batch = [];
      }
    }
  }

  private enqueue(unit: Unit): void {
    this.queue.push(unit);
    void this.pump();
  }

  /** Runs queued units one at a time; the owner (in a transaction or mid-batch) goes first. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        let i = 0;
        if (this.owner) {
          i = this.queue.findIndex((u) => u.conn === this.owner);
          if (i < 0) break; // wait for the owner's next unit
        }
        const unit = this.queue.splice(i, 1)[0]!;
        if (unit.conn.closed) continue;
        try {
          await this.db.runExclusive(async () => {
            for (const m of unit.messages) {
              await this.db.execProtocolRawStream(m, {
                onRawData: (data: Uint8Array) => {
                  // `data` is a view into PGlite's WASM heap, which PGlite reuses for its next
                  // chunk; a socket under back-pressure queues what it is given unflushed, so
                  // queue a copy (Buffer.from(Uint8Array) copies), never the view itself.
                  if (!unit.conn.closed && data.length > 0) unit.conn.socket.write(Buffer.from(data));
                },
              });
            }
          });
        } catch (err) {
          this.log(`connection ${unit.conn.id}: ${(err as Error).message}`);
          unit.conn.socket.destroy();
        }
        this.owner = !unit.conn.closed && (this.db.isInTransaction() || !unit.complete) ? unit.conn : undefined;
      }
    } finally {
      this.pumping = false;
    }
  }

  private async drop(conn: Conn): Promise<void> {
    if (conn.closed) return;
    conn.closed = true;
    this.conns.delete(conn);
    this.queue = this.queue.filter((u) => u.conn !== conn);
    if (this.owner === conn) {
      this.owner = undefined;
      if (this.db.isInTransaction()) await this.db.exec('ROLLBACK').catch(() => {});
    }
    void this.pump();
  }
}
