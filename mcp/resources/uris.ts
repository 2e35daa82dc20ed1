import { ContextKey } from '../../server/protocol/index.js';

export const STATUS_URI = 'ferry://status';
export const PEERS_URI = 'ferry://peers';
export const INBOX_URI = 'ferry://inbox';
const CONTEXT_PREFIX = 'ferry://context/';
/** One URI per key; the key is percent-encoded as one segment (a "/" in it is %2F), as in the REST API. */
export const CONTEXT_TEMPLATE = `${CONTEXT_PREFIX}{key}`;

export type FerryResource = { kind: 'status' } | { kind: 'peers' } | { kind: 'inbox' } | { kind: 'context'; key: string };

export function contextUri(key: string): string {
  return CONTEXT_PREFIX + encodeURIComponent(key);
}

/** Which of our resources a URI names, or null. A context key written with raw slashes is accepted too. */
export function parseResourceUri(uri: string): FerryResource | null {
  if (uri === STATUS_URI) return { kind: 'status' };
  if (uri === PEERS_URI) return { kind: 'peers' };
  if (uri === INBOX_URI) return { kind: 'inbox' };
  if (!uri.startsWith(CONTEXT_PREFIX)) return null;
  let key: string;
  try {
    key = decodeURIComponent(uri.slice(CONTEXT_PREFIX.length));
  } catch {
    return null;
  }
  return ContextKey.safeParse(key).success ? { kind: 'context', key } : null;
}
