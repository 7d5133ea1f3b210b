// The package's public entry (`import type { Db, Client } from 'faultline'`): the types of the
// database contract an adapter module implements (docs/adapters.md), the name of Faultline's
// base image, and `defineDb`, which only gives a plain-JS adapter its types in an editor.
// Nothing else of the harness is public API.

import type { Db, DbFactory } from './db/types.js';

export type {
  Client,
  ClientContext,
  ClientNode,
  ClientOp,
  ClientResult,
  Db,
  DbCluster,
  DbFactory,
  DbImage,
  DbModule,
  DbNode,
  NodeCommand,
  PrepareContext,
} from './db/types.js';
export { BASE_IMAGE } from './db/types.js';

/** Returns its argument: `export default defineDb({ ... })` type-checks an adapter in a JS file too. */
export function defineDb<T extends Db | DbFactory>(db: T): T {
  return db;
}
