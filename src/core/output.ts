// Writing a stream of lines to stdout when the reader may go away: `faultline history export 12
// | head` closes the pipe after ten lines. Node then reports EPIPE as an 'error' event on stdout
// and never emits 'drain' again, so a writer awaiting 'drain' waited for ever, with the database
// connection keeping the process alive. Here a closed stdout ends the stream quietly instead:
// writers learn it from the false that `writeStdout` resolves to and stop producing.

let closed = false;
let guarded = false;

/** True once stdout's reader has gone (EPIPE, or the stream was destroyed). */
export function stdoutClosed(): boolean {
  return closed || process.stdout.destroyed || process.stdout.writableEnded;
}

/**
 * Handles EPIPE on stdout once for the whole process: marks stdout closed instead of letting the
 * error surface as an uncaught exception with a stack. Other write errors are left to Node.
 */
export function guardStdout(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
      closed = true;
      return;
    }
    throw err;
  });
}

/**
 * Writes a chunk to stdout, waiting for 'drain' under back-pressure. Resolves false (and writes
 * nothing more) once the reader has gone, so the caller stops; true otherwise.
 */
export function writeStdout(chunk: string): Promise<boolean> {
  guardStdout();
  if (stdoutClosed()) return Promise.resolve(false);
  const out = process.stdout;
  if (out.write(chunk)) return Promise.resolve(!stdoutClosed());
  return new Promise((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('error', done);
      out.off('close', done);
      resolve(!stdoutClosed());
    };
    out.once('drain', done);
    out.once('error', done);
    out.once('close', done);
  });
}
