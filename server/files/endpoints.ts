import { Readable } from 'node:stream';
import { ApiError } from '../http/errors.js';
import { PeerLinkError, type PeerClient, type PeerTarget } from '../peers/client.js';
import type { ErrorCode, FileStat, UploadCommit, UploadCreate, UploadDone, UploadState } from '../protocol/index.js';
import { LOCAL_CALLER, type FileAccess } from './access.js';
import { ArchiveError, type ArchiveLimits } from './archive.js';
import { openArchive, openFile, prefixSha256, SHA256_TRAILER, stat } from './read.js';
import type { UploadService } from './uploads.js';

export interface OpenRead {
  stream: AsyncIterable<Buffer>;
  /** The sender's SHA-256 of the whole content; undefined if the stream did not reach its end. */
  sha256(): string | undefined;
  /** Why the source itself failed mid-stream (a tree that cannot be packed), as opposed to the link. */
  failure(): EndpointError | undefined;
  destroy(): void;
}

/** One end of a transfer: this machine, or a peer over the link. The engine speaks only this. */
export interface Endpoint {
  readonly label: string;
  /** null when the path does not exist. `prefix`: also the hash of its first N bytes. */
  stat(path: string, prefix?: number): Promise<FileStat | null>;
  read(kind: 'file' | 'archive', path: string, from: number, signal: AbortSignal): Promise<OpenRead>;
  createUpload(body: UploadCreate): Promise<UploadState>;
  /** null when the receiver no longer has this upload. */
  uploadState(id: string): Promise<UploadState | null>;
  append(id: string, offset: number, body: AsyncIterable<Buffer>, signal: AbortSignal): Promise<UploadState>;
  commit(id: string, c: UploadCommit): Promise<UploadDone>;
  abort(id: string): Promise<void>;
}

/** A failure worth trying again (the link, or the other side restarting) is marked retryable. */
export class EndpointError extends Error {
  override name = 'EndpointError';
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

function toEndpointError(err: unknown): EndpointError {
  if (err instanceof EndpointError) return err;
  if (err instanceof ApiError) return new EndpointError(err.code, err.message, RETRYABLE_STATUS.has(err.status), err.details);
  // The tree has something the archive cannot carry, or is over the limits: trying again changes nothing.
  if (err instanceof ArchiveError) return new EndpointError(err.code, err.message, false, err.details);
  if (err instanceof PeerLinkError) return new EndpointError(err.code, err.message, err.code === 'peer-unreachable');
  const e = err as NodeJS.ErrnoException;
  // Broken connections, resets, timeouts: the link, not the request.
  return new EndpointError('peer-unreachable', e.message ?? String(err), true);
}

// ── this machine ───────────────────────────────────────────────────────────
export class LocalEndpoint implements Endpoint {
  readonly label = 'this machine';
  constructor(private readonly deps: { access: FileAccess; uploads: UploadService; limits: ArchiveLimits }) {}

  async stat(path: string, prefix?: number): Promise<FileStat | null> {
    try {
      const real = await this.deps.access.resolve(LOCAL_CALLER, 'read', path);
      const st = await stat(real, path, false);
      if (prefix !== undefined) st.prefixSha256 = await prefixSha256(real, path, prefix, this.deps.limits);
      return st;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'path-not-found') return null;
      throw toEndpointError(err);
    }
  }

  async read(kind: 'file' | 'archive', path: string, from: number): Promise<OpenRead> {
    try {
      const real = await this.deps.access.resolve(LOCAL_CALLER, 'read', path, { mustExist: kind === 'file' });
      const r = kind === 'file' ? await openFile(real, path, from) : openArchive(real, path, from, this.deps.limits);
      let ended = false;
      let failure: EndpointError | undefined;
      const stream = (async function* () {
        try {
          for await (const chunk of r.stream) yield chunk;
        } catch (err) {
          // Packing fails only once the bytes flow: the receiver just sees the stream break.
          failure = toEndpointError(err);
          throw failure;
        }
        ended = true;
      })();
      return { stream, sha256: () => (ended ? r.sha256() : undefined), failure: () => failure, destroy: () => r.stream.destroy() };
    } catch (err) {
      throw toEndpointError(err);
    }
  }

  async createUpload(body: UploadCreate): Promise<UploadState> {
    try {
      const real = body.parents ? await this.deps.access.resolveCreatingParents(LOCAL_CALLER, body.path) : await this.deps.access.resolve(LOCAL_CALLER, 'write', body.path);
      return this.deps.uploads.create('local', real, body);
    } catch (err) {
      throw toEndpointError(err);
    }
  }

  async uploadState(id: string): Promise<UploadState | null> {
    try {
      return await this.deps.uploads.state(id, 'local');
    } catch (err) {
      if (err instanceof ApiError && err.code === 'upload-not-found') return null;
      throw toEndpointError(err);
    }
  }

  async append(id: string, offset: number, body: AsyncIterable<Buffer>): Promise<UploadState> {
    return this.deps.uploads.append(id, 'local', offset, body).catch((err: unknown) => Promise.reject(toEndpointError(err)));
  }

  async commit(id: string, c: UploadCommit): Promise<UploadDone> {
    return this.deps.uploads.commit(id, 'local', c, { maxEntries: this.deps.limits.maxEntries }).catch((err: unknown) => Promise.reject(toEndpointError(err)));
  }

  async abort(id: string): Promise<void> {
    try {
      this.deps.uploads.abort(id, 'local');
    } catch {
      // already gone
    }
  }
}

// ── a peer ─────────────────────────────────────────────────────────────────
export class RemoteEndpoint implements Endpoint {
  readonly label: string;
  constructor(
    private readonly peer: PeerTarget,
    private readonly client: PeerClient,
  ) {
    this.label = peer.name;
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<{ status: number; body: T }> {
    let res: { status: number; body: unknown };
    try {
      res = await this.client.json(this.peer, { method, path, ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}) });
    } catch (err) {
      throw toEndpointError(err);
    }
    if (res.status >= 400) throw this.refusal(res.status, res.body);
    return res as { status: number; body: T };
  }

  private refusal(status: number, body: unknown): EndpointError {
    const e = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
    return new EndpointError((e?.code as ErrorCode) ?? 'peer-error', `${this.peer.name}: ${e?.message ?? `HTTP ${status}`}`, RETRYABLE_STATUS.has(status), e?.details);
  }

  async stat(path: string, prefix?: number): Promise<FileStat | null> {
    const qs = new URLSearchParams({ path, ...(prefix !== undefined ? { prefix: String(prefix) } : {}) });
    try {
      return (await this.call<FileStat>('GET', `/files/stat?${qs}`)).body;
    } catch (err) {
      if (err instanceof EndpointError && err.code === 'path-not-found') return null;
      throw err;
    }
  }

  async read(kind: 'file' | 'archive', path: string, from: number, signal: AbortSignal): Promise<OpenRead> {
    const qs = new URLSearchParams({ path });
    let res;
    try {
      res = await this.client.request(this.peer, {
        method: 'GET',
        path: `/files/${kind === 'file' ? 'content' : 'archive'}?${qs}`,
        headers: from > 0 ? { range: `bytes=${from}-` } : {},
        signal,
      });
    } catch (err) {
      throw toEndpointError(err);
    }
    if ((res.statusCode ?? 500) >= 400) {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(c as Buffer);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        body = undefined;
      }
      throw this.refusal(res.statusCode ?? 500, body);
    }
    const response = res;
    return { stream: response as AsyncIterable<Buffer>, sha256: () => response.trailers[SHA256_TRAILER] as string | undefined, failure: () => undefined, destroy: () => response.destroy() };
  }

  async createUpload(body: UploadCreate): Promise<UploadState> {
    return (await this.call<UploadState>('POST', '/files/uploads', body)).body;
  }

  async uploadState(id: string): Promise<UploadState | null> {
    try {
      return (await this.call<UploadState>('GET', `/files/uploads/${encodeURIComponent(id)}`)).body;
    } catch (err) {
      if (err instanceof EndpointError && err.code === 'upload-not-found') return null;
      throw err;
    }
  }

  async append(id: string, offset: number, body: AsyncIterable<Buffer>, signal: AbortSignal): Promise<UploadState> {
    // pipe() leaves the request open when its source fails, and an unhandled 'error' would end the
    // process: a failing source aborts the request instead (the caller reports the source's error).
    const sourceFailed = new AbortController();
    const stream = Readable.from(body, { objectMode: false, highWaterMark: 64 * 1024 });
    stream.on('error', (err) => sourceFailed.abort(err));
    let res;
    try {
      res = await this.client.request(this.peer, {
        method: 'PUT',
        path: `/files/uploads/${encodeURIComponent(id)}`,
        headers: { 'content-type': 'application/octet-stream', 'x-ferry-offset': String(offset) },
        stream,
        signal: AbortSignal.any([signal, sourceFailed.signal]),
      });
    } catch (err) {
      throw toEndpointError(err);
    }
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as unknown;
    if ((res.statusCode ?? 500) >= 400) throw this.refusal(res.statusCode ?? 500, parsed);
    return parsed as UploadState;
  }

  async commit(id: string, c: UploadCommit): Promise<UploadDone> {
    return (await this.call<UploadDone>('POST', `/files/uploads/${encodeURIComponent(id)}/commit`, c)).body;
  }

  async abort(id: string): Promise<void> {
    await this.call('DELETE', `/files/uploads/${encodeURIComponent(id)}`).catch(() => undefined);
  }
}
