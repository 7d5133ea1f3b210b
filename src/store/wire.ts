// The client protocol on the wire (documented in README.md): one JSON object per line each way.
// Request:  {"id": <any JSON>, "op": "get"|"put"|"cas"|"append"|"delete"|"status", "key", ...}
// Response: {"id", "ok": true, "value"} or {"id", "ok": false, "error", "definite", "leader"?}
// (answers are built from replica.ts Reply; the error codes are listed in README.md)

export interface WireRequest {
  id?: unknown;
  op?: unknown;
  [field: string]: unknown;
}
