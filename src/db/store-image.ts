// The bundled store's image, made through the public contract's `Db.prepare` hook (no private
// path in the runtimes): the build context is this checkout's compiled store (every JS file
// reachable from dist/src/store/main.js and the npm packages it imports), the host's Node binary
// and docker/Dockerfile.offline (FROM Faultline's base). Its tag is a hash of all of that, so
// the context is written, and the image built, only when something changed.

import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faultlineHome } from '../core/home.js';
import type { DbImage, PrepareContext } from './types.js';

/** The repository the store's node images are tagged in. */
export const NODE_REPO = 'faultline-node';

/** The package folder (holding dist/, node_modules/ and docker/). */
export function storePackageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
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
export function storeFiles(root = storePackageRoot()): { files: string[]; packages: string[] } {
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

export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(full);
    }
  };
  walk(dir);
  return out.sort();
}

function sha(parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const part of parts) h.update(part).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** A minimal package.json for /app: only what Node needs to load our ES modules. */
const APP_MANIFEST = JSON.stringify({ name: 'faultline-node', private: true, type: 'module' }, null, 2);

/** Tag of the node image for the current build on `baseImage`: hash of the store's files, the Dockerfile, the base and Node. */
export function nodeImageTag(baseImage: string, root = storePackageRoot(), repo = NODE_REPO): string {
  const { files, packages } = storeFiles(root);
  const parts: (string | Buffer)[] = [baseImage, process.version, APP_MANIFEST, readFileSync(join(root, 'docker/Dockerfile.offline'))];
  for (const f of files) parts.push(f, readFileSync(join(root, f)));
  for (const p of packages) {
    for (const f of listTree(join(root, 'node_modules', p))) parts.push(relative(root, f), readFileSync(f));
  }
  return `${repo}:${sha(parts)}`;
}

/**
 * Writes the build context into `ctx`: app/ (the store's files and packages), node, and the
 * Dockerfiles — `Dockerfile` (offline, FROM ${BASE}: the runtime passes BASE and FAULTLINE_BASE) and `Dockerfile.online`.
 */
export function writeStoreContext(ctx: string, root = storePackageRoot()): void {
  const { files, packages } = storeFiles(root);
  for (const f of files) {
    mkdirSync(dirname(join(ctx, 'app', f)), { recursive: true });
    copyFileSync(join(root, f), join(ctx, 'app', f));
  }
  for (const p of packages) cpSync(join(root, 'node_modules', p), join(ctx, 'app/node_modules', p), { recursive: true, dereference: true });
  writeFileSync(join(ctx, 'app/package.json'), APP_MANIFEST);
  copyFileSync(process.execPath, join(ctx, 'node'));
  copyFileSync(join(root, 'docker/Dockerfile.offline'), join(ctx, 'Dockerfile'));
  copyFileSync(join(root, 'docker/Dockerfile'), join(ctx, 'Dockerfile.online'));
}

/**
 * The store's `Db.prepare`: `{ tag }` when the image for this build exists, else a build context
 * under $FAULTLINE_HOME/images/ (one per content hash; older ones removed) as `{ dockerfile, tag }`.
 */
export async function prepareStoreImage(ctx: PrepareContext, o: { root?: string; repo?: string } = {}): Promise<DbImage> {
  const tag = nodeImageTag(ctx.baseImage, o.root, o.repo);
  if (await ctx.imageExists(tag)) return { tag };
  const images = join(faultlineHome(), 'images');
  const name = `store-${tag.split(':')[1]}`;
  const dir = join(images, name);
  if (!existsSync(join(dir, 'Dockerfile'))) {
    mkdirSync(images, { recursive: true });
    for (const old of readdirSync(images)) if (old.startsWith('store-') && old !== name && !old.includes('.tmp')) rmSync(join(images, old), { recursive: true, force: true });
    const tmp = `${dir}.tmp${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeStoreContext(tmp, o.root);
    try {
      renameSync(tmp, dir);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another run wrote the same content first
    }
  }
  ctx.log(`image: the store's build context is ${dir}`);
  return { dockerfile: dir, tag };
}
