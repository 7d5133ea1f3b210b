// Node images, built without any registry, for any Db through its `image` (src/db/types.ts):
// - Faultline's base: a Debian rootfs from Debian's packages (mmdebstrap -> `docker import`)
//   with the tooling every nemesis needs (docker/base-packages.txt), tagged by a hash of that
//   list and also as faultline-base:latest, so a Dockerfile can say `FROM faultline-base`;
// - { debianPackages }: the same recipe with the Db's packages added, tagged by a hash of both;
// - { dockerfile }: that folder built on this daemon (build args BASE and FAULTLINE_BASE name the
//   base's exact tag), tagged by a hash of the folder's files and the base, or by its `tag`;
// - { tag }: must already exist (refused otherwise: never pulled).
// `Db.prepare` may replace the image first (the bundled store writes its context that way:
// src/db/store-image.ts). No dockerode here: docker.ts passes the engine calls in as an `ImageEngine`.

import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { UserError } from '../core/errors.js';
import { listTree, NODE_REPO, prepareStoreImage, writeStoreContext } from '../db/store-image.js';
import { BASE_IMAGE, type Db, type DbImage } from '../db/types.js';
import { distRoot, packageRoot } from './common.js';
import type { Progress } from './types.js';

/** Images of Debian packages ({ debianPackages }): one per package list, tagged by its hash. */
export const DEB_REPO = 'faultline-deb';

export const BASE_REPO = BASE_IMAGE;
export { NODE_REPO };

/** Image repositories to build into (tests use their own, so a build from nothing disturbs no one). */
export interface ImageRepos {
  base: string;
  node: string;
}
export const DEFAULT_REPOS: ImageRepos = { base: BASE_REPO, node: NODE_REPO };
export const DEBIAN_SUITE = 'bookworm';

/** The engine calls the build needs (implemented with dockerode in docker.ts). */
export interface ImageEngine {
  imageExists(tag: string): Promise<boolean>;
  importRootfs(tarPath: string, repo: string, tag: string, p: Progress): Promise<void>;
  /** Gives the image `source` the extra name repo:tag. */
  tag(source: string, repo: string, tag: string): Promise<void>;
  build(contextDir: string, dockerfile: string, tag: string, buildArgs: Record<string, string>, p: Progress): Promise<void>;
}

function dockerDir(): string {
  return join(packageRoot(), 'docker');
}

export function basePackages(): string[] {
  return readFileSync(join(dockerDir(), 'base-packages.txt'), 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
}

function sha(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 16);
}

export function baseTag(repos: ImageRepos = DEFAULT_REPOS): string {
  return `${repos.base}:${sha([DEBIAN_SUITE, 'minbase', ...basePackages()])}`;
}

/**
 * Writes the store's build context into a new temp folder for `--context` (below): laid out for
 * online users, `Dockerfile` is docker/Dockerfile (FROM node:22-bookworm-slim), the offline one
 * is beside it as Dockerfile.offline.
 */
export function prepareContext(root = packageRoot()): string {
  const ctx = mkdtempSync(join(tmpdir(), 'faultline-image-'));
  writeStoreContext(ctx, root);
  copyFileSync(join(dockerDir(), 'Dockerfile.offline'), join(ctx, 'Dockerfile.offline'));
  copyFileSync(join(dockerDir(), 'Dockerfile'), join(ctx, 'Dockerfile'));
  rmSync(join(ctx, 'Dockerfile.online'), { force: true });
  return ctx;
}

/** Makes the Debian rootfs tarball with mmdebstrap from the host's apt sources. */
export async function buildRootfs(tarPath: string, p: Progress, packages: readonly string[] = basePackages()): Promise<void> {
  const sources = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].find((f) => existsSync(f) && readFileSync(f, 'utf8').trim());
  const args = ['--variant=minbase', `--include=${packages.join(',')}`, '--aptopt=Acquire::Check-Valid-Until "false"', DEBIAN_SUITE, tarPath];
  if (sources) args.push(sources);
  p.log(`image: mmdebstrap ${DEBIAN_SUITE} with ${packages.join(', ')}`);
  try {
    await execa('mmdebstrap', args, { cancelSignal: p.signal, all: true });
  } catch (err) {
    const e = err as { code?: string; all?: string };
    if (e.code === 'ENOENT') throw new Error('mmdebstrap is not installed (run docker/ensure-docker.sh, or apt-get install mmdebstrap)', { cause: err });
    throw new Error(`mmdebstrap failed: ${(e.all ?? '').split('\n').slice(-5).join(' | ')}`, { cause: err });
  }
}

export interface ImageResult {
  tag: string;
  built: boolean;
  baseBuilt: boolean;
  buildMs: number;
}

/** Imports a rootfs made by mmdebstrap with `packages` as repo:version, unless it exists. */
async function importDebian(engine: ImageEngine, tag: string, packages: readonly string[], p: Progress): Promise<boolean> {
  if (await engine.imageExists(tag)) return false;
  const dir = mkdtempSync(join(tmpdir(), 'faultline-rootfs-'));
  try {
    const tar = join(dir, 'rootfs.tar');
    await buildRootfs(tar, p, packages);
    const [repo, version] = tag.split(':') as [string, string];
    await engine.importRootfs(tar, repo, version, p);
    return true;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Faultline's base image (built when missing), also tagged <base repo>:latest. */
export async function ensureBase(engine: ImageEngine, p: Progress, repos: ImageRepos = DEFAULT_REPOS): Promise<{ tag: string; built: boolean }> {
  const tag = baseTag(repos);
  const built = await importDebian(engine, tag, basePackages(), p);
  await engine.tag(tag, repos.base, 'latest');
  return { tag, built };
}

/** A name Docker accepts as a repository, from a Db's name. */
function repoSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+/, '').slice(0, 60) || 'db';
}

/** Builds (or finds) the image of `db`; `dir` is the folder a relative `dockerfile` is read from (the adapter module's). */
export async function ensureDbImage(engine: ImageEngine, db: Db, dir: string, p: Progress, repos: ImageRepos = DEFAULT_REPOS): Promise<ImageResult> {
  const started = Date.now();
  const base = await ensureBase(engine, p, repos);
  let image: DbImage = db.image;
  if (db.prepare) {
    image = (await db.prepare({ baseImage: base.tag, imageExists: (t) => engine.imageExists(t), signal: p.signal, log: p.log })) ?? db.image;
  }
  const done = (tag: string, built: boolean) => ({ tag, built, baseBuilt: base.built, buildMs: built ? Date.now() - started : 0 });
  if ('debianPackages' in image) {
    const packages = [...new Set([...basePackages(), ...image.debianPackages])];
    const tag = `${DEB_REPO}:${sha([DEBIAN_SUITE, 'minbase', ...[...packages].sort()])}`;
    return done(tag, await importDebian(engine, tag, packages, p));
  }
  if ('dockerfile' in image) {
    const folder = resolve(dir, image.dockerfile);
    if (!existsSync(join(folder, 'Dockerfile')) || !statSync(join(folder, 'Dockerfile')).isFile()) {
      throw new UserError(`--db ${db.name}: image.dockerfile ${JSON.stringify(image.dockerfile)} has no Dockerfile (looked for ${join(folder, 'Dockerfile')})`);
    }
    const tag = image.tag ?? `faultline-db-${repoSlug(db.name)}:${sha([base.tag, ...listTree(folder).flatMap((f) => [relative(folder, f), readFileSync(f)])])}`;
    if (await engine.imageExists(tag)) return done(tag, false);
    p.log(`image: building ${tag} from ${folder} on ${base.tag}`);
    await engine.build(folder, 'Dockerfile', tag, { BASE: base.tag, FAULTLINE_BASE: base.tag }, p);
    return done(tag, true);
  }
  if (!(await engine.imageExists(image.tag))) {
    throw new UserError(`--db ${db.name}: image ${image.tag} is not on this Docker daemon (Faultline never pulls: build or load it first, or give { dockerfile } or { debianPackages })`);
  }
  return done(image.tag, false);
}

/** The bundled store's node image (tests and bench build it with their own repositories). */
export async function ensureNodeImage(engine: ImageEngine, p: Progress, root = packageRoot(), repos: ImageRepos = DEFAULT_REPOS): Promise<ImageResult> {
  const storeLike = { name: 'store', image: { tag: 'unused' }, prepare: (ctx) => prepareStoreImage(ctx, { root, repo: repos.node }) } as Pick<Db, 'name' | 'image' | 'prepare'>;
  return ensureDbImage(engine, storeLike as Db, root, p, repos);
}

// `node dist/src/runtime/image.js --context DIR`: writes the build context for docker/Dockerfile
// (online users: `docker build -f DIR/Dockerfile DIR`).
if (process.argv[1] && resolve(process.argv[1]) === resolve(distRoot(), 'src/runtime/image.js')) {
  const i = process.argv.indexOf('--context');
  const ctx = prepareContext();
  if (i > 0 && process.argv[i + 1]) {
    cpSync(ctx, process.argv[i + 1] as string, { recursive: true });
    rmSync(ctx, { recursive: true, force: true });
    process.stdout.write(`${process.argv[i + 1]}\n`);
  } else process.stdout.write(`${ctx}\n`);
}
