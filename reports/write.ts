// Writes a run's HTML report to a file; what `faultline test` and `faultline report` call.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { ReportData } from './data.js';
import { renderReport } from './html.js';

/** Renders the report of `data` into `outFile` (folders created) and returns the file's absolute path. */
export function writeReport(data: ReportData, outFile: string): string {
  const path = resolve(outFile);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderReport(data));
  return path;
}
