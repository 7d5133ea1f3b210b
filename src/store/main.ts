// Entry point of the store server (`node dist/src/store/main.js` or `bin/store.js`).
// Exit codes: 254 bad flags (one line, no stack); 1 refused to start (corrupt log, port in
// use) or a fatal storage error; 0 after SIGTERM/SIGINT with the log flushed.

import { EXIT, UserError } from '../core/errors.js';
import { parseStoreArgs } from './args.js';
import { WalCorruptError } from './log.js';
import { StoreServer } from './server.js';

async function main(): Promise<void> {
  let args;
  try {
    args = parseStoreArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    process.stderr.write(`faultline-store: ${err.message}\n`);
    process.exit(EXIT.badInput);
  }
  let server: StoreServer;
  try {
    server = await StoreServer.start({
      ...args, tickMs: 10, requestTimeoutMs: 10_000, log: (line) => process.stdout.write(line + '\n'),
    });
  } catch (err) {
    const why = err instanceof WalCorruptError ? err.message : `cannot start: ${(err as Error).message}`;
    process.stderr.write(`faultline-store ${args.id}: ${why}\n`);
    process.exit(1);
  }
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
