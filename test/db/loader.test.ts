// The adapter loader's errors, through the real CLI: every wrong adapter module (a bad field, a
// bad value, a module that cannot load) gets ONE line naming the field or the problem, exit 254,
// before anything starts — no run folder, no run row (the fresh FAULTLINE_HOME stays without a
// runs/ folder or a history database). Also the flag rules: --db-opt needs key=value and an
// adapter; --bug is the bundled store's only.

import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../helpers/env.js';

const GOOD = `{
  name: 'toy',
  image: { debianPackages: ['socat'] },
  clientPort: 7000,
  command: (node) => ({ argv: ['socat', 'TCP-LISTEN:7000,fork,reuseaddr,bind=' + node.ip, 'EXEC:cat'] }),
  client: () => ({ open: async () => {}, invoke: async () => ({ type: 'ok' }), close: async () => {} }),
}`;

/** A module whose default export is GOOD with `patch` spread over it. */
const withPatch = (patch: string) => `const good = ${GOOD};\nexport default { ...good, ...${patch} };\n`;

const CASES: { title: string; source: string; message: RegExp }[] = [
  { title: 'name missing', source: withPatch('{ name: undefined }'), message: /: name must be a non-empty string \(got missing\)$/ },
  { title: 'name empty', source: withPatch(`{ name: '' }`), message: /: name must be a non-empty string \(got ""\)$/ },
  { title: 'image missing', source: withPatch('{ image: undefined }'), message: /: image must be one of .* \(got missing\)$/ },
  { title: 'image with two kinds', source: withPatch(`{ image: { tag: 'x', debianPackages: ['y'] } }`), message: /: image must have exactly one of debianPackages, dockerfile, tag/ },
  { title: 'image with an unknown kind', source: withPatch(`{ image: { apt: ['redis'] } }`), message: /: image has an unknown field apt/ },
  { title: 'debianPackages not a list', source: withPatch(`{ image: { debianPackages: 'redis-server' } }`), message: /: image\.debianPackages must be a non-empty array of Debian package names \(got "redis-server"\)$/ },
  { title: 'dockerfile not a string', source: withPatch('{ image: { dockerfile: 3 } }'), message: /: image\.dockerfile must be a folder path \(string\) \(got 3\)$/ },
  { title: 'tag empty', source: withPatch(`{ image: { tag: '' } }`), message: /: image\.tag must be a non-empty string/ },
  { title: 'clientPort a string', source: withPatch(`{ clientPort: '7000' }`), message: /: clientPort must be an integer port 1\.\.65535 \(got "7000"\)$/ },
  { title: 'clientPort out of range', source: withPatch('{ clientPort: 70000 }'), message: /: clientPort must be an integer port 1\.\.65535 \(got 70000\)$/ },
  { title: 'peerPort equal to clientPort', source: withPatch('{ peerPort: 7000 }'), message: /: peerPort must differ from clientPort \(got 7000\)$/ },
  { title: 'command not a function', source: withPatch(`{ command: ['redis-server'] }`), message: /: command must be a function \(got \["redis-server"\]\)$/ },
  { title: 'command returns no argv', source: withPatch('{ command: () => ({}) }'), message: /: command\(\)\.argv must be a non-empty array of strings \(got missing\)$/ },
  { title: 'command returns an empty argv', source: withPatch('{ command: () => ({ argv: [] }) }'), message: /: command\(\)\.argv must be a non-empty array of strings \(got \[\]\)$/ },
  { title: 'command returns a number in argv', source: withPatch(`{ command: () => ({ argv: ['redis-server', 6379] }) }`), message: /: command\(\)\.argv must be a non-empty array of strings \(got \["redis-server",6379\]\)$/ },
  { title: 'command env not strings', source: withPatch(`{ command: () => ({ argv: ['x'], env: { A: 1 } }) }`), message: /: command\(\)\.env must be an object of string values \(got \{"A":1\}\)$/ },
  { title: 'command throws', source: withPatch(`{ command: () => { throw new Error('no config for n1'); } }`), message: /: command\(n1, a 3-node cluster\) threw: no config for n1$/ },
  { title: 'client missing', source: withPatch('{ client: undefined }'), message: /: client must be a function \(got missing\)$/ },
  { title: 'ready not a function', source: withPatch('{ ready: true }'), message: /: ready must be a function when given \(got true\)$/ },
  { title: 'leader not a function', source: withPatch(`{ leader: 'n1' }`), message: /: leader must be a function when given \(got "n1"\)$/ },
  { title: 'unsupportedFaults not reasons', source: withPatch(`{ unsupportedFaults: { clock: true } }`), message: /: unsupportedFaults must be an object of fault name -> reason \(a non-empty string\) \(got \{"clock":true\}\)$/ },
  { title: 'logFiles not a list', source: withPatch(`{ logFiles: 'redis.log' }`), message: /: logFiles must be an array of file paths \(strings\) \(got "redis.log"\)$/ },
  { title: 'default export a number', source: 'export default 42;\n', message: /: the default export must be a Db object or a function \(opts\) => Db \(got 42\)$/ },
  { title: 'no default export', source: 'export const db = {};\n', message: /: the module has no default export/ },
  { title: 'a syntax error', source: 'export default { name: "x", \n', message: /: the module failed to load: SyntaxError: / },
  { title: 'throws on import', source: `throw new Error('REDIS_HOME is not set');\n`, message: /: the module failed to load: REDIS_HOME is not set$/ },
  { title: 'the factory throws', source: `export default (opts) => { throw new Error('unknown reads=' + opts.reads); };\n`, message: /: the default export threw for --db-opt \{\}: unknown reads=undefined$/ },
  { title: 'the factory resolves to garbage', source: 'export default async () => null;\n', message: /: the default export must be a Db object .* \(got null\)$/ },
];

/** Runs `faultline test` in a fresh home; asserts exit 254, one line on stderr, nothing started. */
async function refused(t: import('ava').ExecutionContext, args: string[]): Promise<string> {
  const home = tempDir('faultline-loader-home-');
  const r = await cli(['test', '--runtime', 'local', '--nodes', '3', '--time-limit', '2s', ...args], { env: { FAULTLINE_HOME: home } });
  t.is(r.exitCode, 254, `exit ${r.exitCode}: ${String(r.stderr)}`);
  const lines = String(r.stderr).split('\n').filter((l) => l.trim() !== '');
  t.is(lines.length, 1, `not one line:\n${String(r.stderr)}`);
  t.false(/\n\s+at /.test(String(r.stderr)), 'a stack trace');
  // Nothing started: no run folder, no history database (a run row would need one).
  t.deepEqual(existsSync(home) ? readdirSync(home).filter((f) => f === 'runs' || f === 'db') : [], []);
  return lines[0]!;
}

// Every case in process (the loader's own error), and a handful through the real CLI (one line,
// exit 254, nothing started): 2 cores cannot start 30 CLIs at once in reasonable time.
const THROUGH_CLI = new Set(['name missing', 'image with two kinds', 'clientPort a string', 'command returns no argv', 'a syntax error', 'throws on import', 'the factory throws']);

for (const c of CASES) {
  test(`a wrong adapter is refused naming the field: ${c.title}`, async (t) => {
    const { loadDb } = await import('../../src/db/load.js');
    const { UserError } = await import('../../src/core/errors.js');
    const dir = tempDir('faultline-adapter-');
    const file = join(dir, 'adapter.mjs');
    writeFileSync(file, c.source);
    const err = await t.throwsAsync(() => loadDb({ db: file }), { instanceOf: UserError });
    t.is(err!.message.split('\n').length, 1, 'one line');
    t.true(err!.message.startsWith(`--db ${file}: `), err!.message);
    t.regex(err!.message, c.message);
  });
  if (!THROUGH_CLI.has(c.title)) continue;
  test.serial(`through the CLI: one line, exit 254, nothing started: ${c.title}`, async (t) => {
    const dir = tempDir('faultline-adapter-');
    const file = join(dir, 'adapter.mjs');
    writeFileSync(file, c.source);
    const line = await refused(t, ['--db', file]);
    t.true(line.includes(`--db ${file}: `), line);
    t.regex(line, c.message);
  });
}

test('the good adapter of these cases passes validation (the cases fail for their one defect)', async (t) => {
  const { loadDb } = await import('../../src/db/load.js');
  const dir = tempDir('faultline-adapter-');
  writeFileSync(join(dir, 'adapter.mjs'), `export default ${GOOD};\n`);
  const loaded = await loadDb({ db: join(dir, 'adapter.mjs') });
  t.is(loaded.db.name, 'toy');
  t.is(loaded.dir, dir);
});

test.serial('a module that does not exist is refused in one line', async (t) => {
  t.regex(await refused(t, ['--db', './no/such/adapter.mjs']), /--db .*no\/such\/adapter\.mjs: no such module/);
});

test.serial('--db-opt without "=" is refused', async (t) => {
  t.regex(await refused(t, ['--db', './test/fixtures/adapters/store/adapter.mjs', '--db-opt', 'reads']), /--db-opt "reads" must be key=value$/);
});

test.serial('--db-opt with a bundled protocol is refused', async (t) => {
  t.regex(await refused(t, ['--db', 'raft', '--db-opt', 'reads=replica']), /--db-opt is for adapter modules; the bundled raft store takes none/);
});

test.serial('--db-opt given to a module that exports a Db object (not a function of options) is refused', async (t) => {
  const dir = tempDir('faultline-adapter-');
  writeFileSync(join(dir, 'adapter.mjs'), `export default ${GOOD};\n`);
  t.regex(await refused(t, ['--db', join(dir, 'adapter.mjs'), '--db-opt', 'reads=replica']), /--db-opt reads given, but the module exports a Db object/);
});

test.serial('--bug with an adapter is refused (bugs are the bundled store\'s)', async (t) => {
  t.regex(await refused(t, ['--db', './test/fixtures/adapters/store/adapter.mjs', '--bug', 'stale-read']), /--bug switches bugs of the bundled store; .* is an adapter/);
});

test.serial('an unknown --db name that is no path is refused naming the choices', async (t) => {
  t.regex(await refused(t, ['--db', 'redis']), /unknown --db "redis" \(allowed: raft, paxos, zab, or the path of an adapter module/);
});

test.serial('on the local runtime, a Db without peerPort gets network faults refused by name before the run', async (t) => {
  const dir = tempDir('faultline-adapter-');
  writeFileSync(join(dir, 'adapter.mjs'), `export default ${GOOD};\n`);
  const line = await refused(t, ['--db', join(dir, 'adapter.mjs'), '--nemesis', 'partition,kill']);
  t.regex(line, /--nemesis partition cannot run on the local runtime: the toy adapter declares no peerPort/);
});

test.serial('a fault the adapter declares unsupported is refused with its reason before the run; an unknown fault name there is refused too', async (t) => {
  const dir = tempDir('faultline-adapter-');
  writeFileSync(join(dir, 'adapter.mjs'), `export default { ...${GOOD}, unsupportedFaults: { clock: 'its allocator hangs under libfaketime' } };\n`);
  const line = await refused(t, ['--db', join(dir, 'adapter.mjs'), '--nemesis', 'kill,clock']);
  t.regex(line, /--nemesis clock cannot run on toy: its allocator hangs under libfaketime/);
  writeFileSync(join(dir, 'typo.mjs'), `export default { ...${GOOD}, unsupportedFaults: { clocks: 'x' } };\n`);
  const typo = await refused(t, ['--db', join(dir, 'typo.mjs'), '--nemesis', 'kill']);
  t.regex(typo, /unsupportedFaults names an unknown fault "clocks"/);
});

test.serial('the Redis example declares clock unsupported: --nemesis clock is refused naming libfaketime', async (t) => {
  const line = await refused(t, ['--db', join(process.cwd(), 'examples/redis/adapter.mjs'), '--nemesis', 'clock']);
  t.regex(line, /--nemesis clock cannot run on redis: .*libfaketime/);
});

test.serial('the NATS example passes validation and declares clock unsupported (nats-server is a Go binary: libfaketime cannot move its clock)', async (t) => {
  const line = await refused(t, ['--db', join(process.cwd(), 'examples/nats/adapter.mjs'), '--nemesis', 'partition,clock']);
  t.regex(line, /--nemesis clock cannot run on nats/);
});
