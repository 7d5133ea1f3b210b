// oclif's command manifest (oclif.manifest.json at the package root), written by our build.
// Why hand-written: without a manifest oclif imports every command module at start-up to list
// the commands (dockerode, postgres, PGlite… for `faultline check` of one small file: about half
// a second). oclif's own generator is the `oclif manifest` command of the oclif dev CLI, which is
// not a dependency; this uses @oclif/core's Plugin API the same way (ignoreManifest, errors on
// any command that fails to load).
//
// A manifest older than the commands could hide a new command or flag, so it records a
// fingerprint of dist/src/commands (every file's path, size and mtime). src/cli/main.ts checks it
// at start-up (one readdir + stat per command file) and rewrites a stale or missing manifest
// before running — e.g. after a bare `tsc` build.
//   node dist/src/cli/manifest.js   (part of `npm run build`)

import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const MANIFEST_FILE = 'oclif.manifest.json';

/** The package root: dist/src/cli/ is three levels below it. */
export function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
}

/** Path, size and mtime of every compiled command module, sorted: what the manifest was built from. */
export function commandsFingerprint(root: string): string {
  const base = join(root, 'dist/src/commands');
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        const s = statSync(p);
        out.push(`${relative(base, p)}:${s.size}:${Math.round(s.mtimeMs)}`);
      }
    }
  };
  try {
    walk(base);
  } catch {
    return '';
  }
  return out.sort().join('\n');
}

/** True when the manifest exists and was built from the command modules as they are now. */
export function manifestIsCurrent(root: string): boolean {
  try {
    const m = JSON.parse(readFileSync(join(root, MANIFEST_FILE), 'utf8')) as { faultline?: { commands?: string } };
    return m.faultline?.commands === commandsFingerprint(root);
  } catch {
    return false;
  }
}

/** Builds the manifest with @oclif/core (every command module imported once) and writes it atomically. */
export async function writeManifest(root: string): Promise<number> {
  const fingerprint = commandsFingerprint(root);
  const { Plugin } = await import('@oclif/core');
  const plugin = new Plugin({ root, isRoot: true, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
  await plugin.load();
  const manifest = { ...plugin.manifest, faultline: { commands: fingerprint } };
  const tmp = join(root, `${MANIFEST_FILE}.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  renameSync(tmp, join(root, MANIFEST_FILE));
  return Object.keys(plugin.manifest.commands).length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const root = packageRoot();
  const n = await writeManifest(root);
  console.log(`${join(root, MANIFEST_FILE)}: ${n} commands`);
}
