// Live counters of a running test on stderr: one line redrawn in place on a TTY, a plain line
// every few seconds otherwise, nothing at all under --json. Each phase shows its own elapsed time
// (main against the time limit); the line is cut to the terminal's width (stream.columns) so it
// never wraps and scrolls. Hand-written: the line is plain ASCII apart from one separator, so
// cutting it before colouring needs no width library.

import chalk from 'chalk';
import type { Op } from '../core/op.js';
import { familyOfF } from '../../nemeses/registry.js';

export interface RunProgress {
  phase(name: string): void;
  op(op: Op): void;
  log(line: string): void;
  stop(): void;
}

export const silentProgress: RunProgress = { phase: () => {}, op: () => {}, log: () => {}, stop: () => {} };

/** Which fault a nemesis op starts or ends (from the fault registry), for the "faults now" column. */
function faultOf(f: string): { fault: string; on: boolean } | undefined {
  if (f === 'heal') return { fault: '*', on: false };
  const fam = familyOfF(f);
  return fam ? { fault: fam.fault, on: f !== fam.stop } : undefined;
}

export function terminalProgress(o: { timeLimitMs: number; stream?: NodeJS.WriteStream }): RunProgress {
  const stream = o.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  let phaseStarted = Date.now();
  const counts = { ok: 0, fail: 0, info: 0, invoke: 0 };
  const faults = new Map<string, string>();
  let phase = 'starting';
  let lastCount = 0;
  let lastTime = Date.now();
  let rate = 0;
  let lineShown = false;

  const line = () => {
    const now = Date.now();
    const dt = (now - lastTime) / 1000;
    if (dt >= 1) {
      rate = (counts.invoke - lastCount) / dt;
      lastCount = counts.invoke;
      lastTime = now;
    }
    const elapsed = Math.round((now - phaseStarted) / 1000);
    const clock = phase === 'main' ? `${elapsed}s/${Math.round(o.timeLimitMs / 1000)}s` : `${elapsed}s`;
    const active = [...faults.entries()].map(([k, v]) => `${k}${v ? `(${v})` : ''}`).join(', ') || 'none';
    const head = `[${phase} ${clock}] ${counts.invoke.toLocaleString('en')} ops · ${rate.toFixed(0)}/s · `;
    const parts: [string, (s: string) => string][] = [
      [`ok ${counts.ok}`, chalk.green],
      [` fail ${counts.fail}`, chalk.red],
      [` info ${counts.info}`, chalk.yellow],
      [` · faults: ${active}`, (x) => x],
    ];
    // Cut to the width before colouring (colour codes take no columns).
    let room = tty && stream.columns ? stream.columns - 1 : Infinity;
    let out = head.slice(0, room);
    room -= out.length;
    for (const [text, paint] of parts) {
      if (room <= 0) break;
      const cut = text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
      out += paint(cut);
      room -= cut.length;
    }
    return out;
  };
  const draw = () => {
    if (tty) {
      stream.write(`\r\x1b[2K${line()}`);
      lineShown = true;
    }
  };
  const timer = setInterval(draw, tty ? 250 : 5000);
  if (!tty) {
    clearInterval(timer);
  }
  const plain = tty ? undefined : setInterval(() => stream.write(`${line()}\n`), 5000);
  timer.unref();
  plain?.unref();
  const clear = () => {
    if (tty && lineShown) stream.write('\r\x1b[2K');
    lineShown = false;
  };
  return {
    phase(name) {
      phase = name;
      phaseStarted = Date.now();
      draw();
    },
    op(op) {
      if (op.process === 'nemesis') {
        if (op.type !== 'invoke') {
          const fo = faultOf(op.f);
          if (fo?.fault === '*') faults.clear();
          else if (fo?.on) faults.set(fo.fault, describeTargets(op.value));
          else if (fo) faults.delete(fo.fault);
        }
        return;
      }
      if (op.type === 'invoke') counts.invoke++;
      else counts[op.type]++;
    },
    log(message) {
      clear();
      stream.write(`${message}\n`);
      draw();
    },
    stop() {
      clearInterval(timer);
      if (plain) clearInterval(plain);
      clear();
    },
  };
}

function describeTargets(value: unknown): string {
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.nodes)) return v.nodes.join(' ');
    if (typeof v.kind === 'string') return v.kind;
    if (v.offsetsMs && typeof v.offsetsMs === 'object') return Object.keys(v.offsetsMs).join(' ');
  }
  return '';
}
