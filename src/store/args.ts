// Parses and validates the store server's command line. Pure: returns options or throws a
// UserError whose one-line message quotes the bad value (main.ts prints it and exits 254).

import { UserError } from '../core/errors.js';
import { bugProtocolError, parseBugs } from './bugs.js';
import type { Bug } from './bugs.js';
import { DEFAULT_TIMING } from './raft/config.js';

export interface StoreArgs {
  id: string;
  peers: Record<string, { host: string; port: number }>;
  protocol: 'raft' | 'paxos' | 'zab';
  dataDir: string;
  clientHost: string;
  clientPort: number;
  bugs: Bug[];
  fsync: 'always' | 'never';
  /** Take a snapshot and compact the log once this many applied entries follow the last one. */
  snapshotEntries: number;
}

export const USAGE =
  'usage: faultline-store --id n1 --peers n1=host:port,n2=host:port,... --protocol raft|paxos --data DIR --client-port P [--client-host 127.0.0.1] [--bug a,b] [--fsync always|never] [--snapshot-entries N]';

const FLAGS = new Set(['id', 'peers', 'protocol', 'data', 'client-port', 'client-host', 'bug', 'fsync', 'snapshot-entries']);
const PROTOCOLS = ['raft', 'paxos', 'zab'];

export function parseStoreArgs(argv: readonly string[]): StoreArgs {
  const flags = readFlags(argv);
  const need = (name: string): string => {
    const v = flags.get(name);
    if (v === undefined || v === '') throw new UserError(`missing --${name} (${USAGE})`);
    return v;
  };
  const peers = parsePeers(need('peers'));
  const id = need('id');
  if (!(id in peers)) throw new UserError(`--id ${JSON.stringify(id)} is not one of the --peers (${Object.keys(peers).join(', ')})`);
  const protocol = need('protocol');
  if (!PROTOCOLS.includes(protocol)) throw new UserError(`unknown --protocol ${JSON.stringify(protocol)} (known: ${PROTOCOLS.join(', ')})`);
  const fsync = flags.get('fsync') ?? 'always';
  if (fsync !== 'always' && fsync !== 'never') throw new UserError(`bad --fsync ${JSON.stringify(fsync)} (expected always or never)`);
  let bugs: Bug[];
  try {
    bugs = parseBugs(flags.get('bug') ?? '');
  } catch (err) {
    throw new UserError(`--bug: ${(err as Error).message}`, { cause: err });
  }
  for (const b of bugs) {
    const why = bugProtocolError(protocol, b);
    if (why) throw new UserError(why);
  }
  const snapshotText = flags.get('snapshot-entries') ?? String(DEFAULT_TIMING.snapshotEntries);
  const snapshotEntries = Number(snapshotText);
  if (!/^\d+$/.test(snapshotText) || snapshotEntries < 1) throw new UserError(`bad --snapshot-entries ${JSON.stringify(snapshotText)} (expected a positive integer)`);
  return {
    snapshotEntries, id, peers, protocol: protocol as StoreArgs['protocol'], dataDir: need('data'), clientHost: flags.get('client-host') ?? '127.0.0.1',
    clientPort: parsePort(need('client-port'), '--client-port'), bugs, fsync,
  };
}

function readFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--')) throw new UserError(`unexpected argument ${JSON.stringify(a)} (${USAGE})`);
    const eq = a.indexOf('=');
    const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
    if (!FLAGS.has(name)) throw new UserError(`unknown flag --${name} (${USAGE})`);
    const value = eq === -1 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw new UserError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return flags;
}

export function parsePeers(text: string): Record<string, { host: string; port: number }> {
  const peers: Record<string, { host: string; port: number }> = {};
  for (const item of text.split(',')) {
    const m = /^([A-Za-z0-9_.-]+)=(.+):([^:]+)$/.exec(item.trim());
    if (!m) throw new UserError(`bad --peers entry ${JSON.stringify(item)} (expected name=host:port)`);
    const [, name, host, port] = m as unknown as [string, string, string, string];
    if (name in peers) throw new UserError(`--peers names ${JSON.stringify(name)} twice`);
    peers[name] = { host: host.replace(/^\[(.*)\]$/, '$1'), port: parsePort(port, `--peers entry ${name}`) };
  }
  return peers;
}

function parsePort(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`bad port ${JSON.stringify(text)} in ${what} (expected 1-65535)`);
  return n;
}
