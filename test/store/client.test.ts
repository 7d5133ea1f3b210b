// The client's outcome classification against scripted fake nodes: what is known not to have
// happened is `fail`, what cannot be known is `info`, and nothing that may have been sent is
// retried. Also: not-leader hints are followed to the leader.

import test from 'ava';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { StoreClient } from '../../src/store/client.js';
import { freePort } from '../../src/store/local-cluster.js';

type Script = (req: Record<string, unknown>, sock: Socket) => void;

/** A fake node on 127.0.0.1 answering each request line with the script; counts requests. */
async function fakeNode(t: import('ava').ExecutionContext, script: Script): Promise<{ addr: string; seen: Array<Record<string, unknown>> }> {
  const seen: Array<Record<string, unknown>> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl !== -1; nl = buf.indexOf('\n')) {
        const req = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
        buf = buf.slice(nl + 1);
        seen.push(req);
        script(req, sock);
      }
    });
    sock.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return { addr: `127.0.0.1:${(server.address() as { port: number }).port}`, seen };
}

const reply = (sock: Socket, obj: object) => sock.write(JSON.stringify(obj) + '\n');

test('follows a not-leader hint to the leader and remembers it', async (t) => {
  const leader = await fakeNode(t, (req, s) => reply(s, { id: req.id, ok: true, value: req.op === 'get' ? 7 : null }));
  const follower = await fakeNode(t, (req, s) => reply(s, { id: req.id, ok: false, error: 'not-leader', definite: true, leader: 'n2' }));
  const c = new StoreClient({ nodes: { n1: follower.addr, n2: leader.addr } });
  t.teardown(() => c.close());
  t.deepEqual(await c.put('k', 1), { type: 'ok', value: null, node: 'n2' });
  t.deepEqual(await c.get('k'), { type: 'ok', value: 7, node: 'n2' });
  t.is(follower.seen.length, 1, 'the second op went straight to the leader');
});

test('a refused connection before sending is a definite failure, after trying every node', async (t) => {
  const c = new StoreClient({ nodes: { n1: `127.0.0.1:${await freePort()}`, n2: `127.0.0.1:${await freePort()}` }, timeoutMs: 400 });
  t.teardown(() => c.close());
  t.like(await c.put('k', 1), { type: 'fail', error: 'unavailable' });
});

test('no answer after sending is indefinite, and the op is not retried elsewhere', async (t) => {
  const silent = await fakeNode(t, () => undefined);
  const other = await fakeNode(t, (req, s) => reply(s, { id: req.id, ok: true, value: null }));
  const c = new StoreClient({ nodes: { n1: silent.addr, n2: other.addr }, timeoutMs: 300 });
  t.teardown(() => c.close());
  t.deepEqual(await c.put('k', 1), { type: 'info', error: 'timeout', node: 'n1' });
  t.is(other.seen.length, 0);
});

test('a connection dropped after sending is indefinite', async (t) => {
  const dropper = await fakeNode(t, (_req, s) => s.destroy());
  const c = new StoreClient({ nodes: { n1: dropper.addr } });
  t.teardown(() => c.close());
  t.deepEqual(await c.append('l', 1), { type: 'info', error: 'connection-lost', node: 'n1' });
});

test('server errors keep their definiteness: cas-mismatch fails, a server timeout is info', async (t) => {
  const node = await fakeNode(t, (req, s) =>
    reply(s, req.op === 'cas' ? { id: req.id, ok: false, error: 'cas-mismatch', definite: true } : { id: req.id, ok: false, error: 'timeout', definite: false }));
  const c = new StoreClient({ nodes: { n1: node.addr } });
  t.teardown(() => c.close());
  t.deepEqual(await c.cas('k', 1, 2), { type: 'fail', error: 'cas-mismatch', node: 'n1' });
  t.deepEqual(await c.delete('k'), { type: 'info', error: 'timeout', node: 'n1' });
});

test('status asks that node directly and rejects when it is unreachable', async (t) => {
  const st = { id: 'n1', role: 'follower', term: 3, leader: 'n2', commitIndex: 5, lastApplied: 5, protocol: 'raft', bugs: [] };
  const node = await fakeNode(t, (req, s) => reply(s, { id: req.id, ok: true, value: st }));
  const c = new StoreClient({ nodes: { n1: node.addr, n2: `127.0.0.1:${await freePort()}` }, timeoutMs: 500 });
  t.teardown(() => c.close());
  t.deepEqual(await c.status('n1'), st as never);
  await t.throwsAsync(() => c.status('n2'), { message: /n2: unreachable/ });
});
