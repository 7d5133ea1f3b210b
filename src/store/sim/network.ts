// The simulated network: every message is delivered after a random delay (which reorders
// them), or dropped, or duplicated, and directed links can be cut (one-way partitions).
// Messages are bucketed by delivery tick so a step costs only what it delivers.

import type { PeerMessage } from '../protocol.js';
import type { Rng } from './rng.js';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  delayTicksMax: number;
}

export const CALM: NetworkFaults = { dropRate: 0, duplicateRate: 0, delayTicksMax: 1 };

export class SimNetwork {
  private buckets = new Map<number, PeerMessage[]>();
  private cut = new Set<string>();
  faults: NetworkFaults = CALM;
  delivered = 0;

  constructor(private readonly rng: Rng) {}

  send(msgs: readonly PeerMessage[], now: number): void {
    for (const m of msgs) {
      if (this.rng.chance(this.faults.dropRate)) continue;
      this.enqueue(m, now);
      if (this.rng.chance(this.faults.duplicateRate)) this.enqueue(m, now);
    }
  }

  private enqueue(m: PeerMessage, now: number): void {
    const at = now + 1 + this.rng.int(this.faults.delayTicksMax);
    let b = this.buckets.get(at);
    if (!b) this.buckets.set(at, (b = []));
    b.push(m);
  }

  /** Messages due at this tick that survive the current partitions. */
  due(now: number): PeerMessage[] {
    const b = this.buckets.get(now);
    if (!b) return [];
    this.buckets.delete(now);
    const out = this.cut.size === 0 ? b : b.filter((m) => !this.cut.has(`${m.from}>${m.to}`));
    this.delivered += out.length;
    return out;
  }

  /** Cuts the directed link from → to (messages already in flight on it are lost too). */
  cutLink(from: string, to: string): void {
    this.cut.add(`${from}>${to}`);
  }

  /** Cuts both directions between every pair across the two sides. */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) {
      this.cutLink(x, y);
      this.cutLink(y, x);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  isCut(from: string, to: string): boolean {
    return this.cut.has(`${from}>${to}`);
  }
}
