import fs from 'node:fs';

/**
 * Call `onLines` with every complete line appended to `file` from byte `offset` on, until `signal`
 * aborts. Polls (fs.watch is unreliable across platforms and network filesystems). A file that
 * shrinks or is replaced (the daemon rotates its log on start) is read again from its beginning.
 */
export async function followFile(
  file: string,
  offset: number,
  onLines: (lines: string[]) => void,
  signal: AbortSignal,
  intervalMs = 250,
): Promise<void> {
  let pos = offset;
  let ino = statOf(file)?.ino;
  let partial = '';
  while (!signal.aborted) {
    const st = statOf(file);
    if (st && (st.ino !== ino || st.size < pos)) {
      ino = st.ino;
      pos = 0;
      partial = '';
    }
    if (st && st.size > pos) {
      const buf = Buffer.alloc(st.size - pos);
      const fd = fs.openSync(file, 'r');
      try {
        fs.readSync(fd, buf, 0, buf.length, pos);
      } finally {
        fs.closeSync(fd);
      }
      pos = st.size;
      const parts = (partial + buf.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      if (parts.length) onLines(parts);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

function statOf(file: string): fs.Stats | null {
  try {
    return fs.statSync(file);
  } catch {
    return null;
  }
}
