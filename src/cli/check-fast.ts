// Start-up fast path for `faultline check FILE…`, hand-written for speed: loading @oclif/core
// (its config, plugins and parser) costs about 0.3 s of CPU per process on these machines
// (node --cpu-prof; `node -e "await import('@oclif/core')"` 0.44 s vs `node -e 0` 0.15 s), more
// than checking a whole corpus of small files. So main.ts hands `check` to this parser first: it
// understands only the plain forms (file paths and --model/-m, --budget, --initial, --nil-reads,
// --max-configurations, --debug, as `--flag value` or `--flag=value`) and returns undefined on
// anything else — --json, --help, --workload, run references, an unknown or repeated flag or path, a
// value that looks like a flag, `--` — which then goes through oclif as before. Both paths run
// the same checkHistories (check-core.ts); a differential test (test/cli/check-fast.test.ts)
// compares this parser with oclif's on generated command lines.

import { format } from 'node:util';
import { DEFAULT_MAX_CACHE_ENTRIES } from '../../checkers/linearizable.js';
import { checkHistories, isRunRef, type CheckFlags } from './check-core.js';

/** The flags this parser knows (long name → takes a value), and -m for --model. */
const VALUED = new Set(['model', 'budget', 'initial', 'nil-reads', 'max-configurations']);

export interface FastCheckArgs {
  paths: string[];
  flags: CheckFlags & { debug: boolean };
}

/** `check`'s argv (after the command id) → paths and flags, or undefined to leave it to oclif. */
export function parseCheckArgv(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): FastCheckArgs | undefined {
  // oclif reads FAULTLINE_CONTENT_TYPE=json as --json.
  if (env.FAULTLINE_CONTENT_TYPE !== undefined) return undefined;
  const given = new Map<string, string>();
  let debug = false;
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      paths.push(a);
      continue;
    }
    if (a === '--debug') {
      if (debug) return undefined;
      debug = true;
      continue;
    }
    let name: string;
    let value: string | undefined;
    if (a === '-m') name = 'model';
    else if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      if (eq >= 0) value = a.slice(eq + 1);
    } else return undefined;
    if (!VALUED.has(name) || given.has(name)) return undefined;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
    }
    if (value === '') return undefined;
    given.set(name, value);
  }
  // oclif reorders a command line that names a path twice (`a b a` → `a a b`): left to it.
  if (paths.length === 0 || new Set(paths).size !== paths.length) return undefined;
  // A stored run needs the database flags and DATABASE_URL as oclif reads them.
  if (paths.some((p) => isRunRef(p))) return undefined;
  const maxConf = given.get('max-configurations');
  if (maxConf !== undefined && !/^[1-9][0-9]{0,8}$/.test(maxConf)) return undefined;
  const flags: FastCheckArgs['flags'] = {
    budget: given.get('budget') ?? '60s',
    'nil-reads': given.get('nil-reads') ?? 'value',
    'max-configurations': maxConf === undefined ? DEFAULT_MAX_CACHE_ENTRIES : Number(maxConf),
    debug,
  };
  const model = given.get('model');
  if (model !== undefined) flags.model = model;
  const initial = given.get('initial');
  if (initial !== undefined) flags.initial = initial;
  return { paths, flags };
}

/**
 * Runs `check` without oclif when parseCheckArgv understands the command line: false when it
 * does not (the caller then runs oclif). Errors propagate to main.ts as oclif's would.
 */
export async function checkFast(argv: readonly string[]): Promise<boolean> {
  const args = parseCheckArgv(argv);
  if (!args) return false;
  // As oclif's this.log: console.log of util.format(message).
  const say = (m: string): void => console.log(format(m));
  const { code } = await checkHistories(args.paths, args.flags, {}, { say, progress: process.stderr.isTTY === true });
  process.exitCode = code;
  return true;
}
