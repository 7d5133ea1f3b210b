// `faultline tset`: "did you mean test?". On a terminal, @oclif/plugin-not-found's own hook asks
// (and runs the suggestion on yes). Elsewhere (scripts, CI) that hook prints only "Run faultline
// help", so we say the suggestion ourselves, as one line, exit 254 (bad input).

import type { Hook } from '@oclif/core';
import { toConfiguredId } from '@oclif/core';
import pluginNotFound from '@oclif/plugin-not-found';
import { closest } from 'fastest-levenshtein';
import { UserError } from '../core/errors.js';

/** The nearest visible command id to what was typed, as the user would type it. */
export function suggestCommand(typed: string, ids: readonly string[]): string | undefined {
  return ids.length ? closest(typed, [...ids]) : undefined;
}

const hook: Hook<'command_not_found'> = async function (opts) {
  if (process.stdin.isTTY && process.stdout.isTTY) return pluginNotFound.call(this, opts);
  const ids = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const typed = toConfiguredId(opts.id, opts.config);
  const best = suggestCommand(opts.id, ids);
  const hint = best ? `did you mean \`${opts.config.bin} ${toConfiguredId(best, opts.config)}\`? ` : '';
  throw new UserError(`\`${typed}\` is not a ${opts.config.bin} command; ${hint}(\`${opts.config.bin} help\` lists them)`);
};

export default hook;
