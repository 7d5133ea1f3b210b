// Splits a byte stream into newline-terminated lines (for the newline-delimited JSON used by
// both the client protocol and the peer transport). A line longer than the cap is refused:
// a peer or client that never sends a newline must not grow our memory without bound.

import { StringDecoder } from 'node:string_decoder';

export const MAX_LINE_BYTES = 64 * 1024 * 1024;

export class LineReader {
  private rest = '';
  // Decodes across chunk boundaries, so a multi-byte character split in two survives.
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void = () => undefined,
  ) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      if (line.length > 0) this.onLine(line);
    }
    this.rest = text.slice(start);
    if (this.rest.length > MAX_LINE_BYTES) {
      this.rest = '';
      this.onTooLong();
    }
  }
}
