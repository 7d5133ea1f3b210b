// Opening the history database: a real Postgres by URL (--database-url / DATABASE_URL), or the
// embedded PGlite daemon under FAULTLINE_HOME. Both go through one postgres.js client.

import postgres, { type Sql } from 'postgres';
import { UserError } from '../core/errors.js';
import { faultlineHome } from '../core/home.js';
import { dbDir, ensureEmbeddedServer } from './embedded.js';
import { migrate } from './migrations.js';
import { reapDeadRuns, type ReapedRun } from './harness.js';

export interface HistoryDb {
  sql: Sql;
  kind: 'embedded' | 'postgres';
  /** Where the data lives, for messages: a folder, or the URL with its password hidden. */
  where: string;
  /** Runs this open found `running` with a dead harness and marked crashed (src/history/harness.ts). */
  reaped?: ReapedRun[];
  /**
   * After a failed query: makes sure the database answers again and returns the client to use
   * (also left in `sql`). For the embedded database this restarts a daemon that died and connects
   * to its new port; a real Postgres is reconnected by postgres.js itself, so its client stays.
   */
  reconnect?(): Promise<Sql>;
  close(): Promise<void>;
}

/** Marks the runs of dead harnesses crashed; never fails the open (it is housekeeping). */
async function reap(sql: Sql): Promise<ReapedRun[]> {
  try {
    return await reapDeadRuns(sql);
  } catch {
    return [];
  }
}

export interface DbOptions {
  /** A postgres:// URL; when absent, DATABASE_URL; when that is absent too, the embedded database. Null forces the embedded one. */
  databaseUrl?: string | null;
  home?: string;
}

/** The URL with its password replaced by ***, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

function checkUrl(url: string): void {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`database URL ${JSON.stringify(redactUrl(url))} is not a URL; expected postgres://user:password@host:port/database`);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new UserError(`database URL ${redactUrl(url)} has scheme ${u.protocol.replace(':', '')}; expected postgres:// or postgresql://`);
  }
}

const quiet = { onnotice: () => {}, connection: { application_name: 'faultline' } };

/** Connects, checks the connection with a round trip, and applies migrations. */
export async function openDb(opts: DbOptions = {}): Promise<HistoryDb> {
  const url = opts.databaseUrl === null ? undefined : opts.databaseUrl || process.env.DATABASE_URL || undefined;
  if (url) {
    checkUrl(url);
    const sql = postgres(url, { ...quiet, max: 4, connect_timeout: 5 });
    try {
      await sql`select 1`;
      await migrate(sql);
    } catch (err) {
      await sql.end({ timeout: 1 }).catch(() => {});
      const reason = (err as Error).message || (err as { code?: string }).code || String(err);
      throw new UserError(
        `cannot use Postgres at ${redactUrl(url)}: ${reason}. Check the server runs and the URL (user, password, database) is right, or unset DATABASE_URL to use the embedded database`,
        { cause: err },
      );
    }
    return { sql, kind: 'postgres', where: redactUrl(url), reaped: await reap(sql), reconnect: async () => sql, close: () => sql.end({ timeout: 5 }) };
  }
  const home = opts.home ?? faultlineHome();
  const state = await ensureEmbeddedServer(home);
  const connectTo = (port: number) => postgres({ ...quiet, host: '127.0.0.1', port, user: 'postgres', database: 'postgres', max: 2, connect_timeout: 10 });
  const sql = connectTo(state.port);
  try {
    await migrate(sql);
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw new UserError(`the embedded database under ${dbDir(home)} failed: ${(err as Error).message}`, { cause: err });
  }
  let daemon = { pid: state.pid, port: state.port };
  let reconnecting: Promise<Sql> | undefined;
  let closed = false;
  const db: HistoryDb = {
    sql,
    kind: 'embedded',
    where: dbDir(home),
    reaped: await reap(sql),
    // The daemon died (killed, OOM, a crash): start another on the same data folder and move to
    // its port. Concurrent callers share one attempt.
    reconnect() {
      reconnecting ??= (async () => {
        try {
          if (closed) return db.sql;
          const now = await ensureEmbeddedServer(home);
          if (now.pid === daemon.pid && now.port === daemon.port) return db.sql;
          const old = db.sql;
          const fresh = connectTo(now.port);
          await fresh`select 1`;
          daemon = { pid: now.pid, port: now.port };
          db.sql = fresh;
          void old.end({ timeout: 0 }).catch(() => {});
          return fresh;
        } finally {
          reconnecting = undefined;
        }
      })();
      return reconnecting;
    },
    close: () => {
      closed = true;
      return db.sql.end({ timeout: 5 });
    },
  };
  return db;
}

/** Opens the database, runs fn, and always closes it. */
export async function withDb<T>(opts: DbOptions, fn: (db: HistoryDb) => Promise<T>): Promise<T> {
  const db = await openDb(opts);
  try {
    return await fn(db);
  } finally {
    await db.close();
  }
}
