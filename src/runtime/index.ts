// Picks the runtime: `docker`, `local`, or `auto` (docker when a daemon answers, else local), and
// says which one it picked and why, so a run never silently changes how faults are injected.

import { UserError } from '../core/errors.js';
import { LocalRuntime } from './local.js';
import type { Runtime } from './types.js';

export const RUNTIME_CHOICES = ['auto', 'docker', 'local'] as const;
export type RuntimeChoice = (typeof RUNTIME_CHOICES)[number];

export interface ChosenRuntime {
  runtime: Runtime;
  /** One line for the user: which runtime and why. */
  reason: string;
}

export function parseRuntimeChoice(value: string): RuntimeChoice {
  if ((RUNTIME_CHOICES as readonly string[]).includes(value)) return value as RuntimeChoice;
  throw new UserError(`unknown runtime "${value}" (allowed: ${RUNTIME_CHOICES.join(', ')})`);
}

/**
 * Builds the runtime; dockerode is loaded only when docker is asked for or may answer.
 * `persistent`: the cluster outlives this process (`cluster up`): detached local processes,
 * docker objects labelled so a plain `faultline cleanup` leaves them.
 */
export async function chooseRuntime(choice: RuntimeChoice, o: { persistent?: boolean } = {}): Promise<ChosenRuntime> {
  const local = () => new LocalRuntime({ detached: o.persistent === true });
  if (choice === 'local') return { runtime: local(), reason: 'runtime: local (asked for)' };
  const docker = await import('./docker.js');
  const answers = await docker.dockerAnswers();
  const make = () => new docker.DockerRuntime({ persistent: o.persistent === true });
  if (choice === 'docker') {
    if (!answers) throw new UserError('runtime docker: no Docker daemon answers (start one with docker/ensure-docker.sh, or use --runtime local)');
    return { runtime: make(), reason: 'runtime: docker (asked for)' };
  }
  return answers
    ? { runtime: make(), reason: 'runtime: docker (auto: a Docker daemon answers)' }
    : { runtime: local(), reason: 'runtime: local (auto: no Docker daemon answers)' };
}
