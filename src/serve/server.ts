// The HTTP side of `faultline serve`: the run list at /, each run's report at /runs/<id>, the
// list as JSON at /api/runs. Read-only (GET only). Bound to loopback it also refuses requests whose
// Host is not loopback, so a web page cannot reach it through DNS rebinding.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { renderReport } from '../../reports/html.js';
import { renderRunList, type RunListItem } from '../../reports/list.js';
import type { HistoryDb } from '../history/db.js';
import { gatedVerdict, getRun, listRuns } from '../history/runs.js';
import { loadRunReport } from './load.js';
import { printable } from '../core/text.js';

/** Most runs the list shows (newest first). */
export const LIST_LIMIT = 5000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function hostnameOf(hostHeader: string): string {
  return hostHeader.startsWith('[') ? hostHeader.slice(0, hostHeader.indexOf(']') + 1) : hostHeader.split(':')[0]!;
}

async function runList(db: HistoryDb): Promise<RunListItem[]> {
  const rows = await listRuns(db.sql, LIST_LIMIT);
  return rows.map((r) => ({ id: r.id, name: r.name, source: r.source, startedAt: r.startedAt.toISOString(), status: r.status, valid: r.valid === null ? null : gatedVerdict(r.status, r.valid), events: r.ops, host: r.host, user: r.user, ci: r.ci, href: `/runs/${r.id}` }));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
  res.end(body);
}

export interface ReportServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** How long a stopping server lets requests in flight finish before it cuts their connections. */
export const STOP_GRACE_MS = 3_000;

/**
 * Starts serving on host:port (port 0: any free port) and resolves once it listens.
 *
 * A request that fails is retried once after `db.reconnect()` (an embedded daemon that died is
 * restarted), so a restarted database does not leave `serve` answering 500 for ever. A 500 body
 * says only that the request failed; the error itself goes to `logError` (the server's stderr),
 * since internal messages (addresses, SQL, paths) are not for whoever can reach the port.
 */
export async function startReportServer(
  db: HistoryDb,
  o: { host: string; port: number; log?: (m: string) => void; logError?: (m: string) => void },
): Promise<ReportServer> {
  const checkHost = isLoopback(o.host);
  const logError = o.logError ?? o.log;
  let stopping = false;
  const inFlight = new Set<Promise<void>>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    if (checkHost && !isLoopback(hostnameOf(req.headers.host ?? ''))) return send(res, 403, 'text/plain', 'this server only answers requests addressed to a loopback host\n');
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') return send(res, 200, 'text/html', renderRunList(await runList(db), { where: db.where }));
    if (path === '/api/runs') return send(res, 200, 'application/json', JSON.stringify(await runList(db)));
    const m = /^\/runs\/(\d{1,15})$/.exec(path);
    if (m) {
      const row = await getRun(db.sql, Number(m[1]));
      if (!row) return send(res, 404, 'text/plain', `no run ${m[1]}\n`);
      return send(res, 200, 'text/html', renderReport(await loadRunReport(db, row), { backHref: '/' }));
    }
    return send(res, 404, 'text/plain', 'not found\n');
  };
  const attempt = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      await handle(req, res);
    } catch (err) {
      if (stopping || res.headersSent || !db.reconnect) throw err;
      // The database may have gone away (a daemon killed or restarted): reconnect, try once more.
      await db.reconnect();
      await handle(req, res);
    }
  };
  const server = createServer((req, res) => {
    const started = performance.now();
    const what = `${req.method} ${printable(req.url ?? '')}`;
    const done: Promise<void> = attempt(req, res)
      .then(() => o.log?.(`${what} ${res.statusCode} ${Math.round(performance.now() - started)} ms`))
      .catch((err: Error) => {
        if (stopping) {
          // Cut off by Ctrl-C: nothing to report; the client's connection is closed.
          res.destroy();
          return;
        }
        const id = randomBytes(4).toString('hex');
        logError?.(`${what} failed (error ${id}): ${printable(err?.message ?? String(err))}`);
        if (!res.headersSent) send(res, 500, 'text/plain', `internal error ${id}: the request failed; the server's log says why\n`);
        else res.destroy();
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const shownHost = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    url: `http://${shownHost}:${port}/`,
    // Stops accepting, lets requests in flight finish for up to STOP_GRACE_MS, then cuts every
    // connection. The caller closes the database only after this, so no request meets a closed pool.
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
      clearTimeout(timer);
      stopping = true;
      server.closeAllConnections();
      await closed;
    },
  };
}
