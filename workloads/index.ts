// The workload registry: names on the command line → workloads.

import { bankWorkload } from './bank.js';
import { counterWorkload } from './counter.js';
import { listAppendWorkload } from './list-append.js';
import { lockWorkload } from './lock.js';
import { kvWorkload } from './kv.js';
import { registerWorkload } from './register.js';
import { setWorkload } from './set.js';
import type { Workload } from './types.js';

export const WORKLOADS = { register: registerWorkload, kv: () => kvWorkload(), set: setWorkload, counter: counterWorkload, 'list-append': () => listAppendWorkload(), bank: () => bankWorkload(), lock: lockWorkload } as const;
export type WorkloadName = keyof typeof WORKLOADS;
export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

export function buildWorkload(name: WorkloadName): Workload {
  return WORKLOADS[name]();
}
