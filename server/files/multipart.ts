import { PassThrough, type Readable } from 'node:stream';
import type busboyFn from 'busboy';
import type { Request } from 'express';
import { ApiError } from '../http/errors.js';
import { FilePath, type UploadDone } from '../protocol/index.js';
import type { FileAccess } from './access.js';
import type { UploadService } from './uploads.js';

const TRUE = new Set(['1', 'true', 'yes', 'on']);

/**
 * `POST /files` as multipart/form-data: the fields (`path`, and optionally `sha256`, `force`,
 * `parents`) must come BEFORE the one file part, because the file is streamed to its destination
 * as it arrives — never held in memory. The sha256 field, when given, must match.
 */
export async function multipartUpload(req: Request, deps: { uploads: UploadService; access: FileAccess; busboy: typeof busboyFn }): Promise<UploadDone> {
  if (!req.is('multipart/form-data')) throw new ApiError('unsupported-media-type', 'send multipart/form-data: the fields path (and sha256, force, parents), then one file part');
  const fields = new Map<string, string>();
  let files = 0;
  let flow: Promise<UploadDone> | undefined;
  let problem: ApiError | undefined;

  const bb = deps.busboy({ headers: req.headers, limits: { files: 2, fields: 16, fieldSize: 8192, parts: 20 } });
  bb.on('field', (name, value) => fields.set(name, value));
  bb.on('file', (_name, stream: Readable) => {
    files++;
    if (files > 1) {
      problem ??= new ApiError('validation-failed', 'send exactly one file part (this request has more)');
      stream.resume();
      return;
    }
    const path = fields.get('path');
    const parsed = FilePath.safeParse(path);
    if (!parsed.success) {
      problem ??= new ApiError('validation-failed', path === undefined ? 'the path field is missing (send it before the file part)' : `invalid path field: ${parsed.error.issues[0]?.message}`);
      stream.resume();
      return;
    }
    // Buffer nothing: the part is piped (with backpressure) into the upload, which hashes it.
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    stream.pipe(body);
    flow = (async () => {
      const force = TRUE.has(fields.get('force') ?? '');
      const target = TRUE.has(fields.get('parents') ?? '') ? await deps.access.resolveCreatingParents(req, parsed.data) : await deps.access.resolve(req, 'write', parsed.data);
      const up = deps.uploads.create(req.principal!.id, target, { kind: 'file', force });
      const state = await deps.uploads.append(up.id, req.principal!.id, 0, body);
      const truncated = (stream as Readable & { truncated?: boolean }).truncated;
      if (truncated) throw new ApiError('file-too-large', 'the file part was cut short by the upload limits');
      // The upload hashed what it wrote: with no sha256 field, that is what is committed.
      const sha256 = fields.get('sha256') ?? state.prefixSha256;
      return deps.uploads.commit(up.id, req.principal!.id, { size: state.offset, sha256 }, { maxEntries: 1 });
    })();
    flow.catch((err: unknown) => {
      problem ??= err instanceof ApiError ? err : new ApiError('internal-error', 'the upload failed');
      stream.resume();
    });
  });
  const finished = new Promise<void>((resolve, reject) => {
    bb.once('close', resolve);
    bb.once('error', (err: Error) => reject(new ApiError('validation-failed', `malformed multipart body: ${err.message}`)));
  });
  req.pipe(bb);
  await finished;
  let result: UploadDone | undefined;
  if (flow) {
    try {
      result = await flow;
    } catch (err) {
      problem ??= err instanceof ApiError ? err : new ApiError('internal-error', 'the upload failed');
    }
  }
  if (problem) throw problem;
  if (!result) throw new ApiError('validation-failed', 'the request has no file part');
  return result;
}
