// What one run ended as: the value runTest returns, results.json holds and reporters render.

import type { Validity } from '../core/validity.js';
import type { HistoryVerdict } from './check.js';

export type RunStatus = 'finished' | 'crashed' | 'aborted';

export interface RunOutcome {
  runId: number;
  name: string;
  valid: Validity;
  seed: number;
  runDir: string;
  status: RunStatus;
  verdict?: HistoryVerdict;
  error?: string;
  rerun: string;
  runtime: string;
  /** Client operations invoked (nemesis ops not counted). */
  ops: number;
  /** Requested faults that never took effect (the verdict is then unknown at best). */
  faultsNeverTookEffect?: string[];
  /** Why the verdict is unknown, when the checkers alone would have said otherwise. */
  unknownBecause?: string;
  /** The HTML report (absent only if writing it failed; `error` then says why). */
  report?: string;
}
