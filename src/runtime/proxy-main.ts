// The link proxies of a local cluster left running (`faultline test --leave-running`), in a
// process of their own: `node proxy-main.js <runDir>`, forked detached (own session) by
// LocalRuntime.leave with an IPC channel. The harness sends each link's name, target and seed
// together with the link's listening server (Node passes the socket itself over IPC), so the
// port the nodes dial never closes; this process answers `adopted`, the harness closes its own
// copy and disconnects, and from then on the healed links pass traffic here, with nothing left
// in the harness to keep it from exiting. It runs until SIGTERM/SIGINT/SIGKILL: `faultline
// cluster down` and `faultline cleanup --run` kill it by the run's pid file (marker: runDir).
// Why a process and not iptables: the local runtime has no network namespace of its own; the
// nodes only know the proxies' addresses, so someone must forward those ports.

import net from 'node:net';
import { LinkProxy } from './proxy.js';

export interface AdoptMessage {
  type: 'link';
  name: string;
  target: { host: string; port: number };
  seed: number;
}
export interface AdoptedMessage {
  type: 'adopted';
  name: string;
  port: number;
}

const runDir = process.argv[2];
const log = (m: string) => process.stdout.write(`${new Date().toISOString()} proxies: ${m}\n`);

if (!runDir || !process.send) {
  process.stderr.write('usage: node proxy-main.js <runDir> (forked with an IPC channel by the local runtime)\n');
  process.exit(254);
}

const proxies: LinkProxy[] = [];

process.on('message', (m: AdoptMessage, handle: unknown) => {
  if (m?.type !== 'link' || !(handle instanceof net.Server)) {
    log(`ignored message ${JSON.stringify(m)}`);
    return;
  }
  const proxy = new LinkProxy(m.name, m.target, m.seed);
  proxy.adopt(handle);
  proxies.push(proxy);
  log(`${m.name}: 127.0.0.1:${proxy.port} -> ${m.target.host}:${m.target.port}`);
  const reply: AdoptedMessage = { type: 'adopted', name: m.name, port: proxy.port };
  process.send!(reply);
});

process.on('disconnect', () => {
  if (proxies.length === 0) {
    log('the harness left before handing over any link; exiting');
    process.exit(1);
  }
  log(`serving ${proxies.length} link(s) for ${runDir} until stopped`);
});

const stop = (signal: string) => {
  log(`${signal}: closing`);
  void Promise.all(proxies.map((x) => x.close())).then(() => process.exit(0));
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
