// Streams ops into Postgres in batches: a batch goes out at most FLUSH_MS after its first op
// arrives, and back to back under load, so a harness killed with SIGKILL loses at most the last
// ~100 ms. A failed write is retried with back-off and never dropped — after reconnecting, which
// for the embedded database restarts a daemon that died (it held 72–74 % of a run's history when
// killed mid-run before this); close() reports anything that still could not be stored.

import type { Sql } from 'postgres';
import type { HistoryDb } from './db.js';
import type { Op } from '../core/op.js';
import { opToRow } from './rows.js';
import { claimRun } from './harness.js';

export interface SinkOptions {
  /** Delay from the first buffered op to its flush. */
  flushMs?: number;
  /** Rows per INSERT statement. */
  batchRows?: number;
  /** Buffered ops above which `full` is true and writers should `await drain()`. */
  highWater?: number;
  /** Consecutive failed writes after which close() gives up. */
  maxRetries?: number;
  /**
   * `copy` streams batches with COPY FROM STDIN (several times faster on a real Postgres);
   * `insert` sends one INSERT … json_to_recordset per batch (works everywhere, PGlite included).
   * Retries always use `insert`, whose ON CONFLICT makes a repeated batch harmless.
   */
  method?: 'insert' | 'copy';
  /**
   * Called before retrying a failed write; returns the client to retry with. openSink passes the
   * database's reconnect (src/history/db.ts), which restarts an embedded daemon that died, so
   * what the sink holds is stored once it answers again instead of being given up.
   */
  reconnect?: () => Promise<Sql>;
}

/** Escapes a value for COPY's text format. */
function copyField(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return /[\\\n\r\t]/.test(v) ? v.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t')) : v;
}

/** One op as a line of COPY text: run_id, index, time_ns, process, type, f, value, node, error, ext. */
function copyLine(runId: number, op: Op): string {
  const r = opToRow(op);
  return [
    runId,
    r.index,
    r.time_ns,
    r.process,
    copyField(r.type),
    copyField(r.f),
    copyField(r.value === null ? null : JSON.stringify(r.value)),
    copyField(r.node),
    copyField(r.error),
    copyField(r.ext === null ? null : JSON.stringify(r.ext)),
  ].join('\t');
}

export class HistorySinkError extends Error {
  constructor(message: string, readonly unstored: Op[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HistorySinkError';
  }
}

/** A sink for a run, writing the fastest way the database supports (COPY on a real Postgres). */
export function openSink(db: HistoryDb, runId: number, opts: SinkOptions = {}): HistorySink {
  const reconnect = db.reconnect ? () => db.reconnect!() : undefined;
  const sink = new HistorySink(db.sql, runId, { method: db.kind === 'postgres' ? 'copy' : 'insert', ...(reconnect ? { reconnect } : {}), ...opts });
  sink.claim();
  return sink;
}

export class HistorySink {
  private buffer: Op[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private failures = 0;
  private lastError: unknown;
  private closed = false;
  private waiters: (() => void)[] = [];
  /** Ops known to be stored. */
  stored = 0;
  /** Times a failed write was followed by a reconnect to a database that answered again. */
  reconnects = 0;
  private readonly reconnect: (() => Promise<Sql>) | undefined;
  readonly flushMs: number;
  readonly batchRows: number;
  readonly highWater: number;
  readonly maxRetries: number;
  readonly method: 'insert' | 'copy';

  constructor(private sql: Sql, readonly runId: number, opts: SinkOptions = {}) {
    this.reconnect = opts.reconnect;
    this.flushMs = opts.flushMs ?? 50;
    this.batchRows = opts.batchRows ?? 20_000;
    this.highWater = opts.highWater ?? 100_000;
    this.maxRetries = opts.maxRetries ?? 8;
    this.method = opts.method ?? 'insert';
  }

  private claiming: Promise<void> | undefined;

  /**
   * Records this process as the run's harness (src/history/harness.ts), so a run whose harness
   * is SIGKILLed is marked crashed by the next command instead of staying `running` for ever.
   * A claim that fails leaves the run unclaimed, so it is never reaped: the safe side.
   */
  claim(): void {
    this.claiming = claimRun(this.sql, this.runId).catch(() => {
      this.claiming = undefined;
    });
  }

  /** Buffers one op; it reaches Postgres within about flushMs plus one write. */
  append(op: Op): void {
    if (this.closed) throw new Error(`history sink of run ${this.runId} is closed; op ${op.index} was not recorded`);
    this.buffer.push(op);
    if (!this.flushing && !this.timer) this.timer = setTimeout(() => this.kick(), this.flushMs);
  }

  /** Ops waiting to be written. */
  get pending(): number {
    return this.buffer.length;
  }

  /** True when writers should `await drain()` before appending more. */
  get full(): boolean {
    return this.buffer.length >= this.highWater;
  }

  /** Resolves once the buffer is below half the high-water mark. */
  drain(): Promise<void> {
    if (this.buffer.length < this.highWater / 2) return Promise.resolve();
    this.kick();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Writes everything buffered so far. */
  async flush(): Promise<void> {
    while (this.buffer.length > 0 || this.flushing) {
      if (this.failures > this.maxRetries) throw this.giveUp();
      if (this.failures > 0 && !this.flushing) await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** this.failures, 2000)));
      this.kick();
      await this.flushing;
    }
  }

  /** Flushes and stops; throws HistorySinkError (with the unstored ops) if Postgres refuses them. */
  async close(): Promise<void> {
    try {
      await this.claiming;
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private giveUp(): HistorySinkError {
    const reason = (this.lastError as Error)?.message ?? String(this.lastError);
    return new HistorySinkError(
      `${this.buffer.length} ops of run ${this.runId} could not be stored after ${this.failures} tries: ${reason}`,
      this.buffer.slice(),
      { cause: this.lastError },
    );
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = this.writeBatch().finally(() => {
      this.flushing = undefined;
      if (this.buffer.length < this.highWater / 2) for (const w of this.waiters.splice(0)) w();
      if (this.buffer.length === 0 || this.closed) return;
      if (this.failures === 0) this.kick();
      else if (this.failures <= this.maxRetries) this.timer = setTimeout(() => this.kick(), Math.min(100 * 2 ** this.failures, 2000));
    });
  }

  /** The ops not stored yet, oldest first (a copy): what a run must keep if the database stays away. */
  unstoredOps(): Op[] {
    return this.buffer.slice();
  }

  private async writeBatch(): Promise<void> {
    const batch = this.buffer.slice(0, this.batchRows);
    try {
      if (this.failures > 0 && this.reconnect) {
        const sql = await this.reconnect();
        if (sql !== this.sql) this.reconnects++;
        this.sql = sql;
      }
      if (this.method === 'copy' && this.failures === 0) await this.copyBatch(batch);
      else await this.insertBatch(batch);
      this.buffer.splice(0, batch.length);
      this.stored += batch.length;
      this.failures = 0;
    } catch (err) {
      this.failures++;
      this.lastError = err;
    }
  }

  private async copyBatch(batch: Op[]): Promise<void> {
    const text = batch.map((op) => copyLine(this.runId, op)).join('\n') + '\n';
    await this.sql.begin(async (tx) => {
      const stream = await tx`copy ops (run_id, index, time_ns, process, type, f, value, node, error, ext) from stdin`.writable();
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.once('finish', resolve);
        stream.end(text);
      });
      await tx`update runs set op_count = op_count + ${batch.length} where id = ${this.runId}`;
    });
  }

  private async insertBatch(batch: Op[]): Promise<void> {
    const json = JSON.stringify(batch.map(opToRow));
    // json_to_recordset: one text parameter for any number of rows, parsed by Postgres in C.
    // ON CONFLICT makes a retry after a lost acknowledgement harmless; op_count counts only
    // rows actually inserted.
    await this.sql`
      with ins as (
        insert into ops (run_id, index, time_ns, process, type, f, value, node, error, ext)
        select ${this.runId}, x.* from json_to_recordset((${json}::text)::json) as x(
          index integer, time_ns bigint, process integer, type text, f text,
          value jsonb, node text, error text, ext jsonb)
        on conflict (run_id, index) do nothing
        returning 1)
      update runs set op_count = op_count + (select count(*) from ins) where id = ${this.runId}`;
  }
}
