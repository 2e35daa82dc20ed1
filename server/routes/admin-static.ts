import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { ApiError } from '../http/errors.js';

export interface AdminBundle {
  dir: string;
  /** 'sha256-…' sources for the inline scripts of index.html, for the Content-Security-Policy. */
  scriptHashes: string[];
  built: boolean;
}

/** Read the built admin SPA once at start: where it is and the hashes its CSP must allow. */
export function loadAdminBundle(dir: string): AdminBundle {
  const index = path.join(dir, 'index.html');
  if (!fs.existsSync(index)) return { dir, scriptHashes: [], built: false };
  const html = fs.readFileSync(index, 'utf8');
  const hashes = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map(
    (m) => `'sha256-${crypto.createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`,
  );
  return { dir, scriptHashes: hashes, built: true };
}

/** The admin SPA at /admin: hashed assets cached for good, everything else falls back to index.html. */
export function adminRoutes(bundle: AdminBundle): Router {
  // Strict: otherwise '/admin' also matches '/admin/' and the redirect below loops forever.
  const r = Router({ strict: true });
  r.get('/', (_req, res) => res.redirect(302, '/admin/'));
  if (!bundle.built) {
    r.get(['/admin', '/admin/', '/admin/*rest'], () => {
      throw new ApiError('admin-not-built', 'the admin UI is not built in this install: run `npm run build:admin`');
    });
    return r;
  }
  r.use(
    '/admin',
    express.static(bundle.dir, {
      index: false,
      redirect: false,
      setHeaders(res, file) {
        res.setHeader('cache-control', file.includes(`${path.sep}immutable${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  const sendIndex: express.RequestHandler = (_req, res) => {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(path.join(bundle.dir, 'index.html'));
  };
  r.get('/admin', (_req, res) => res.redirect(301, '/admin/'));
  r.get(['/admin/', '/admin/*rest'], (req, res, next) => {
    // A missing asset is a 404, not the app shell.
    if (/\.[a-z0-9]+$/i.test(req.path)) return next();
    sendIndex(req, res, next);
  });
  return r;
}
