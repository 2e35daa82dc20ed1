#!/usr/bin/env node
// Docker HEALTHCHECK probe. The slim base image has no curl or wget, and installing one just
// for this would grow the attack surface, so the Node that is already there asks the daemon.
// Exit 0 = healthy, 1 = unhealthy (Docker treats every other code as reserved).
const raw = process.env.FERRY_PORT || '7717';
const port = Number(raw);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`unhealthy: FERRY_PORT must be a port number (1-65535), got "${raw}"`);
  process.exit(1);
}

// 127.0.0.1, not localhost: inside the container localhost may resolve to ::1 first, and the
// daemon's Host-header allow-list accepts IP literals.
const url = `http://127.0.0.1:${port}/api/v1/health`;
try {
  // Below Docker's own timeout so that we report why, instead of being killed silently.
  const res = await fetch(url, { signal: AbortSignal.timeout(4000) });
  const body = await res.json().catch(() => null);
  if (res.ok && body?.status === 'ok') process.exit(0);
  // "draining" (503) during shutdown counts as unhealthy: new work should go elsewhere.
  console.error(`unhealthy: ${url} answered ${res.status} ${JSON.stringify(body)}`);
} catch (err) {
  console.error(`unhealthy: ${url} did not answer: ${err instanceof Error ? err.message : String(err)}`);
}
process.exit(1);
