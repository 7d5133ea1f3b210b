// Shared by the Porcupine side-by-side benches (bench/checker-porcupine.ts, bench/checker-1m.ts):
// building the Go harness of bench/checker-porcupine/ against a checkout of Porcupine, and
// exporting a parsed history's calls as the JSON the harness reads.

import { execFileSync } from 'node:child_process';
import { cpSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Op } from '../src/core/op.js';
import type { PorcupineHistory } from '../src/history/porcupine.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The harness binary, built against PORCUPINE_DIR in a scratch copy of bench/checker-porcupine. */
export function buildHarness(work: string, porcupineDir: string): string {
  const dir = join(work, 'harness');
  cpSync(join(repo, 'bench/checker-porcupine'), dir, { recursive: true });
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOPROXY: 'off', GOCACHE: join(work, 'gocache') };
  execFileSync('go', ['mod', 'edit', `-replace=github.com/anishathalye/porcupine=${resolve(porcupineDir)}`], { cwd: dir, env });
  execFileSync('go', ['build', '-o', join(work, 'porcupine-harness'), '.'], { cwd: dir, env, stdio: 'inherit' });
  return join(work, 'porcupine-harness');
}

/**
 * The calls of a parsed history as the harness reads them. `kv-cas`: a kv map of cas registers
 * ([key, value] tuples with read / write / cas, as bench/checker-1m.ts generates), one per key.
 */
export function exportCalls(
  h: Pick<PorcupineHistory, 'ops' | 'model' | 'failMeansFalse'>,
  as?: 'kv-cas',
  /** Knossos's corpus: the initial value, and a completed read of nil allowing any value (sent as crash: any output, its real return kept). */
  knossos?: { init: unknown },
): { model: string; ops: unknown[]; init?: unknown } {
  const open = new Map<Op['process'], { op: Op; pos: number }>();
  const calls: { inv: Op; pos: number; done?: Op; ret: number }[] = [];
  const end = h.ops.length + 1;
  h.ops.forEach((op, pos) => {
    if (typeof op.process !== 'number') return;
    if (op.type === 'invoke') return void open.set(op.process, { op, pos });
    const inv = open.get(op.process);
    if (!inv) return;
    open.delete(op.process);
    if (op.type === 'ok' || (op.type === 'fail' && h.failMeansFalse.includes(op.f.replace(/^:/, '')))) calls.push({ inv: inv.op, pos: inv.pos, done: op, ret: pos });
    else if (op.type === 'info') calls.push({ inv: inv.op, pos: inv.pos, ret: end });
  });
  for (const inv of open.values()) calls.push({ inv: inv.op, pos: inv.pos, ret: end });
  calls.sort((a, b) => a.pos - b.pos);
  const kv = h.model === 'kv' && as !== 'kv-cas';
  return {
    ...(knossos ? { init: knossos.init } : {}),
    model: as ?? (kv ? 'kv' : 'cas'),
    ops: calls.map(({ inv, pos, done, ret }) => {
      const f = inv.f.replace(/^:/, '');
      const o: Record<string, unknown> = { c: Number(inv.process), call: pos, ret, crash: done === undefined };
      if (kv) {
        const [key, value] = inv.value as [string, string | null];
        o.op = f;
        o.k = key;
        o.a = value;
        if (done) o.v = (done.value as [string, string | null])[1] ?? '';
        if (f === 'write') o.op = 'put';
        if (f === 'read') o.op = 'get';
      } else {
        // A cas register; for kv-cas, the register of the tuple's key.
        const [key, arg, out] = as === 'kv-cas' ? [String((inv.value as unknown[])[0]), (inv.value as unknown[])[1], (done?.value as unknown[] | undefined)?.[1]] : ['', inv.value, done?.value];
        o.op = f;
        if (as === 'kv-cas') o.k = key;
        if (f === 'write') o.a = arg;
        if (f === 'cas') [o.a, o.b] = arg as [unknown, unknown];
        if (done) {
          o.v = out ?? null;
          o.ok = done.type === 'ok';
          if (knossos && f === 'read' && o.v === null) o.crash = true;
        }
      }
      return o;
    }),
  };
}

