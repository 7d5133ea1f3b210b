// The database seam — PUBLIC API. What Faultline needs to know about the database under test,
// in two small protocols after Jepsen's DB and Client: a `Db` says how to run one node of it
// (independently of whether the node is a Docker container or a local process) and a `Client`
// speaks to one node for one worker thread. The bundled store is one implementation; a user's
// adapter module (`faultline test --db ./adapter.mjs`) is another, through exactly these types.
//
// The field names of the adapter contract are fixed (docs: "Testing your own database");
// fields may be added, never renamed. Everything here is plain data and functions: no import of
// the rest of the project, so `import type { Db, Client } from 'faultline'` costs a user nothing.

/** One node as its own command sees it. Names are stable: n1 … nN. */
export interface DbNode {
  name: string;
  /** The node's own address (the container's IP on Docker; a loopback address locally). */
  ip: string;
  /** A folder for the node's data that survives a kill and restart of the node. */
  dataDir: string;
  /**
   * Where the node runs: `docker` (the command runs inside the Db's image, as the container's
   * PID 1) or `local` (a process on the harness machine: argv[0] must be found there).
   */
  runtime: 'docker' | 'local';
}

/**
 * The cluster as one node's command sees it. On the local runtime with link proxies (a Db that
 * declares `peerPort`), another node's `ip` is the address of the harness's proxy for the link
 * from this node to that one: dial `ip:peerPort` and the harness can cut, slow or drop the link.
 */
export interface DbCluster {
  nodes: Array<{ name: string; ip: string }>;
}

/** The name of Faultline's offline Debian base image (`FROM faultline-base` in a Dockerfile). */
export const BASE_IMAGE = 'faultline-base';

/**
 * How the node's image is made (docker runtime). Faultline never pulls an image from a registry.
 * - `debianPackages`: a Debian rootfs made by mmdebstrap with these packages plus Faultline's
 *   tooling (iptables, iproute2, libfaketime, procps), imported into Docker; cached by a hash of
 *   the package list.
 * - `dockerfile`: a folder holding a `Dockerfile`, relative to the adapter module. Its `FROM` may
 *   name Faultline's base (`FROM faultline-base`, or `ARG FAULTLINE_BASE` + `FROM ${FAULTLINE_BASE}`),
 *   which has the tooling every nemesis needs; built without pulling, cached by a hash of the
 *   folder's files (or under `tag` when given: built only when no image has that tag).
 * - `tag`: an image already present on the Docker daemon (else the run is refused, exit 254).
 */
export type DbImage =
  | { debianPackages: string[] }
  | { dockerfile: string; tag?: string }
  | { tag: string };

/** What `Db.prepare` gets: the base image's exact tag and a way to ask whether an image exists. */
export interface PrepareContext {
  /** The exact tag of Faultline's base image (also tagged `faultline-base:latest`). */
  baseImage: string;
  imageExists(tag: string): Promise<boolean>;
  signal: AbortSignal;
  log(line: string): void;
}

/** The process that runs one node. */
export interface NodeCommand {
  argv: string[];
  env?: Record<string, string>;
}

/** A node as the harness reaches it: `port` is the Db's clientPort as seen from the harness. */
export interface ClientNode {
  name: string;
  host: string;
  port: number;
}

/** One operation given to a client: a workload's `f` and value (see each workload's doc). */
export interface ClientOp {
  f: string;
  value: unknown;
}

/**
 * What an invocation came to. `ok`: it happened (value is what a read saw). `fail`: it certainly
 * did not happen. `info`: nobody knows (it may take effect later, or never). A thrown error or a
 * time-out becomes `info`: never claim `fail` unless the op cannot have taken effect.
 */
export interface ClientResult {
  type: 'ok' | 'fail' | 'info';
  value?: unknown;
  error?: string;
  /** The node that answered, when it is not the one the client was opened on (shown in counterexamples). */
  node?: string;
}

/** What a new client may know of the run: the workload it serves, every node, the op time-out. */
export interface ClientContext {
  /** The workload whose `f` values this client will get (register, kv, set, counter, …). */
  workload: string;
  nodes: ClientNode[];
  opTimeoutMs: number;
}

/**
 * Talks to one node for one worker thread. `open` must not change the database's state (it may
 * be called on a node that is down or cut off); `invoke` must honour `signal`; `close` frees
 * whatever `open` took and never throws for a connection that is already gone.
 */
export interface Client {
  open(node: ClientNode, signal: AbortSignal): Promise<void>;
  invoke(op: ClientOp, signal: AbortSignal): Promise<ClientResult>;
  close(): Promise<void>;
}

/** The database under test. */
export interface Db {
  name: string;
  image: DbImage;
  /** The port a client reaches on each node. */
  clientPort: number;
  /**
   * Optional: the one port nodes dial each other at (`cluster.nodes[i].ip:peerPort`). Declaring
   * it lets the local runtime put a proxy on every node-to-node link, so partition, loss and
   * delay work there too; without it those faults are docker-only (refused on local, by name).
   */
  peerPort?: number;
  /**
   * Optional, docker runtime: runs on the harness before any node starts and may return the
   * image to use instead of `image` (e.g. `{ dockerfile, tag }` after writing that folder, or
   * `{ tag }` when its own cache says the image exists). The bundled store makes its build
   * context this way. Nothing else may be started here.
   */
  prepare?(ctx: PrepareContext): Promise<DbImage | undefined>;
  /** The argv (and environment) that runs `node` as a member of `cluster`. */
  command(node: DbNode, cluster: DbCluster): NodeCommand;
  /** Resolves when the cluster serves clients; should honour `signal` (the harness bounds the wait). */
  ready?(nodes: ClientNode[], signal: AbortSignal): Promise<void>;
  /** The node that currently leads, if the database has such a thing (used by leader-targeted faults). */
  leader?(nodes: ClientNode[], signal: AbortSignal): Promise<string | undefined>;
  /** Files (inside the node, relative to its dataDir unless absolute) collected into the report. */
  logFiles?: string[];
  /**
   * Optional: faults (`--nemesis` names: partition, kill, pause, crash, clock, loss, delay) this database
   * cannot take, each with why — e.g. `{ clock: 'jemalloc hangs under libfaketime' }`. A run that
   * asks for one is refused before anything starts, naming the reason: a fault that would be
   * "injected" without reaching the database must never let a run pass.
   */
  unsupportedFaults?: Record<string, string>;
  /** A new client; one per worker thread. */
  client(ctx?: ClientContext): Client;
}

/** An adapter module's default export: a Db, or a function of the `--db-opt key=value` pairs. */
export type DbFactory = (opts: Record<string, string>) => Db | Promise<Db>;
export type DbModule = Db | DbFactory;
