// FAULTLINE_HOME: where the embedded database, run folders and cluster state live
// (default ./.faultline in the working directory).

import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** The resolved home folder; created on first use. */
export function faultlineHome(): string {
  const home = resolve(process.env.FAULTLINE_HOME || '.faultline');
  mkdirSync(home, { recursive: true });
  return home;
}
