// The progress line: each phase's own clock (main against the time limit), phases after main
// shown by name, and a line that fits an 80-column terminal (it used to wrap and scroll).

import test from 'ava';
import { terminalProgress } from '../src/cli/progress.js';

function fakeTty(columns: number) {
  const writes: string[] = [];
  const stream = { isTTY: true, columns, write: (s: string) => (writes.push(s), true) } as unknown as NodeJS.WriteStream;
  return { stream, writes };
}

// eslint-disable-next-line no-control-regex
const visible = (s: string) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '');

test('the line fits the terminal width, and each phase shows its own clock', (t) => {
  const { stream, writes } = fakeTty(80);
  const ui = terminalProgress({ timeLimitMs: 30_000, stream });
  ui.phase('main');
  for (let i = 0; i < 5; i++) ui.op({ index: i, type: 'invoke', process: 'nemesis', f: 'start-partition', value: { nodes: ['n1', 'n2', 'n3', 'n4', 'n5', 'a-very-long-node-name-to-overflow'] }, timeNs: 0 });
  ui.op({ index: 9, type: 'info', process: 'nemesis', f: 'start-partition', value: { nodes: ['n1', 'n2', 'n3', 'n4', 'n5', 'a-very-long-node-name-to-overflow'] }, timeNs: 0 });
  ui.phase('heal');
  ui.phase('final');
  ui.stop();
  const lines = writes.map(visible).filter((l) => l.startsWith('['));
  t.true(lines.length >= 3, JSON.stringify(writes));
  for (const l of lines) t.true(l.length <= 79, `${l.length} columns: ${l}`);
  t.true(lines.some((l) => /^\[main 0s\/30s\]/.test(l)));
  t.true(lines.some((l) => /^\[heal 0s\]/.test(l)), 'a phase after main shows its own clock, without the time limit');
  t.true(lines.some((l) => /^\[final 0s\]/.test(l)));
});
