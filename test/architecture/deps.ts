// The layering of Faultline as one table, in the style of Chromium's DEPS / Playwright's DEPS.list:
// for each folder, the project folders (or single files) it may import and the npm packages it may
// use. Everything not listed is refused. Node built-ins (`node:…`) are allowed everywhere; a folder
// may always import itself (its subfolders included). A file belongs to the longest folder key that
// is a prefix of its path. `never` entries win over `may`/`npm`: they are the rules that must hold
// however the allow-lists are widened. Patterns: `a/b` = that folder or file, `a/b/` = under it,
// `a/db*` = any path starting so.
//
// To change the architecture, change this table (and ARCHITECTURE.md with it). The checker is
// test/architecture/engine.ts; the test is test/architecture.test.ts; `node dist/bench/imports.js`
// prints the folder graph's upward arrows and cycles.

export interface FolderRule {
  /** Project folders/files this folder may import, besides itself. */
  may: readonly string[];
  /** npm packages it may import (package names; `@scope/` allows a whole scope). */
  npm: readonly string[];
  /** Imports refused whatever `may`/`npm` say: pattern → why. */
  never?: Readonly<Record<string, string>>;
  /** Files that import a module the user names at run time (a computed specifier: allowed only in these). */
  userModules?: readonly string[];
}
export type Deps = Readonly<Record<string, FolderRule>>;

/** The folders whose code ships (the test scans these). test/ and bench/ may import anything. */
export const SCANNED = ['src', 'workloads', 'nemeses', 'checkers', 'reports'] as const;

/** The layering order, lowest first. An import from a lower layer to a higher one is an upward arrow. */
export const LAYERS: readonly (readonly string[])[] = [
  ['src/core'],
  ['src/store', 'src/db', 'src/history', 'src/generator', 'src/interpreter'],
  ['src/runtime'],
  ['nemeses', 'workloads', 'checkers'],
  ['src/run'],
  ['reports', 'src/serve'],
  ['src/commands', 'src/cli', 'src/index.ts'],
];

/** Folders where any import cycle through them fails the test (cycles elsewhere are printed). */
export const ACYCLIC = ['src/core', 'src/store', 'src/runtime'] as const;

const HARNESS_ABOVE = {
  'src/run': 'the run loop sits above this layer; it is composed from above, never called from below',
  nemeses: 'nemeses are composed by the run loop; lower layers define the abilities they use',
  workloads: 'workloads are composed by the run loop; lower layers must not know them',
} as const;

const NOT_IN_A_CHECKER = 'checkers are pure functions of a history: no database, no Docker';

export const DEPS: Deps = {
  // Every folder, whatever its own row says.
  '*': {
    may: [],
    npm: [],
    never: {
      'test/': 'nothing that ships imports test code',
      'bench/': 'nothing that ships imports benchmark scripts',
    },
  },

  // The ground floor: op types, validity, rng, errors/exit codes, home.
  'src/core': { may: [], npm: [] },

  // The bundled KV store is a database under test like any other: only the ground floor.
  'src/store': { may: ['src/core'], npm: [] },

  // The database seam (Db, Client); the bundled store is its one implementation.
  // The package's public entry (package.json exports "."): the database contract's types only.
  'src/index.ts': { may: ['src/db'], npm: [] },

  // load.ts imports the user's adapter module (`--db ./adapter.mjs`): the one computed import.
  'src/db': { may: ['src/core', 'src/store'], npm: [], userModules: ['src/db/load.ts'] },

  'src/history': { may: ['src/core'], npm: ['postgres', '@electric-sql/pglite', 'edn-data'] },

  'src/generator': { may: ['src/core'], npm: [], never: HARNESS_ABOVE },
  'src/interpreter': { may: ['src/core', 'src/generator', 'src/db'], npm: [], never: HARNESS_ABOVE },

  // Hosts and fault abilities; knows databases only through the src/db seam, not the store.
  'src/runtime': { may: ['src/core', 'src/db'], npm: ['dockerode', 'execa'], never: HARNESS_ABOVE },

  'nemeses': { may: ['src/core', 'src/runtime', 'src/db', 'src/generator'], npm: [] },
  'workloads': { may: ['src/core', 'src/generator', 'src/interpreter', 'src/db', 'checkers'], npm: [] },
  'checkers': {
    may: ['src/core'],
    npm: [],
    never: {
      postgres: NOT_IN_A_CHECKER,
      '@electric-sql/': NOT_IN_A_CHECKER,
      dockerode: NOT_IN_A_CHECKER,
      'src/history/db*': NOT_IN_A_CHECKER,
      workloads: 'a checker reads histories; workloads choose checkers, not the reverse',
    },
  },

  // The run loop composes everything below it; reporters, the terminal and `serve` plug in from above.
  'src/run': {
    may: ['src/core', 'src/db', 'src/history', 'src/generator', 'src/interpreter', 'src/runtime', 'nemeses', 'workloads', 'checkers'],
    npm: [],
  },

  'reports': { may: ['src/core', 'src/history', 'checkers', 'src/run'], npm: [] },
  'src/serve': { may: ['src/core', 'src/history', 'checkers', 'src/run', 'reports'], npm: [] },

  // The top: oclif commands and their terminal helpers may use everything below.
  'src/cli': {
    may: ['src/core', 'src/db', 'src/history', 'src/runtime', 'src/run', 'reports', 'src/serve', 'checkers', 'workloads', 'nemeses'],
    // @oclif/plugin-not-found + fastest-levenshtein: the command_not_found hook (src/cli/not-found.ts, branch wip-i13).
    npm: ['@oclif/core', '@oclif/plugin-not-found', '@oclif/plugin-help', 'fastest-levenshtein', 'chalk'],
  },
  'src/commands': {
    may: ['src/core', 'src/store', 'src/db', 'src/history', 'src/generator', 'src/interpreter', 'src/runtime', 'nemeses', 'workloads', 'checkers', 'src/run', 'reports', 'src/serve', 'src/cli'],
    npm: ['@oclif/core', 'chalk'],
  },
};

/**
 * Imports that break the table today and are being removed by the issue-10 reshaping (lead-owned
 * files). Each entry is `file → import target`; the test prints them and fails when one no longer
 * occurs, so this list only shrinks. Delete a line when the reshaping removes that import.
 */
export const PENDING: readonly string[] = [
  // Empty: issue 10 removed every known violation. Add an entry only with the issue that removes it.
];
