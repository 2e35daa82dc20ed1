import type { ToolExtra } from './tools/define.js';

/** At most this often; a chatty command must not flood the client with notifications. */
const MIN_INTERVAL_MS = 100;

export interface Progress {
  /** `progress` must grow from call to call (MCP requires it); smaller or equal values are dropped. */
  report(progress: number, message: string, opts?: { force?: boolean; total?: number | null }): Promise<void>;
}

/**
 * MCP progress notifications for one request, only when the caller asked for them by sending a
 * progressToken. Throttled (the first regular report and forced ones always go out); a failed send never
 * fails the tool.
 */
export function progressFor(extra: ToolExtra): Progress {
  const token = extra._meta?.progressToken;
  if (token === undefined) return { report: async () => undefined };
  let last = -Infinity;
  let lastSentAt = -Infinity;
  return {
    async report(progress, message, opts = {}) {
      const now = performance.now();
      if (progress <= last || (!opts.force && now - lastSentAt < MIN_INTERVAL_MS)) return;
      last = progress;
      // Forced reports (milestones) do not hold back the next regular one.
      if (!opts.force) lastSentAt = now;
      try {
        const total = opts.total ?? undefined;
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message, ...(total !== undefined ? { total } : {}) } });
      } catch {
        // the client went away; the tool's own result (or cancellation) says the rest
      }
    },
  };
}
