// Colour in the terminal, decided once for every command. chalk 5 reads FORCE_COLOR but not
// NO_COLOR (https://no-color.org), so the level is set here from NO_COLOR, FORCE_COLOR and
// whether stdout/stderr are terminals; src/cli/main.ts calls applyColorEnv() before any command.

import chalk from 'chalk';

type Level = 0 | 1 | 2 | 3;

/** The colour level the environment asks for; `detected` is chalk's own guess for a terminal. */
export function colorLevelFor(env: NodeJS.ProcessEnv, isTTY: boolean, detected: Level): Level {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    if (force === '2' || force === '3') return Number(force) as Level;
    return detected > 0 ? detected : 1;
  }
  if (!isTTY || env.TERM === 'dumb') return 0;
  return detected > 0 ? detected : 1;
}

let applied = false;

/** Sets chalk's level from the environment (once; later calls are no-ops). */
export function applyColorEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (applied) return;
  applied = true;
  const tty = Boolean(process.stdout.isTTY || process.stderr.isTTY);
  chalk.level = colorLevelFor(env, tty, chalk.level as Level);
}

/** Whether to colour what is written to this stream. */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  applyColorEnv(env);
  if (chalk.level === 0) return false;
  return Boolean(stream.isTTY) || (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false');
}
