// The leader's view of one follower (Raft's nextIndex/matchIndex, with etcd-style states):
// probe sends one AppendEntries at a time until the logs agree, replicate pipelines up to
// maxInflight messages, snapshot waits for an InstallSnapshot to be acknowledged.

export class Progress {
  match = 0;
  state: 'probe' | 'replicate' | 'snapshot' = 'probe';
  /** In probe state: a message is outstanding; resumes on any answer or heartbeat answer. */
  paused = false;
  /** Last index of each pipelined message not yet acknowledged. */
  inflight: number[] = [];
  pendingSnapshot = 0;
  snapshotSentTick = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = true;
  /** Highest heartbeat round this follower acknowledged (for ReadIndex). */
  ackedSeq = 0;

  constructor(public next: number) {}

  becomeProbe(): void {
    this.state = 'probe';
    this.paused = false;
    this.inflight = [];
    this.next = this.match + 1;
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.paused = false;
    this.inflight = [];
    this.next = this.match + 1;
  }

  /** Records an acknowledged match; true when it advanced. */
  maybeUpdate(match: number): boolean {
    if (match <= this.match) return false;
    this.match = match;
    if (this.next < match + 1) this.next = match + 1;
    this.inflight = this.inflight.filter((i) => i > match);
    return true;
  }
}
