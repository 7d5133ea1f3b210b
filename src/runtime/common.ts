// Helpers both runtimes share: a node's environment, waiting for a TCP port, free ports,
// libfaketime's offset file, and the pid/state files under $FAULTLINE_HOME that let
// `faultline cleanup` find what a SIGKILLed harness left behind.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultlineHome } from '../core/home.js';

/** Root of the build output (dist/) and of the package (the folder holding dist/ and node_modules/). */
export function distRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../..');
}
export function packageRoot(): string {
  return resolve(distRoot(), '..');
}

export function nodeNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/**
 * A node's environment: the Db's own, then libfaketime's (an LD_PRELOAD the Db sets is kept,
 * libfaketime goes first), then FAULTLINE_NODE=<marker> so pid checks and `cleanup` recognise the
 * process whatever its command line says.
 */
export function nodeEnv(dbEnv: Record<string, string> | undefined, faketime: Record<string, string>, marker?: string): Record<string, string> {
  const env: Record<string, string> = { ...(dbEnv ?? {}) };
  for (const [k, v] of Object.entries(faketime)) env[k] = k === 'LD_PRELOAD' && env[k] ? `${v}:${env[k]}` : v;
  if (marker !== undefined) env.FAULTLINE_NODE = marker;
  return env;
}

/**
 * Holds `count` free ports on 127.0.0.1 until release() (so proxies opened meanwhile cannot be
 * handed the same ports); release right before the nodes bind them.
 */
export async function reservePorts(count: number): Promise<{ ports: number[]; release: () => Promise<void> }> {
  const servers: net.Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = net.createServer();
    await new Promise<void>((r, j) => server.once('error', j).listen(0, '127.0.0.1', () => r()));
    servers.push(server);
  }
  return {
    ports: servers.map((s) => (s.address() as net.AddressInfo).port),
    release: async () => {
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}

/** True when something accepts a TCP connection at host:port within timeoutMs. */
export function tcpOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

export function splitAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}

/** libfaketime's relative offset syntax ("+1.5s", "-0.25s"); read on every call with FAKETIME_NO_CACHE=1. */
export function faketimeOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? '-' : '+';
  return `${sign}${(Math.abs(offsetMs) / 1000).toFixed(3)}s`;
}

/** The environment that makes a node read its clock offset from `offsetFile` (path as the node sees it). */
export function faketimeEnv(lib: string, offsetFile: string): Record<string, string> {
  return {
    LD_PRELOAD: lib,
    FAKETIME_TIMESTAMP_FILE: offsetFile,
    FAKETIME_NO_CACHE: '1',
    // Without this, moving the offset back makes libuv's monotonic clock jump and Node timers hang.
    FAKETIME_DONT_FAKE_MONOTONIC: '1',
  };
}

/** libfaketime on this machine (Debian package libfaketime), or null. */
export function hostFaketimeLib(): string | null {
  // FAULTLINE_FAKETIME_LIB names libfaketime where Debian's paths do not have it ("none": treat as absent).
  const given = process.env.FAULTLINE_FAKETIME_LIB;
  if (given !== undefined && given !== '') return given !== 'none' && existsSync(given) ? given : null;
  for (const dir of ['/usr/lib/x86_64-linux-gnu/faketime', '/usr/lib/aarch64-linux-gnu/faketime', '/usr/lib/faketime']) {
    const lib = join(dir, 'libfaketime.so.1');
    if (existsSync(lib)) return lib;
  }
  return null;
}

// ---- pid files: $FAULTLINE_HOME/pids/<runId>.json --------------------------------------------

/** A local process the harness started; `marker` appears in its command line (guards against pid reuse). */
export interface PidEntry {
  name: string;
  pid: number;
  marker: string;
}
export interface PidFile {
  runId: string;
  harnessPid: number;
  /** Started by `cluster up`: meant to outlive the harness, so a plain cleanup leaves it. */
  persistent?: boolean;
  processes: PidEntry[];
}

function pidDir(): string {
  const dir = join(faultlineHome(), 'pids');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Atomically (write + rename): a harness killed mid-write, or a cleanup reading meanwhile, never sees half a file. */
export function writePidFile(f: PidFile): void {
  writeAtomic(join(pidDir(), `${f.runId}.json`), JSON.stringify(f, null, 2));
}

export function removePidFile(runId: string): void {
  rmSync(join(pidDir(), `${runId}.json`), { force: true });
}

export function readPidFiles(): PidFile[] {
  const out: PidFile[] = [];
  for (const name of readdirSync(pidDir())) {
    if (!name.endsWith('.json')) continue;
    try {
      out.push(JSON.parse(readFileSync(join(pidDir(), name), 'utf8')) as PidFile);
    } catch {
      // a half-written file from a killed harness: nothing we can trust in it
    }
  }
  return out;
}

/**
 * True when `pid` is alive and its command line contains `marker`, or its environment has
 * FAULTLINE_NODE=<marker> (so it is ours, not a reused pid).
 */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').includes(marker)) return true;
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`FAULTLINE_NODE=${marker}`);
  } catch {
    return false;
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      reject(signal.reason);
    }, { once: true });
  });
}

/** A fresh run id: time + random, safe in container names, labels and file names. */
export function newRunId(): string {
  return `fl${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36).padStart(4, '0')}`;
}

/** Writes via rename so libfaketime (reading on every call) never sees a half-written offset. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`; // per process: two writers never share a temp file
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/**
 * The node's command line as it was started, in its folder of the run (`<node>/command.json`):
 * argv and the environment Faultline set (the adapter's env, the data dir, libfaketime's), so a
 * user can see what ran and rerun one node by hand.
 */
export function recordCommand(nodeDir: string, argv: readonly string[], env: Record<string, string>): void {
  writeAtomic(join(nodeDir, 'command.json'), `${JSON.stringify({ argv, env }, null, 2)}\n`);
}

/** True when the process is a zombie (dead, waiting for its parent) or gone. */
export function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
