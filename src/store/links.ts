// A minimal TCP relay for one directed node-to-node link, so the store's own tests can cut
// links between real processes (the harness's runtimes have their full-featured proxy).
// Cutting closes live connections and refuses new ones; the dialer keeps redialing.

import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export class Link {
  private readonly server = createServer((s) => this.accept(s));
  private readonly live = new Set<Socket>();
  private cut = false;
  port = 0;

  constructor(private readonly targetPort: number) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  setCut(cut: boolean): void {
    this.cut = cut;
    if (cut) for (const s of this.live) s.destroy();
  }

  private accept(client: Socket): void {
    if (this.cut) return void client.destroy();
    const upstream = connect({ host: '127.0.0.1', port: this.targetPort });
    for (const s of [client, upstream]) {
      this.live.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.live.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async close(): Promise<void> {
    this.setCut(true);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
