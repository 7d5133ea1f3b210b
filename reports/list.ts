// The run list page of `faultline serve`: every stored run, coloured by verdict, filterable by
// name, verdict, status, who ran it and date, each linking to its report. Same safety as the report: inert JSON,
// DOM built from text, a CSP allowing only our own inline scripts.

import type { Validity } from '../src/core/validity.js';
import { ownAsset } from './assets.js';
import { htmlPage } from './html.js';

export interface RunListItem {
  id: number;
  name: string;
  source: string;
  startedAt: string;
  status: string;
  valid: Validity | null;
  /** History events stored (invocations and completions). */
  events: number;
  host?: string | null;
  user?: string | null;
  ci?: string | null;
  /** Where this run's report is served, e.g. /runs/12. */
  href: string;
}

export function renderRunList(runs: readonly RunListItem[], o: { where: string }): string {
  return htmlPage({
    title: `Faultline runs · ${runs.length}`,
    css: [ownAsset('report.css'), ownAsset('list.css')],
    payloadId: 'faultline-runs',
    payload: { runs, where: o.where },
    scripts: [ownAsset('list.js')],
    body: '<main id="app"><p class="loading">Loading runs…</p></main>',
  });
}
