import net from 'node:net';
import os from 'node:os';
import type { RequestHandler } from 'express';
import { ApiError } from './errors.js';

/**
 * DNS-rebinding defence: a browser tricked into sending requests to us will send the attacker's
 * host name in the Host header. IP literals cannot be rebound, so they pass; names must be ours.
 */
export function makeHostAllowList(extra: string[], name: string): (hostHeader: string | undefined) => boolean {
  const hostname = os.hostname().toLowerCase();
  const names = new Set(
    ['localhost', hostname, `${hostname}.local`, hostname.split('.')[0]!, `${name.toLowerCase()}.local`, ...extra.map((h) => h.toLowerCase())].filter(Boolean),
  );
  return (hostHeader) => {
    if (!hostHeader) return false;
    const host = stripPort(hostHeader.toLowerCase());
    if (host === null) return false;
    if (net.isIP(host)) return true;
    if (host === 'localhost' || host.endsWith('.localhost')) return true;
    return names.has(host);
  };
}

function stripPort(h: string): string | null {
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    if (end < 0) return null;
    return h.slice(1, end);
  }
  const colon = h.lastIndexOf(':');
  if (colon >= 0 && h.indexOf(':') === colon) {
    const port = h.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port)) return null;
    return h.slice(0, colon);
  }
  return h;
}

export function hostCheck(allowed: (host: string | undefined) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (allowed(req.headers.host)) return next();
    next(
      new ApiError(
        'host-not-allowed',
        `Host "${req.headers.host ?? ''}" is not one of this daemon's names; add it to allowedHosts (FERRY_ALLOWED_HOSTS) if it should be`,
      ),
    );
  };
}
