// The embedded default database: one PGlite per FAULTLINE_HOME, owned by a small background
// daemon (src/history/daemon.ts) that serves it on a loopback port with pglite-socket. Every
// faultline process connects to that daemon with postgres.js, so two CLI processes at once (a
// `serve` while a `test` runs) share one database, and a harness killed with SIGKILL cannot
// corrupt it: the database lives in another process. The daemon exits after a quiet spell.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../core/errors.js';

export interface EmbeddedState {
  pid: number;
  port: number;
  dataDir: string;
  startedAt: string;
}

export function dbDir(home: string): string {
  return join(home, 'db');
}

export function statePath(home: string): string {
  return join(dbDir(home), 'server.json');
}

export function logPath(home: string): string {
  return join(dbDir(home), 'server.log');
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readState(home: string): EmbeddedState | undefined {
  try {
    return JSON.parse(readFileSync(statePath(home), 'utf8')) as EmbeddedState;
  } catch {
    return undefined;
  }
}

/** Resolves true when a TCP connection to 127.0.0.1:port succeeds within timeoutMs. */
export function portAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The running daemon for this home, if one answers. */
export async function runningServer(home: string): Promise<EmbeddedState | undefined> {
  const state = readState(home);
  if (state && pidAlive(state.pid) && (await portAnswers(state.port))) return state;
  return undefined;
}

function spawnDaemon(home: string): { exited: () => number | null } {
  mkdirSync(dbDir(home), { recursive: true });
  const log = openSync(logPath(home), 'a');
  const script = fileURLToPath(new URL('./daemon.js', import.meta.url));
  const child = spawn(process.execPath, [script, home], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let code: number | null = null;
  child.once('exit', (c) => {
    code = c ?? 1;
  });
  child.unref();
  return { exited: () => code };
}

function logTail(home: string): string {
  try {
    const lines = readFileSync(logPath(home), 'utf8').trim().split('\n');
    return lines.slice(-1)[0] ?? '';
  } catch {
    return '';
  }
}

/** Returns the daemon serving this home's database, starting one if none runs. */
export async function ensureEmbeddedServer(home: string, timeoutMs = 60_000): Promise<EmbeddedState> {
  const deadline = Date.now() + timeoutMs;
  let spawned: { exited: () => number | null } | undefined;
  for (let attempt = 0; ; attempt++) {
    const state = readState(home);
    if (state && pidAlive(state.pid)) {
      if (await portAnswers(state.port)) return state;
    } else if (!spawned || spawned.exited() !== null) {
      // No live daemon: start one. The daemon takes an exclusive lock, so two processes racing
      // here start at most one PGlite on the data folder.
      if (spawned && spawned.exited() !== 0 && !existsSync(join(dbDir(home), 'daemon.lock'))) {
        throw new UserError(
          `the embedded database under ${dbDir(home)} did not start: ${logTail(home) || 'no output'} (log: ${logPath(home)})`,
        );
      }
      spawned = spawnDaemon(home);
    }
    if (Date.now() > deadline) {
      throw new UserError(
        `the embedded database under ${dbDir(home)} did not answer within ${Math.round(timeoutMs / 1000)} s (log: ${logPath(home)}); ` +
          'run `faultline db stop` and try again, or set DATABASE_URL to use a Postgres server',
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(50 * (attempt + 1), 250)));
  }
}
