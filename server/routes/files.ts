import { Router } from 'express';
import busboy from 'busboy';
import type { Config } from '../config.js';
import { ApiError } from '../http/errors.js';
import { categoryLimiter } from '../http/rate-limit.js';
import { parseBody, parseQuery } from '../http/validate.js';
import { PathQuery, StatQuery, UploadCommit, UploadCreate } from '../protocol/index.js';
import type { FileAccess } from '../files/access.js';
import { ArchiveError } from '../files/archive.js';
import { list, openArchive, openFile, prefixSha256, rangeStart, sendRead, stat } from '../files/read.js';
import type { UploadService } from '../files/uploads.js';
import { multipartUpload } from '../files/multipart.js';
import { param } from './params.js';

/** An archive error becomes an API error (same code); anything else passes through. */
const archiveErrors = (err: unknown): never => {
  if (err instanceof ArchiveError) throw new ApiError(err.code, err.message, err.details);
  throw err;
};

/** The files capability: the same routes for the local admin and for paired peers (held to their files scope). */
export function fileRoutes(deps: { uploads: UploadService; access: FileAccess; config: Config }): Router {
  const r = Router();
  const { uploads, access } = deps;
  const limits = { maxBytes: deps.config.files.maxBytes, maxEntries: deps.config.files.maxEntries };
  r.use('/files', categoryLimiter('files', deps.config.rateLimits));

  r.get('/files/stat', async (req, res) => {
    const q = parseQuery(StatQuery, req);
    req.audit = { action: 'files.stat', target: q.path };
    const real = await access.resolve(req, 'read', q.path);
    const out = await stat(real, q.path, q.hash === '1');
    if (q.prefix !== undefined) out.prefixSha256 = await prefixSha256(real, q.path, q.prefix, limits).catch(archiveErrors);
    res.json(out);
  });

  r.get('/files/list', async (req, res) => {
    const q = parseQuery(PathQuery, req);
    req.audit = { action: 'files.list', target: q.path };
    res.json(list(await access.resolve(req, 'read', q.path), q.path));
  });

  r.get('/files/content', async (req, res) => {
    const q = parseQuery(PathQuery, req);
    req.audit = { action: 'files.read', target: q.path };
    await sendRead(res, await openFile(await access.resolve(req, 'read', q.path, { mustExist: true }), q.path, rangeStart(req.headers.range)), 'application/octet-stream');
  });

  r.get('/files/archive', async (req, res) => {
    const q = parseQuery(PathQuery, req);
    req.audit = { action: 'files.read-archive', target: q.path };
    const opened = openArchive(await access.resolve(req, 'read', q.path), q.path, rangeStart(req.headers.range), limits);
    await sendRead(res, opened, 'application/x-tar').catch(archiveErrors);
  });

  r.post('/files/uploads', async (req, res) => {
    const body = parseBody(UploadCreate, req);
    req.audit = { action: 'files.upload', target: body.path };
    const target = body.parents ? await access.resolveCreatingParents(req, body.path) : await access.resolve(req, 'write', body.path);
    res.status(201).json(uploads.create(req.principal!.id, target, body));
  });

  r.get('/files/uploads/:id', async (req, res) => {
    req.audit = { action: 'files.upload-state', target: param(req, 'id') };
    res.json(await uploads.state(param(req, 'id'), req.principal!.id));
  });

  r.put('/files/uploads/:id', async (req, res) => {
    req.audit = { action: 'files.upload-data', target: param(req, 'id') };
    const offset = Number(req.headers['x-ferry-offset'] ?? NaN);
    if (!Number.isSafeInteger(offset) || offset < 0) throw new ApiError('validation-failed', 'send the x-ferry-offset header: the byte this body starts at');
    res.json(await uploads.append(param(req, 'id'), req.principal!.id, offset, req));
  });

  r.post('/files/uploads/:id/commit', async (req, res) => {
    req.audit = { action: 'files.upload-commit', target: param(req, 'id') };
    res.json(await uploads.commit(param(req, 'id'), req.principal!.id, parseBody(UploadCommit, req), limits));
  });

  r.delete('/files/uploads/:id', (req, res) => {
    req.audit = { action: 'files.upload-abort', target: param(req, 'id') };
    uploads.abort(param(req, 'id'), req.principal!.id);
    res.status(204).end();
  });

  // One-shot upload for browsers and `curl -F path=/x -F file=@f`: fields first, then one file part.
  r.post('/files', async (req, res) => {
    req.audit = { action: 'files.upload-multipart' };
    const done = await multipartUpload(req, { uploads, access, busboy });
    req.audit.target = done.path;
    res.status(201).json(done);
  });
  return r;
}
