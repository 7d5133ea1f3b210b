// The client protocol on the wire (documented in README.md): one JSON object per line each way.
// Request:  {"id": <any JSON>, "op": "get"|"put"|"cas"|"append"|"delete"|"status", "key", ...}
//           or {"id", "op": "txn", "ops": [[f, key, value], ...]} with f "r" | "w" | "append"
//           (answered with the micro-ops, reads filled in)
// Response: {"id", "ok": true, "value"} or {"id", "ok": false, "error", "definite", "leader"?}
// (answers are built from replica.ts Reply; the error codes are listed in README.md)

export interface WireRequest {
  id?: unknown;
  op?: unknown;
  [field: string]: unknown;
}
