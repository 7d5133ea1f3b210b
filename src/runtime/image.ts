// The node image, built without any registry: a Debian rootfs from Debian's packages
// (mmdebstrap -> `docker import`), then the host's Node binary and the store's build on top
// (docker/Dockerfile.offline). Both layers are tagged by a content hash, so the base is made once
// and the node image again only when the store's built files, the Dockerfile or Node change.
// No dockerode here: docker.ts passes the few engine calls in as an `ImageEngine`.

import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { execa } from 'execa';
import { distRoot, packageRoot } from './common.js';
import type { Progress } from './types.js';

export const BASE_REPO = 'faultline-base';
export const NODE_REPO = 'faultline-node';

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

const IMPORT_RE = /(?:^|[\s;}])(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Package name of a bare specifier ("@scope/x/y" -> "@scope/x", "x/y" -> "x"). */
function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
}

/**
 * Every file the store needs at run time, relative to the package root: the JS files reachable from
 * dist/src/store/main.js by static and literal dynamic imports, and the npm packages they import
 * (whole, with their dependencies).
 */
export function storeFiles(root = packageRoot()): { files: string[]; packages: string[] } {
  const entry = join(root, 'dist/src/store/main.js');
  if (!existsSync(entry)) throw new Error(`the store is not built: ${entry} is missing (run: npx tsc -p tsconfig.json)`);
  const files = new Set<string>();
  const packages = new Set<string>();
  const builtins = new Set(builtinModules);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    const rel = relative(root, file);
    if (files.has(rel)) continue;
    files.add(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2]) as string;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target)) queue.push(target);
      } else if (!spec.startsWith('node:') && !builtins.has(spec) && !builtins.has(packageName(spec))) {
        packages.add(packageName(spec));
      }
    }
  }
  // npm packages, with their dependencies (hoisted layout: all under node_modules/).
  const pkgQueue = [...packages];
  while (pkgQueue.length > 0) {
    const name = pkgQueue.pop() as string;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) throw new Error(`the store imports ${name}, which is not installed`);
    const deps = Object.keys((JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: object }).dependencies ?? {});
    for (const d of deps) if (!packages.has(d)) (packages.add(d), pkgQueue.push(d));
  }
  return { files: [...files].sort(), packages: [...packages].sort() };
}

function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSyncSafe(d)) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

function readdirSyncSafe(d: string): Dirent[] {
  try {
    return readdirSync(d, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** A minimal package.json for /app: only what Node needs to load our ES modules. */
const APP_MANIFEST = JSON.stringify({ name: 'faultline-node', private: true, type: 'module' }, null, 2);

/** Tag of the node image for the current build: hash of the store's files, the Dockerfile, the base and Node. */
export function nodeImageTag(root = packageRoot(), repos: ImageRepos = DEFAULT_REPOS): string {
  const { files, packages } = storeFiles(root);
  const parts: (string | Buffer)[] = [baseTag(repos), process.version, APP_MANIFEST, readFileSync(join(dockerDir(), 'Dockerfile.offline'))];
  for (const f of files) parts.push(f, readFileSync(join(root, f)));
  for (const p of packages) {
    for (const f of listTree(join(root, 'node_modules', p))) parts.push(relative(root, f), readFileSync(f));
  }
  return `${repos.node}:${sha(parts)}`;
}

/** Writes the build context (Dockerfile, node, app/) into a new temp folder; returns it. */
export function prepareContext(root = packageRoot()): string {
  const ctx = mkdtempSync(join(tmpdir(), 'faultline-image-'));
  const { files, packages } = storeFiles(root);
  for (const f of files) {
    mkdirSync(dirname(join(ctx, 'app', f)), { recursive: true });
    copyFileSync(join(root, f), join(ctx, 'app', f));
  }
  for (const p of packages) cpSync(join(root, 'node_modules', p), join(ctx, 'app/node_modules', p), { recursive: true, dereference: true });
  writeFileSync(join(ctx, 'app/package.json'), APP_MANIFEST);
  copyFileSync(process.execPath, join(ctx, 'node'));
  copyFileSync(join(dockerDir(), 'Dockerfile.offline'), join(ctx, 'Dockerfile.offline'));
  copyFileSync(join(dockerDir(), 'Dockerfile'), join(ctx, 'Dockerfile'));
  return ctx;
}

/** Makes the Debian rootfs tarball with mmdebstrap from the host's apt sources. */
export async function buildRootfs(tarPath: string, p: Progress): Promise<void> {
  const sources = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'].find((f) => existsSync(f) && readFileSync(f, 'utf8').trim());
  const args = ['--variant=minbase', `--include=${basePackages().join(',')}`, '--aptopt=Acquire::Check-Valid-Until "false"', DEBIAN_SUITE, tarPath];
  if (sources) args.push(sources);
  p.log(`image: mmdebstrap ${DEBIAN_SUITE} with ${basePackages().join(', ')}`);
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

/** Returns the node image's tag, building the base and/or the node image when missing. */
export async function ensureNodeImage(engine: ImageEngine, p: Progress, root = packageRoot(), repos: ImageRepos = DEFAULT_REPOS): Promise<ImageResult> {
  const started = Date.now();
  const tag = nodeImageTag(root, repos);
  if (await engine.imageExists(tag)) return { tag, built: false, baseBuilt: false, buildMs: 0 };
  const base = baseTag(repos);
  let baseBuilt = false;
  if (!(await engine.imageExists(base))) {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-rootfs-'));
    try {
      const tar = join(dir, 'rootfs.tar');
      await buildRootfs(tar, p);
      const [repo, version] = base.split(':') as [string, string];
      await engine.importRootfs(tar, repo, version, p);
      baseBuilt = true;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const ctx = prepareContext(root);
  try {
    p.log(`image: building ${tag} on ${base}`);
    await engine.build(ctx, 'Dockerfile.offline', tag, { BASE: base }, p);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  return { tag, built: true, baseBuilt, buildMs: Date.now() - started };
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
