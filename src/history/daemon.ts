// The embedded database daemon: `node daemon.js HOME` opens PGlite in HOME/db/pgdata, serves it
// on a loopback port (src/history/pgserver.ts), advertises the port in HOME/db/server.json, and exits
// after FAULTLINE_DB_IDLE_MS (default 60 s) with no client connected, or on SIGTERM/SIGINT.

import { PGlite } from '@electric-sql/pglite';
import { openSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { dbDir, pidAlive, statePath, type EmbeddedState } from './embedded.js';
import { PgliteServer } from './pgserver.js';

const home = process.argv[2];
if (!home) {
  process.stderr.write('usage: daemon.js HOME\n');
  process.exit(254);
}
const dir = dbDir(home);
mkdirSync(dir, { recursive: true });
const lockPath = join(dir, 'daemon.lock');

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} pid ${process.pid}: ${message}\n`);
}

/** Takes the exclusive lock; false when another live daemon holds it. */
function takeLock(): boolean {
  for (let i = 0; i < 2; i++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(readFileSync(lockPath, 'utf8'));
      if (holder && pidAlive(holder)) return false;
      rmSync(lockPath, { force: true }); // stale: its daemon died without cleaning up
    }
  }
  return false;
}

if (!takeLock()) {
  log('another daemon holds the lock; leaving it to serve');
  process.exit(0);
}

const idleMs = Number(process.env.FAULTLINE_DB_IDLE_MS ?? 60_000);
const dataDir = join(dir, 'pgdata');
let stopping = false;

try {
  log(`opening PGlite in ${dataDir}`);
  const db = await PGlite.create({ dataDir });
  const server = new PgliteServer(db, log);
  const port = await server.start('127.0.0.1', Number(process.env.FAULTLINE_DB_PORT ?? 0));
  const state: EmbeddedState = { pid: process.pid, port, dataDir, startedAt: new Date().toISOString() };
  writeFileSync(`${statePath(home)}.tmp`, JSON.stringify(state));
  renameSync(`${statePath(home)}.tmp`, statePath(home));
  log(`serving on 127.0.0.1:${port}; idle shutdown after ${idleMs} ms`);

  const stop = async (why: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log(`stopping: ${why}`);
    rmSync(statePath(home), { force: true });
    try {
      await server.stop();
      await db.close();
    } finally {
      rmSync(lockPath, { force: true });
      process.exit(code);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('uncaughtException', (err) => void stop(`uncaught ${err.stack ?? err}`, 1));

  let idleSince = Date.now();
  setInterval(() => {
    if (server.connections > 0) idleSince = Date.now();
    else if (Date.now() - idleSince >= idleMs) void stop(`no client for ${idleMs} ms`);
  }, Math.min(1000, Math.max(50, idleMs / 4)));
} catch (err) {
  log(`failed: ${(err as Error).stack ?? err}`);
  rmSync(lockPath, { force: true });
  process.exit(1);
}
