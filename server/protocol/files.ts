import { z } from 'zod';
import { Timestamp, queryInt } from './common.js';

const NoNul = z.string().refine((s) => !s.includes('\0'), 'must not contain NUL characters');
/** An absolute path, or one starting with ~ (the daemon user's home). */
export const FilePath = NoNul.min(1)
  .max(4096)
  .refine((p) => p.startsWith('/') || p === '~' || p.startsWith('~/'), 'an absolute path (or one starting with ~/)');

export const FileType = z.enum(['file', 'dir', 'symlink', 'other']);
export type FileType = z.infer<typeof FileType>;

export const FileStat = z.object({
  path: z.string(),
  type: FileType,
  size: z.number().int(),
  mode: z.number().int(),
  mtime: Timestamp,
  target: z.string().optional(),
  sha256: z.string().optional(),
  /** With `prefix=N`: the SHA-256 of the first N bytes (of the file, or of a directory's archive). */
  prefixSha256: z.string().optional(),
});
export type FileStat = z.infer<typeof FileStat>;
export const StatQuery = z.strictObject({ path: FilePath, hash: z.enum(['0', '1']).optional(), prefix: queryInt(0, Number.MAX_SAFE_INTEGER).optional() });

export const DirEntry = z.object({ name: z.string(), type: FileType, size: z.number().int(), mode: z.number().int(), mtime: Timestamp, target: z.string().optional() });
export type DirEntry = z.infer<typeof DirEntry>;
export const DirListing = z.object({ path: z.string(), entries: z.array(DirEntry), truncated: z.boolean() });
export type DirListing = z.infer<typeof DirListing>;
export const PathQuery = z.strictObject({ path: FilePath });

export const UploadKind = z.enum(['file', 'archive']);
export const UploadCreate = z.strictObject({
  path: FilePath,
  kind: UploadKind,
  /** Expected size, when known (a file's); an archive's is known only at commit. */
  size: z.number().int().min(0).optional(),
  force: z.boolean().optional(),
  parents: z.boolean().optional(),
  /** Permission bits for the file (an archive carries its own). */
  mode: z.number().int().min(0).max(0o777).optional(),
  mtime: Timestamp.optional(),
});
export type UploadCreate = z.infer<typeof UploadCreate>;

export const UploadState = z.object({
  id: z.string(),
  path: z.string(),
  kind: UploadKind,
  offset: z.number().int(),
  /** SHA-256 of the bytes received so far: the sender checks its copy against it before resuming. */
  prefixSha256: z.string(),
  state: z.enum(['open', 'done', 'failed']),
  size: z.number().int().nullable(),
});
export type UploadState = z.infer<typeof UploadState>;

export const UploadCommit = z.strictObject({ size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/, '64 lower-case hex digits') });
export type UploadCommit = z.infer<typeof UploadCommit>;
export const UploadDone = z.object({ path: z.string(), size: z.number().int(), sha256: z.string(), kind: UploadKind, entries: z.number().int().optional() });
export type UploadDone = z.infer<typeof UploadDone>;

// ── transfers (local API) ───────────────────────────────────────────────────
export const TransferState = z.enum(['running', 'done', 'failed', 'canceled']);
export type TransferState = z.infer<typeof TransferState>;
export const TransferCreate = z.strictObject({
  direction: z.enum(['push', 'pull']),
  /** A paired peer's name or node id; absent: both ends on this machine. */
  peer: z.string().min(1).max(64).optional(),
  source: FilePath,
  destination: FilePath,
  force: z.boolean().optional(),
  parents: z.boolean().optional(),
});
export type TransferCreate = z.infer<typeof TransferCreate>;

export const Transfer = z.object({
  id: z.string(),
  direction: z.enum(['push', 'pull']),
  peer: z.string().nullable(),
  source: z.string(),
  destination: z.string(),
  kind: UploadKind.nullable(),
  state: TransferState,
  bytes: z.number().int(),
  total: z.number().int().nullable(),
  /** Bytes per second over the last few seconds (0 when idle). */
  rate: z.number(),
  sha256: z.string().nullable(),
  attempts: z.number().int(),
  createdAt: Timestamp,
  endedAt: Timestamp.nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Where it ended up (for a destination that was a directory, the path inside it). */
  finalPath: z.string().nullable(),
});
export type Transfer = z.infer<typeof Transfer>;
export const TransferList = z.object({ items: z.array(Transfer) });
export type TransferList = z.infer<typeof TransferList>;
export const TransferQuery = z.strictObject({ state: TransferState.optional(), limit: queryInt(1, 500).optional() });
