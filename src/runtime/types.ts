// The Runtime interface: how the harness starts, stops and hurts the nodes of a cluster,
// whether they are docker containers on a private bridge (docker.ts) or child processes on
// 127.0.0.1 behind per-link TCP proxies (local.ts). Nemeses talk only to this interface.
//
// Rules every implementation follows:
// - Every long action takes a Progress (deadline + AbortSignal) and gives up when it fires.
// - `down` is idempotent and leaves nothing behind (containers, networks, processes, rules,
//   proxies); `heal` undoes every fault injected so far and is safe to call at any time.
// - A capability the runtime lacks (netem delay without the kernel module, the clock without
//   libfaketime) throws `UnsupportedFault` naming what is missing; it never pretends.

import type { Db } from '../db/types.js';

/** Deadline, cancellation and a log line sink for one long action. */
export interface Progress {
  signal: AbortSignal;
  log(message: string): void;
}

/** A node -> the nodes whose messages it drops (Jepsen's grudge). */
export type Grudge = Readonly<Record<string, readonly string[]>>;

/**
 * What to bring up: `db` says how to run a node (src/db/types.ts, the public contract; the
 * runtimes know a database only through it). Everything but `db` is plain data; cluster.json
 * stores the db's name in its place (`serializableSpec`).
 */
export interface ClusterSpec {
  /** Unique id of this run; every container, network, process and file carries it. */
  runId: string;
  db: Db;
  /** The folder a relative `db.image.dockerfile` is read from (the adapter module's); default: cwd. */
  dbDir?: string;
  nodeCount: number;
  /** Where data folders and logs go (a folder of its own per run). */
  runDir: string;
  /** Local runtime only: route node-to-node traffic through harness proxies (needed for faults; needs db.peerPort). */
  proxied?: boolean;
}

/** A ClusterSpec as stored (cluster.json): the db by its name. */
export type StoredClusterSpec = Omit<ClusterSpec, 'db'> & { db: string };

export function serializableSpec(spec: ClusterSpec): StoredClusterSpec {
  return { ...spec, db: spec.db.name };
}

/** One node as the harness addresses it. */
export interface NodeHandle {
  name: string;
  /** host:port a client on this machine reaches the node's client port at. */
  clientAddr: string;
  /** host:port other nodes reach this node's peer port at (the real one, not a proxy). */
  peerAddr: string;
  /** Data folder on this machine (bind-mounted into the container on docker). */
  dataDir: string;
  /** Where its stdout/stderr end up on this machine. */
  logFile: string;
}

/** How this runtime implements each fault, detected at `up`; recorded in the run. */
export interface FaultMechanisms {
  partition: string;
  loss: string | null;
  delay: string | null;
  clock: string | null;
  /** Why each null entry is unavailable, for a plain message to the user. */
  unavailable: Record<string, string>;
}

export interface NetemOptions {
  delayMs?: number;
  jitterMs?: number;
  lossPct?: number;
}

/**
 * A host of nodes: what every runtime does. Faults are optional abilities below (as Jepsen's DB
 * has optional Kill and Pause): a fault family names the ability it needs, and a runtime without
 * it is refused before the run, by name.
 */
export interface Host {
  readonly kind: 'docker' | 'local';
  up(spec: ClusterSpec, p: Progress): Promise<NodeHandle[]>;
  nodes(): NodeHandle[];
  /** How this runtime implements each fault, and why any is unavailable (static before `up`, final after). */
  mechanisms(): FaultMechanisms;
  /**
   * Before anything starts (no run row yet, outside the run's time limit): refuses (UserError) a
   * Db this runtime cannot run, makes what `up` will need of it (docker: builds or finds the
   * image, which may take minutes the first time), and says which faults it cannot inject on it
   * (mechanisms() reflects that from then on).
   */
  preflight?(db: Db, dbDir: string, p: Progress): Promise<void>;
  /** The safety net: undoes every fault of every ability (partitions, loss, delay, paused, killed). */
  heal(p: Progress): Promise<void>;
  logs(n: NodeHandle): Promise<string>;
  down(p: Progress): Promise<void>;
}

export interface CanKill {
  /** SIGKILL: no clean shutdown. */
  kill(n: NodeHandle, p: Progress): Promise<void>;
  /** Starts a node that was killed (same data folder). */
  start(n: NodeHandle, p: Progress): Promise<void>;
}

export interface CanPause {
  pause(n: NodeHandle, p: Progress): Promise<void>;
  resume(n: NodeHandle, p: Progress): Promise<void>;
}

export interface CanPartition {
  /** Replaces any current partition with this grudge; returns the rules it applied. */
  partition(grudge: Grudge, p: Progress): Promise<string[]>;
}

export interface CanShape {
  /** Loss and/or delay on all traffic the node sends to its peers; {} clears it. */
  netem(n: NodeHandle, o: NetemOptions, p: Progress): Promise<string[]>;
}

export interface CanSkewClock {
  /** Sets the node's clock to host time + offsetMs (absolute, not cumulative). */
  skewClock(n: NodeHandle, offsetMs: number, p: Progress): Promise<void>;
  resetClocks(p: Progress): Promise<void>;
}

export interface Abilities {
  kill: CanKill;
  pause: CanPause;
  partition: CanPartition;
  shape: CanShape;
  clock: CanSkewClock;
}
export type Ability = keyof Abilities;

const METHODS: { [A in Ability]: (keyof Abilities[A])[] } = {
  kill: ['kill', 'start'],
  pause: ['pause', 'resume'],
  partition: ['partition'],
  shape: ['netem'],
  clock: ['skewClock', 'resetClocks'],
};

/** A host with whichever abilities it has. */
export type Runtime = Host & Partial<CanKill & CanPause & CanPartition & CanShape & CanSkewClock>;

/** True when the runtime has every method of the ability. */
export function has<A extends Ability>(r: Runtime, ability: A): r is Runtime & Abilities[A] {
  return METHODS[ability].every((m) => typeof (r as unknown as Record<string, unknown>)[m as string] === 'function');
}

/** The runtime as having the ability, or UnsupportedFault naming it. */
export function need<A extends Ability>(r: Runtime, ability: A): Runtime & Abilities[A] {
  if (!has(r, ability)) throw new UnsupportedFault(ability, `the ${r.kind} runtime has no ${ability} ability`);
  return r;
}

/** A fault this runtime cannot inject here, with the reason. */
export class UnsupportedFault extends Error {
  constructor(
    readonly fault: string,
    reason: string,
  ) {
    super(`${fault} is unavailable on this runtime: ${reason}`);
    this.name = 'UnsupportedFault';
  }
}

/** A Progress that gives up after timeoutMs (or when `parent` aborts). */
export function progress(timeoutMs: number, log: (m: string) => void = () => {}, parent?: AbortSignal): Progress {
  const signals = [AbortSignal.timeout(timeoutMs)];
  if (parent) signals.push(parent);
  return { signal: AbortSignal.any(signals), log };
}

/** Thrown by a poll check when waiting longer cannot help (the process exited): ends the poll at once. */
export class GiveUp extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GiveUp';
  }
}

/**
 * Polls `check` every intervalMs until it returns a value other than undefined/false, or the signal
 * fires. Errors thrown by `check` count as "not yet" (and are quoted on timeout), except GiveUp.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  signal: AbortSignal,
  intervalMs = 100,
): Promise<T> {
  let lastError: unknown;
  for (;;) {
    if (signal.aborted) {
      const why = lastError ? ` (last error: ${(lastError as Error).message ?? String(lastError)})` : '';
      throw new Error(`gave up waiting for ${what}${why}`, { cause: signal.reason });
    }
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      if (err instanceof GiveUp) throw err;
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A node as a client reaches it: name, host and port of its client address. */
export function clientNodeOf(h: NodeHandle): { name: string; host: string; port: number } {
  const i = h.clientAddr.lastIndexOf(':');
  return { name: h.name, host: h.clientAddr.slice(0, i), port: Number(h.clientAddr.slice(i + 1)) };
}

/** The directed links a grudge cuts, as [from, to]: `from`'s messages to `to` are dropped. */
export function blockedLinks(grudge: Grudge): [string, string][] {
  const links: [string, string][] = [];
  for (const [to, froms] of Object.entries(grudge)) for (const from of froms) links.push([from, to]);
  return links.sort((x, y) => (x[0] + ' ' + x[1] < y[0] + ' ' + y[1] ? -1 : 1));
}
