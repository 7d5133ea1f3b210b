// Loading the database under test: a bundled store protocol by name (raft, paxos, zab), or a
// user's adapter module by path (`--db ./adapter.mjs`, relative to the working directory) whose
// default export is a Db or a function of the `--db-opt key=value` pairs returning one (or a
// promise of one). Every field of the contract is checked here, before anything starts: a wrong
// adapter gets one line naming the field and the bad value (UserError, exit 254).

import { existsSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UserError } from '../core/errors.js';
import { DATABASES, storeDb, type StoreProtocol } from './store.js';
import type { Db, DbCluster, DbNode } from './types.js';

/** True when `--db` names a module (a path) rather than a bundled protocol. */
export function isModulePath(db: string): boolean {
  return db.includes('/') || db.includes('\\') || /\.(mjs|cjs|js)$/.test(db);
}

/** A short name for an adapter module: its file name, or its folder's when the file is adapter/index. */
export function adapterShortName(path: string): string {
  const file = basename(path, extname(path));
  return ['adapter', 'index', 'db'].includes(file) ? basename(dirname(path)) : file;
}

export interface LoadedDb {
  db: Db;
  /** The folder relative image paths are read from: the module's, or the package's for the store. */
  dir: string;
  /** The module's absolute path; undefined for a bundled protocol. */
  module?: string;
}

/** Parses repeated `--db-opt key=value` flags. */
export function parseDbOpts(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const i = item.indexOf('=');
    if (i <= 0) throw new UserError(`--db-opt ${JSON.stringify(item)} must be key=value`);
    const key = item.slice(0, i);
    if (key in out) throw new UserError(`--db-opt ${key} is given twice`);
    out[key] = item.slice(i + 1);
  }
  return out;
}

const show = (v: unknown): string => {
  if (typeof v === 'function') return 'a function';
  if (v === undefined) return 'missing';
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(v);
  }
};

const isStringMap = (v: unknown): v is Record<string, string> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

/**
 * Every field of the contract, or a UserError naming the first bad one: "<where>: <field> <problem>
 * (got <value>)". `command` is called once with a sample node and cluster to check its result's shape.
 */
export function validateDb(value: unknown, where: string): Db {
  const bad = (field: string, problem: string, got: unknown) => new UserError(`${where}: ${field} ${problem} (got ${show(got)})`);
  if (typeof value !== 'object' || value === null) throw bad('the default export', 'must be a Db object or a function (opts) => Db', value);
  const d = value as Record<string, unknown>;
  if (typeof d.name !== 'string' || d.name.trim() === '') throw bad('name', 'must be a non-empty string', d.name);
  const img = d.image as Record<string, unknown> | undefined;
  if (typeof img !== 'object' || img === null || Array.isArray(img)) throw bad('image', 'must be one of { debianPackages: string[] }, { dockerfile: string }, { tag: string }', img);
  const kinds = ['debianPackages', 'dockerfile', 'tag'].filter((k) => k in img);
  const extra = Object.keys(img).filter((k) => !['debianPackages', 'dockerfile', 'tag'].includes(k));
  if (extra.length > 0) throw bad('image', `has an unknown field ${extra[0]} (allowed: debianPackages, dockerfile, tag)`, img);
  if ('debianPackages' in img) {
    if (kinds.length !== 1) throw bad('image', 'must have exactly one of debianPackages, dockerfile, tag', img);
    const pk = img.debianPackages;
    if (!Array.isArray(pk) || pk.length === 0 || !pk.every((x) => typeof x === 'string' && /^[a-z0-9][a-z0-9+.-]+$/.test(x))) {
      throw bad('image.debianPackages', 'must be a non-empty array of Debian package names', pk);
    }
  } else if ('dockerfile' in img) {
    if (typeof img.dockerfile !== 'string' || img.dockerfile === '') throw bad('image.dockerfile', 'must be a folder path (string)', img.dockerfile);
    if ('tag' in img && (typeof img.tag !== 'string' || img.tag === '')) throw bad('image.tag', 'must be a non-empty string', img.tag);
  } else if ('tag' in img) {
    if (typeof img.tag !== 'string' || img.tag === '') throw bad('image.tag', 'must be a non-empty string', img.tag);
  } else throw bad('image', 'must have one of debianPackages, dockerfile, tag', img);
  const port = (field: string, v: unknown) => {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) throw bad(field, 'must be an integer port 1..65535', v);
  };
  port('clientPort', d.clientPort);
  if (d.peerPort !== undefined) {
    port('peerPort', d.peerPort);
    if (d.peerPort === d.clientPort) throw bad('peerPort', 'must differ from clientPort', d.peerPort);
  }
  for (const f of ['command', 'client']) if (typeof d[f] !== 'function') throw bad(f, 'must be a function', d[f]);
  for (const f of ['ready', 'leader', 'prepare']) if (d[f] !== undefined && typeof d[f] !== 'function') throw bad(f, 'must be a function when given', d[f]);
  if (d.logFiles !== undefined && (!Array.isArray(d.logFiles) || !d.logFiles.every((x) => typeof x === 'string' && x !== ''))) {
    throw bad('logFiles', 'must be an array of file paths (strings)', d.logFiles);
  }
  const uf = d.unsupportedFaults;
  if (uf !== undefined && (typeof uf !== 'object' || uf === null || Array.isArray(uf) || !Object.values(uf).every((x) => typeof x === 'string' && x.trim() !== ''))) {
    throw bad('unsupportedFaults', 'must be an object of fault name -> reason (a non-empty string)', uf);
  }
  const node: DbNode = { name: 'n1', ip: '10.213.1.11', dataDir: '/faultline/data', runtime: 'docker' };
  const cluster: DbCluster = { nodes: [{ name: 'n1', ip: '10.213.1.11' }, { name: 'n2', ip: '10.213.1.12' }, { name: 'n3', ip: '10.213.1.13' }] };
  let cmd: unknown;
  try {
    cmd = (d.command as Db['command']).call(d, node, cluster);
  } catch (err) {
    throw new UserError(`${where}: command(n1, a 3-node cluster) threw: ${(err as Error).message ?? String(err)}`, { cause: err });
  }
  if (typeof cmd !== 'object' || cmd === null) throw bad('command()', 'must return { argv: string[], env?: Record<string, string> }', cmd);
  const argv = (cmd as Record<string, unknown>).argv;
  if (!Array.isArray(argv) || argv.length === 0 || !argv.every((x) => typeof x === 'string') || argv[0] === '') {
    throw bad('command().argv', 'must be a non-empty array of strings', argv);
  }
  const env = (cmd as Record<string, unknown>).env;
  if (env !== undefined && !isStringMap(env)) throw bad('command().env', 'must be an object of string values', env);
  return value as Db;
}

/**
 * The database `--db` names: a bundled protocol (opts refused: the store has none) or an adapter
 * module, imported, called with opts when it exports a function, and validated.
 */
export async function loadDb(spec: { db: string; dbOpts?: Record<string, string>; bugs?: readonly string[] }): Promise<LoadedDb> {
  const opts = spec.dbOpts ?? {};
  if (!isModulePath(spec.db)) {
    if (!(DATABASES as readonly string[]).includes(spec.db)) throw new UserError(`unknown --db "${spec.db}" (allowed: ${DATABASES.join(', ')}, or the path of an adapter module like ./adapter.mjs)`);
    if (Object.keys(opts).length > 0) throw new UserError(`--db-opt is for adapter modules; the bundled ${spec.db} store takes none (got ${Object.keys(opts).join(', ')})`);
    return { db: storeDb(spec.db as StoreProtocol, spec.bugs ?? []), dir: resolve(dirname(fileURLToPath(import.meta.url)), '../../..') };
  }
  const path = resolve(spec.db);
  if (spec.bugs && spec.bugs.length > 0) throw new UserError(`--bug switches bugs of the bundled store; --db ${spec.db} is an adapter (got --bug ${spec.bugs.join(',')})`);
  if (!existsSync(path) || !statSync(path).isFile()) throw new UserError(`--db ${spec.db}: no such module (${path})`);
  const where = `--db ${spec.db}`;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    const e = err as Error;
    throw new UserError(`${where}: the module failed to load: ${e.name === 'SyntaxError' ? 'SyntaxError: ' : ''}${(e.message ?? String(err)).split('\n')[0]}`, { cause: err });
  }
  let value = mod.default;
  if (value === undefined) throw new UserError(`${where}: the module has no default export (export default a Db, or a function (opts) => Db)`);
  if (typeof value === 'function') {
    try {
      value = await (value as (o: Record<string, string>) => unknown)(opts);
    } catch (err) {
      throw new UserError(`${where}: the default export threw for --db-opt ${show(opts)}: ${((err as Error).message ?? String(err)).split('\n')[0]}`, { cause: err });
    }
  } else if (Object.keys(opts).length > 0) {
    throw new UserError(`${where}: --db-opt ${Object.keys(opts).join(', ')} given, but the module exports a Db object, not a function of options`);
  }
  return { db: validateDb(value, where), dir: dirname(path), module: path };
}
