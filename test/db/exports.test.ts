// The package's `exports`: from a user's own project (node_modules/faultline -> this checkout),
// `import type { Db, Client, … } from 'faultline'` compiles with TypeScript's node16/nodenext
// resolution, a wrong adapter does not, and the runtime entry loads. Fails when package.json's
// exports, the declaration output or src/index.ts break.

import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tempDir } from '../helpers/env.js';

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');

function project(files: Record<string, string>, moduleKind: 'node16' | 'nodenext'): string {
  const dir = tempDir('faultline-user-project-');
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(ROOT, join(dir, 'node_modules/faultline'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-adapter', private: true, type: 'module' }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: moduleKind, moduleResolution: moduleKind, target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false,
        types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      include: ['*.ts'],
    }),
  );
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const GOOD = `import type { Client, ClientNode, ClientOp, ClientResult, Db, DbCluster, DbFactory, DbImage, DbNode, NodeCommand } from 'faultline';
import { BASE_IMAGE, defineDb } from 'faultline';

const image: DbImage = { debianPackages: ['redis-server'] };
class MyClient implements Client {
  private node?: ClientNode;
  async open(node: ClientNode): Promise<void> { this.node = node; }
  async invoke(op: ClientOp): Promise<ClientResult> { return { type: 'ok', value: [op.f, this.node?.port] }; }
  async close(): Promise<void> {}
}
const command = (node: DbNode, cluster: DbCluster): NodeCommand => ({ argv: ['redis-server', '--bind', node.ip, '--replicaof', cluster.nodes[0]!.ip, '6379'] });
export const db: Db = { name: 'redis', image, clientPort: 6379, command, client: () => new MyClient() };
const factory: DbFactory = (opts) => ({ ...db, name: opts.name ?? 'redis' });
export default defineDb(factory);
export const base: string = BASE_IMAGE;
`;

for (const kind of ['nodenext', 'node16'] as const) {
  test(`a user's project compiles an adapter against 'faultline' (${kind} resolution)`, async (t) => {
    const dir = project({ 'adapter.ts': GOOD }, kind);
    const r = await execa(process.execPath, [TSC, '-p', dir], { reject: false, cwd: dir });
    t.is(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
  });
}

test("a wrong adapter does not compile against 'faultline' (the types are real, not any)", async (t) => {
  const bad = `import type { Db } from 'faultline';
export const db: Db = { name: 'x', image: { apt: ['redis'] }, clientPort: '6379', command: () => ({ argv: 'redis-server' }), client: () => ({}) };
`;
  const dir = project({ 'adapter.ts': bad }, 'nodenext');
  const r = await execa(process.execPath, [TSC, '-p', dir], { reject: false, cwd: dir });
  t.not(r.exitCode, 0);
  t.regex(String(r.stdout), /adapter\.ts\(2,/);
  t.notRegex(String(r.stdout), /Cannot find module 'faultline'/);
});

test("the runtime entry loads from a user's project: defineDb and BASE_IMAGE, nothing of the harness", async (t) => {
  const dir = project({}, 'nodenext');
  const r = await execa(process.execPath, ['--input-type=module', '-e', "const m = await import('faultline'); console.log(JSON.stringify(Object.keys(m).sort()), m.BASE_IMAGE, typeof m.defineDb)"], { reject: false, cwd: dir });
  t.is(r.exitCode, 0, String(r.stderr));
  t.is(String(r.stdout).trim(), '["BASE_IMAGE","defineDb"] faultline-base function');
  const deep = await execa(process.execPath, ['--input-type=module', '-e', "await import('faultline/dist/src/db/store.js')"], { reject: false, cwd: dir });
  t.not(deep.exitCode, 0, 'a deep import of the harness is not public');
  t.regex(String(deep.stderr), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
});
