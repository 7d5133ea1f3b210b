// The transport contract the fault-injection runtime depends on: a node sends only on
// connections it dialed to the peer's --peers address, reads only from inbound connections,
// redials after the peer comes back, and bounds what it queues meanwhile.

import test from 'ava';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { freePort, pollUntil } from '../../src/store/local-cluster.js';
import { Transport } from '../../src/store/transport.js';

interface Peer {
  server: Server;
  lines: string[];
  sockets: Socket[];
}

/** A fake peer listening on port: records every line it receives, and writes junk back. */
async function fakePeer(port: number): Promise<Peer> {
  const p: Peer = { server: createServer(), lines: [], sockets: [] };
  p.server.on('connection', (s) => {
    p.sockets.push(s);
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      p.lines.push(...parts);
    });
    s.on('error', () => undefined);
    s.write('{"type":"junk-on-a-dialed-connection"}\n'); // must be ignored by the dialer
  });
  await new Promise<void>((r) => p.server.listen(port, '127.0.0.1', () => r()));
  return p;
}

async function closePeer(p: Peer): Promise<void> {
  for (const s of p.sockets) s.destroy();
  await new Promise<void>((r) => p.server.close(() => r()));
}

test('sends on its own dialed connection, receives only on inbound ones', async (t) => {
  const [myPort, peerPort] = [await freePort(), await freePort()];
  const received: unknown[] = [];
  const tr = new Transport({ id: 'n1', peers: { n1: { host: '127.0.0.1', port: myPort }, n2: { host: '127.0.0.1', port: peerPort } }, onMessage: (m) => received.push(m) });
  await tr.listen();
  const peer = await fakePeer(peerPort);
  t.teardown(async () => {
    await tr.close();
    await closePeer(peer);
  });

  tr.send('n2', { type: 'append', from: 'n1', to: 'n2', term: 1 });
  await pollUntil(async () => peer.lines.length >= 2, 5000, 'the peer to receive');
  t.deepEqual(JSON.parse(peer.lines[0]!), { hello: 'n1' });
  t.like(JSON.parse(peer.lines[1]!), { type: 'append', to: 'n2' });
  t.deepEqual(received, [], 'nothing read back from the connection n1 dialed');

  // n2 dials n1's --peers port; n1 reads from it and never writes on it.
  const inbound = connect({ host: '127.0.0.1', port: myPort });
  let wroteBack = '';
  inbound.on('data', (d) => (wroteBack += d.toString()));
  inbound.write('{"hello":"n2"}\n{"type":"heartbeat","from":"n2","to":"n1","term":1}\n');
  await pollUntil(async () => received.length === 1, 5000, 'n1 to read the inbound message');
  t.like(received[0], { type: 'heartbeat', from: 'n2' });
  tr.send('n2', { type: 'heartbeat-resp', from: 'n1', to: 'n2', term: 1 });
  await pollUntil(async () => peer.lines.length >= 3, 5000, 'the answer on the dialed link');
  t.is(wroteBack, '', 'the answer did not go back on the inbound connection');
  inbound.destroy();
});

test('redials when the peer comes back, delivering what was queued within the bound', async (t) => {
  const [myPort, peerPort] = [await freePort(), await freePort()];
  const tr = new Transport({
    id: 'n1', peers: { n1: { host: '127.0.0.1', port: myPort }, n2: { host: '127.0.0.1', port: peerPort } },
    onMessage: () => undefined, maxQueuedMessages: 5, reconnectMsMin: 10, reconnectMsMax: 50,
  });
  await tr.listen();
  t.teardown(() => tr.close());
  for (let i = 0; i < 20; i++) tr.send('n2', { type: 'append', from: 'n1', to: 'n2', term: 1, i });
  const peer = await fakePeer(peerPort); // the peer starts only now
  t.teardown(() => closePeer(peer));
  tr.send('n2', { type: 'append', from: 'n1', to: 'n2', term: 1, i: 20 });
  await pollUntil(async () => peer.lines.some((l) => l.includes('"i":20')), 5000, 'delivery after redial');
  const delivered = peer.lines.slice(1).map((l) => (JSON.parse(l) as { i: number }).i);
  t.true(delivered.length <= 6, `queue bounded: ${delivered.length} delivered`);
  t.deepEqual(delivered.slice(-2), [19, 20], 'the newest messages were kept, in order');
});
