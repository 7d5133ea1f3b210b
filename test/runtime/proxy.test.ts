// The link proxy against an echo server on 127.0.0.1: passes bytes, blackholes, refuses, cuts live
// connections, delays, and holds back "lost" chunks; and heals back to pass.

import test from 'ava';
import net from 'node:net';
import { once } from 'node:events';
import { LinkProxy } from '../../src/runtime/proxy.js';

async function echoServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    s.pipe(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

async function connect(port: number): Promise<net.Socket> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  return s;
}

/** Sends `text`, resolves to [reply, elapsedMs] or to null when nothing comes back within waitMs. */
async function roundTrip(s: net.Socket, text: string, waitMs = 1000): Promise<[string, number] | null> {
  const started = Date.now();
  let got = '';
  return new Promise((resolve) => {
    const timer = setTimeout(() => done(null), waitMs);
    const onData = (b: Buffer) => {
      got += b.toString();
      if (got.length >= text.length) done([got, Date.now() - started]);
    };
    const done = (v: [string, number] | null) => {
      clearTimeout(timer);
      s.off('data', onData);
      resolve(v);
    };
    s.on('data', onData);
    s.write(text);
  });
}

async function withProxy(t: { teardown: (f: () => Promise<void>) => void }): Promise<LinkProxy> {
  const echo = await echoServer();
  const proxy = new LinkProxy('n1->n2', { host: '127.0.0.1', port: echo.port }, 7);
  await proxy.listen();
  t.teardown(async () => {
    await proxy.close();
    await echo.close();
  });
  return proxy;
}

test('pass: bytes go through both ways', async (t) => {
  const proxy = await withProxy(t);
  const s = await connect(proxy.port);
  const r = await roundTrip(s, 'hello');
  t.is(r?.[0], 'hello');
  t.is(proxy.stats.bytesForwarded, 10);
  s.destroy();
});

test('blackhole cuts live connections and swallows new ones; pass heals', async (t) => {
  const proxy = await withProxy(t);
  const live = await connect(proxy.port);
  t.truthy(await roundTrip(live, 'x'));
  const closed = once(live, 'close');
  proxy.setMode('blackhole');
  await closed; // the live stream was cut
  t.is(proxy.stats.cut, 1);
  const s = await connect(proxy.port); // accepted...
  t.is(await roundTrip(s, 'anyone?', 300), null); // ...but nothing comes back
  const unstuck = once(s, 'close');
  proxy.setMode('pass');
  await unstuck; // a sender stuck on a blackholed connection is cut loose, so it dials again
  const healed = await connect(proxy.port);
  t.is((await roundTrip(healed, 'back'))?.[0], 'back');
  s.destroy();
  healed.destroy();
});

test('refuse resets new connections', async (t) => {
  const proxy = await withProxy(t);
  proxy.setMode('refuse');
  const s = net.connect(proxy.port, '127.0.0.1');
  const err = await new Promise<Error | null>((resolve) => {
    s.on('error', (e) => resolve(e));
    s.on('close', () => resolve(null));
  });
  t.is(proxy.stats.refused, 1);
  t.true(err === null || /ECONNRESET|EPIPE/.test((err as NodeJS.ErrnoException).code ?? ''), String(err));
});

test('delay holds every chunk back at least delayMs, in order', async (t) => {
  const proxy = await withProxy(t);
  proxy.setImpairment({ delayMs: 150 });
  const s = await connect(proxy.port);
  const r = await roundTrip(s, 'abc');
  t.is(r?.[0], 'abc');
  t.true((r?.[1] ?? 0) >= 290, `round trip took ${r?.[1]} ms through 2 x 150 ms`); // both directions delayed
  proxy.setImpairment({});
  const fast = await roundTrip(s, 'def');
  t.true((fast?.[1] ?? 999) < 100, `healed round trip took ${fast?.[1]} ms`);
  s.destroy();
});

test('loss holds "lost" chunks back a retransmission timeout; 100 % blackholes', async (t) => {
  const proxy = await withProxy(t);
  proxy.setImpairment({ lossPct: 30 });
  const s = await connect(proxy.port);
  let slow = 0;
  for (let i = 0; i < 12; i++) {
    const r = await roundTrip(s, `m${i}`, 8000);
    t.is(r?.[0], `m${i}`); // nothing corrupted, nothing reordered
    if ((r?.[1] ?? 0) >= 190) slow++;
  }
  t.true(slow >= 2 && slow <= 11, `${slow} of 12 round trips saw a retransmission wait`);
  const cut = once(s, 'close');
  proxy.setImpairment({ lossPct: 100 });
  await cut; // entering 100 % cuts the live stream rather than dropping bytes out of it
  const held = await connect(proxy.port);
  t.is(await roundTrip(held, 'gone', 400), null);
  const released = once(held, 'close');
  proxy.setImpairment({ lossPct: 0 });
  await released; // leaving 100 % cuts the blackholed stream so the sender dials again
  const again = await connect(proxy.port);
  t.is((await roundTrip(again, 'back'))?.[0], 'back');
  again.destroy();
  t.throws(() => proxy.setImpairment({ lossPct: 101 }));
});
