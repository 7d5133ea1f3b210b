// Coalesces many small writes to one socket into one write per event-loop turn. Every
// socket.write is a syscall; under load the store sends thousands of tiny JSON lines a second,
// and writing them one by one costs more CPU than everything else the server does.

import type { Socket } from 'node:net';

export class WriteBatcher {
  private parts: string[] = [];
  private scheduled = false;

  constructor(private readonly socket: Socket) {}

  write(text: string): void {
    this.parts.push(text);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  flush(): void {
    this.scheduled = false;
    if (this.parts.length === 0) return;
    const data = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    if (!this.socket.destroyed) this.socket.write(data);
  }
}
