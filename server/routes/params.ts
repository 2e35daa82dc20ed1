import type { Request, Response } from 'express';

/** A single path parameter (Express types allow arrays for wildcards; these are plain). */
export const param = (req: Request, name: string) => String((req.params as Record<string, unknown>)[name]);

/** Aborted when the client goes away before the answer (so whatever it waits for can end). */
export function clientGone(res: Response): AbortSignal {
  const ac = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  return ac.signal;
}
