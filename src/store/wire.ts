// The client protocol on the wire (documented in README.md): one JSON object per line each way.
// Request:  {"id": <any JSON>, "op": "get"|"put"|"cas"|"append"|"delete"|"status", "key", ...}
// Response: {"id", "ok": true, "value"} or {"id", "ok": false, "error", "definite", "leader"?}

import type { Reply } from './replica.js';

export interface WireRequest {
  id?: unknown;
  op?: unknown;
  [field: string]: unknown;
}

export type WireResponse = { id: unknown } & Reply;

export const ERRORS = {
  /** Definite: this node is not the leader; `leader` names the one it believes in, if any. */
  notLeader: 'not-leader',
  /** Definite: cas found a different value; nothing changed. */
  casMismatch: 'cas-mismatch',
  /** Indefinite for writes (may still commit), definite for reads. */
  timeout: 'timeout',
  /** Definite: the node cannot serve requests (starting, shutting down, overloaded). */
  unavailable: 'unavailable',
  /** Definite: the request was malformed. */
  badRequest: 'bad-request',
} as const;
