// The page's own JS and CSS (reports/assets/) and uPlot, read once from disk so they can be
// inlined. Resolved from this module's URL: from dist/reports/*.js the repo root is two levels up.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cache = new Map<string, string>();

function read(path: string): string {
  let text = cache.get(path);
  if (text === undefined) cache.set(path, (text = readFileSync(path, 'utf8')));
  return text;
}

/** A file of reports/assets/ (works from dist/reports/ after tsc and from reports/ itself). */
export function ownAsset(name: string): string {
  const fromDist = new URL(`../../reports/assets/${name}`, import.meta.url);
  const fromSource = new URL(`./assets/${name}`, import.meta.url);
  try {
    return read(fileURLToPath(fromDist));
  } catch {
    return read(fileURLToPath(fromSource));
  }
}

/** uPlot's minified IIFE build (defines the global `uPlot`) and its stylesheet. */
export function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  return { js: read(require.resolve('uplot/dist/uPlot.iife.min.js')), css: read(require.resolve('uplot/dist/uPlot.min.css')) };
}
