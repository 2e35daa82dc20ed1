import type { Request, Response } from 'express';

export interface SseStream {
  send(event: string, data: unknown, id?: number): boolean;
  close(): void;
  readonly closed: boolean;
  onClose(fn: () => void): void;
}

/** Open every SSE stream through here, so shutdown can end them all. */
export class SseHub {
  private readonly open = new Set<SseStream>();

  start(req: Request, res: Response, keepAliveMs = 15_000): SseStream {
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    req.socket.setNoDelay(true);
    let closed = false;
    const closers: (() => void)[] = [];
    const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
    timer.unref();
    const finish = () => {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      this.open.delete(stream);
      for (const fn of closers) fn();
    };
    const stream: SseStream = {
      send(event, data, id) {
        if (closed) return false;
        return res.write(`${id !== undefined ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      },
      close() {
        if (!closed && !res.writableEnded) res.end();
        finish();
      },
      get closed() {
        return closed;
      },
      onClose(fn) {
        if (closed) fn();
        else closers.push(fn);
      },
    };
    this.open.add(stream);
    res.on('close', finish);
    return stream;
  }

  closeAll(): void {
    for (const s of [...this.open]) s.close();
  }
}
