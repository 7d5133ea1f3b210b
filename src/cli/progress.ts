// Live counters of a running test on stderr: one line redrawn in place on a TTY, a plain line
// every few seconds otherwise, nothing at all under --json.

import chalk from 'chalk';
import type { Op } from '../core/op.js';

export interface RunProgress {
  phase(name: string): void;
  op(op: Op): void;
  log(line: string): void;
  stop(): void;
}

export const silentProgress: RunProgress = { phase: () => {}, op: () => {}, log: () => {}, stop: () => {} };

/** Which fault a nemesis op starts or ends, for the "faults now" column. */
function faultOf(f: string): { fault: string; on: boolean } | undefined {
  const m = /^(start|stop)-(partition|loss|delay)$/.exec(f);
  if (m) return { fault: m[2]!, on: m[1] === 'start' };
  if (f === 'kill' || f === 'restart') return { fault: 'kill', on: f === 'kill' };
  if (f === 'pause' || f === 'resume') return { fault: 'pause', on: f === 'pause' };
  if (f === 'bump-clock' || f === 'strobe-clock' || f === 'reset-clock') return { fault: 'clock', on: f !== 'reset-clock' };
  if (f === 'heal') return { fault: '*', on: false };
  return undefined;
}

export function terminalProgress(o: { timeLimitMs: number; stream?: NodeJS.WriteStream }): RunProgress {
  const stream = o.stream ?? process.stderr;
  const tty = Boolean(stream.isTTY);
  const started = Date.now();
  const counts = { ok: 0, fail: 0, info: 0, invoke: 0 };
  const faults = new Map<string, string>();
  let phase = 'starting';
  let lastCount = 0;
  let lastTime = started;
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
    const elapsed = Math.round((now - started) / 1000);
    const active = [...faults.entries()].map(([k, v]) => `${k}${v ? `(${v})` : ''}`).join(', ') || 'none';
    return (
      `[${phase} ${elapsed}s/${Math.round(o.timeLimitMs / 1000)}s] ${counts.invoke.toLocaleString('en')} ops · ${rate.toFixed(0)}/s · ` +
      `${chalk.green(`ok ${counts.ok}`)} ${chalk.red(`fail ${counts.fail}`)} ${chalk.yellow(`info ${counts.info}`)} · faults: ${active}`
    );
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
