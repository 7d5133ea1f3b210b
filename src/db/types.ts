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
}

/** The cluster as one node's command sees it. */
export interface DbCluster {
  nodes: Array<{ name: string; ip: string }>;
}

/** How the node's image is made. Faultline never pulls an image from a registry. */
export type DbImage =
  /** Installed with apt on Faultline's offline Debian base (iptables and libfaketime added). */
  | { debianPackages: string[] }
  /** A folder with a Dockerfile, relative to the adapter module; `FROM` may name Faultline's base. */
  | { dockerfile: string }
  /** An image already present on the Docker daemon. */
  | { tag: string };

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
  /** The argv (and environment) that runs `node` as a member of `cluster`. */
  command(node: DbNode, cluster: DbCluster): NodeCommand;
  /** Resolves when the cluster serves clients; should honour `signal` (the harness bounds the wait). */
  ready?(nodes: ClientNode[], signal: AbortSignal): Promise<void>;
  /** The node that currently leads, if the database has such a thing (used by leader-targeted faults). */
  leader?(nodes: ClientNode[], signal: AbortSignal): Promise<string | undefined>;
  /** Files (inside the node, relative to its dataDir unless absolute) collected into the report. */
  logFiles?: string[];
  /** A new client; one per worker thread. */
  client(ctx?: ClientContext): Client;
}

/** An adapter module's default export: a Db, or a function of the `--db-opt key=value` pairs. */
export type DbFactory = (opts: Record<string, string>) => Db | Promise<Db>;
export type DbModule = Db | DbFactory;
